"""May this actor write this court's record: the one rule every write path goes through (web form, JSON API,
command line, background job, every row of an uploaded sheet).

The actor is named by its user name (what every service already takes as ``actor`` and records in the ledger).
An actor that is an account is checked: it must be active, have one of the roles the write allows, and a judge
or clerk writes only records of their own court (the court code is part of the case number, RULES.md section 8).
A name that is no account is the operator of the server's command line (``--actor`` defaults to the login name
of whoever runs ``xunpai``; they hold the database itself) and is recorded as such, not refused.

A refusal is written to the ledger once, as ``web.denied`` with the rows it concerns, in a transaction of its own
(the refused work is rolled back first), and raised as ``WriteRefused`` with a Chinese message. Services call
``require`` (one record) or ``refused_rows`` (the rows of a sheet) at the top of their own block, before they
write, so the entry survives the refusal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xunpai.storage import ledger
from xunpai.storage.models.accounts import ROLE_NAMES
from xunpai.storage.repositories import accounts as accounts_repo
from xunpai.storage.unit_of_work import UnitOfWork

ledger.register_kind("web.denied", "越权访问被拒绝")

COURT_STAFF = ("judge", "clerk")
LOT_WRITERS = ("clerk",)  # who writes lots and their publications (the clerks' pages; judges decide, admins manage)


class WriteRefused(PermissionError):
    """The actor may not write this record (message in Chinese); nothing was changed and the refusal is in the
    ledger. ``rows``: (row number or None, Chinese reason) of each refused row."""

    def __init__(self, message: str, rows: Sequence[tuple[int | None, str]] = ()):
        self.rows = list(rows)
        super().__init__(message)


@dataclass(frozen=True)
class Acting:
    """Who is writing: an account (role and court from the database) or the command line's operator (no role)."""

    username: str
    role: str | None
    court_code: str | None
    active: bool = True

    @property
    def is_account(self) -> bool:
        return self.role is not None


def acting(uow: UnitOfWork, actor: str) -> Acting:
    """Who ``actor`` is (read in the caller's block, or in a short one of its own outside any block)."""
    if not uow.depth:
        with uow:
            return acting(uow, actor)
    user = accounts_repo.user_by_username(uow.session, actor) if actor else None
    if user is None:
        return Acting(actor, None, None)
    return Acting(user.username, user.role, user.court_code, bool(user.active))


def _roles_text(roles: Iterable[str]) -> str:
    return "或".join(ROLE_NAMES.get(r, r) for r in roles)


def reason(who: Acting, court_code: str | None, roles: Sequence[str] = COURT_STAFF) -> str:
    """Why ``who`` may not write a record of ``court_code`` ("" when they may)."""
    if not who.is_account:
        return ""
    if not who.active:
        return f"账户“{who.username}”已停用，不能修改任何记录"
    if who.role not in roles:
        return f"{ROLE_NAMES.get(who.role, who.role)}无权进行此项操作（应为{_roles_text(roles)}）"
    if who.role in COURT_STAFF and (court_code or "") != (who.court_code or ""):
        return f"该记录属于法院 {court_code or '（无）'}，只能操作本院（{who.court_code}）的记录"
    return ""


def record_refusal(uow: UnitOfWork, who: Acting, what: str, rows: Sequence[tuple[int | None, str, str]]) -> None:
    """One ``web.denied`` entry for a refused write: ``rows`` are (row number or None, record's court, reason).

    Called by a service at the top of its own block (or outside any block): the refused write's changes are
    rolled back and the entry committed at once, so the refusal raised next leaves it in the ledger. Inside a
    caller's block (a nested service call) the entry goes with the caller's transaction."""
    if not uow.depth:
        with uow:
            record_refusal(uow, who, what, rows)
        return
    uow.rollback()  # nothing the refused write did is kept
    ledger.append(uow.session, "web.denied",
                  {"reason": "court_write", "what": what, "role": who.role or "", "detail": rows[0][2],
                   "rows": [{"row": n, "court_code": c, "reason": r} for n, c, r in rows]},
                  actor=who.username, court_code=who.court_code or "")
    uow.commit()


def require(uow: UnitOfWork, actor: str, court_code: str | None, *, what: str,
            roles: Sequence[str] = COURT_STAFF) -> Acting:
    """Refuse (ledger entry, ``WriteRefused``) unless ``actor`` may write ``what`` of ``court_code``."""
    who = acting(uow, actor)
    why = reason(who, court_code, roles)
    if why:
        record_refusal(uow, who, what, [(None, court_code or "", why)])
        raise WriteRefused(f"无权{what}：{why}。此次操作已记入台账，未做任何修改。")
    return who


def refused_rows(uow: UnitOfWork, actor: str, rows: Iterable[tuple[int, str]], *, what: str,
                 roles: Sequence[str] = COURT_STAFF) -> list[tuple[int, str]]:
    """The rows (row number, record's court) ``actor`` may not write, as (row number, Chinese reason); a non-empty
    answer has been written to the ledger once (one ``web.denied`` entry naming every refused row)."""
    who = acting(uow, actor)
    out = [(n, c, why) for n, c in rows if (why := reason(who, c, roles))]
    if out:
        record_refusal(uow, who, what, out)
    return [(n, why) for n, _c, why in out]
