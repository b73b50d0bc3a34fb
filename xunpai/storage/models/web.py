"""Tables of the web application: party sign-in credentials issued by the court, API tokens, background
jobs (batch quotes, bulk publishing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xunpai.storage.models.base import Base


class PartyAccess(Base):
    """A party's (当事人/利害关系人) sign-in for one case: the case number and an access code the court issued
    (stored hashed). The party's user account (role ``party``) sees only this case. The code's first group is
    ``code_id``, the record's non-secret identifier within the case (wrong codes are throttled per party by it);
    codes issued before it existed have none (docs/security.md, "Party access codes")."""

    __tablename__ = "web_party_access"
    __table_args__ = (UniqueConstraint("case_number", "code_id", name="uq_web_party_access_case_code_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    case_number: Mapped[str] = mapped_column(String(60), index=True)  # canonical 案号
    party_role: Mapped[str] = mapped_column(String(30))  # applicant | debtor | interested_party
    party_name: Mapped[str] = mapped_column(String(100))
    party_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # procedure_parties.id when registered
    code_hash: Mapped[str] = mapped_column(String(300))
    code_id: Mapped[str | None] = mapped_column(String(8), nullable=True)  # the code's first group, not secret
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    issued_by: Mapped[str] = mapped_column(String(100), default="")


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "web_api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class DenialMinute(Base):
    """Refused requests of one user in one minute: the first is a ``web.denied`` ledger entry, the rest only
    counted here, and the count goes to the ledger as one ``web.denied_repeated`` entry when the minute is over."""

    __tablename__ = "web_denial_minutes"

    actor: Mapped[str] = mapped_column(String(100), primary_key=True)
    minute: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=1)
    court_code: Mapped[str] = mapped_column(String(20), default="")
    summarized: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginThrottle(Base):
    """Failed sign-ins counted per key (``account:<name>``, ``address:<ip>``, ``party:<access id>``): each failure
    past the free ones makes the next attempt wait longer; nothing locks an account for good."""

    __tablename__ = "web_login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class WebJob(Base):
    """A long-running job started from a page (batch quote, bulk publish): progress and result file."""

    __tablename__ = "web_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    court_code: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued | running | done | failed
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    result_name: Mapped[str] = mapped_column(String(200), default="")
    result_path: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
