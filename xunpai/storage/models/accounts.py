"""Courts, users and the per-user inquiry limits (Wenling's safeguards, RULES.md section 1:
"limits on scope, count and time of queries")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xunpai.storage.models.base import Base

ROLES = ("judge", "clerk", "party", "admin")
ROLE_NAMES = {"judge": "执行法官", "clerk": "拍卖书记员", "party": "当事人", "admin": "管理员"}


class Court(Base):
    __tablename__ = "courts"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)  # 法院代字, e.g. 浙1081
    name: Mapped[str] = mapped_column(String(100))
    zones: Mapped[list] = mapped_column(JSON, default=list)  # 辖区内的估价分区
    policy: Mapped[dict] = mapped_column(JSON, default=dict)  # per-court policy switches


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    court_code: Mapped[str | None] = mapped_column(ForeignKey("courts.code"), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Raised on logout, password change and deactivation: a web session signed in under an older version ends.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class InquiryLimit(Base):
    """查询限制: the zones a user may query, how many quotes a day, and in which hours."""

    __tablename__ = "inquiry_limits"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    allowed_zones: Mapped[list] = mapped_column(JSON, default=list)  # empty = the court's zones
    daily_count: Mapped[int] = mapped_column(Integer, default=50)
    hour_from: Mapped[int] = mapped_column(Integer, default=8)  # first allowed hour, inclusive
    hour_to: Mapped[int] = mapped_column(Integer, default=18)  # end hour, exclusive
