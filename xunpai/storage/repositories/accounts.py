"""What the accounts and inquiry services read and write: users, courts, inquiry limits, party access codes, API
tokens (``xunpai.services.accounts``, ``xunpai.services.inquiry``, ``xunpai.services.receipts``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Row, Text, bindparam, cast, delete, func, literal_column, null, or_, select, union_all
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from xunpai.storage.models.accounts import Court, InquiryLimit, User
from xunpai.storage.models.baseline import TableVersion
from xunpai.storage.models.ledger import LedgerEntry
from xunpai.storage.models.procedure import ProcedureCase, ProcedureParty
from xunpai.storage.models.web import ApiToken, DenialMinute, LoginThrottle, PartyAccess
from xunpai.storage.prepared import Prepared


def user_by_username(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def user_by_id(session: Session, user_id: int) -> User | None:
    """The account with this id: from the session's identity map when loaded already (as ``session.get``), else
    by one statement built once (``session.get`` builds its own at every call; every signed-in page asks)."""
    user = session.identity_map.get(identity_key(User, user_id))
    if user is not None:
        return user
    return session.execute(_USER_BY_ID, {"user_id": user_id}).scalar_one_or_none()


_USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


def username_taken(session: Session, username: str) -> bool:
    return session.execute(select(User.id).where(User.username == username)).first() is not None


def display_name_of(session: Session, username: str) -> str | None:
    return session.execute(select(User.display_name).where(User.username == username)).scalar()


def staff_users(session: Session) -> list[User]:
    """Every account but the parties', by court and user name."""
    return list(session.execute(select(User).where(User.role != "party")
                                .order_by(User.court_code, User.username)).scalars())


def user_for_token_digest(session: Session, digest: str, now: datetime) -> User | None:
    """The active account whose unrevoked API token has this SHA-256 and has not expired at ``now`` (every API
    request asks: the statement is built once)."""
    return session.execute(_USER_FOR_TOKEN, {"digest": digest, "now": now}).scalar_one_or_none()


_TOKEN_IS_VALID = (ApiToken.token_sha256 == bindparam("digest"), ApiToken.revoked.is_(False), User.active.is_(True),
                   ApiToken.expires_at > bindparam("now"))
_USER_FOR_TOKEN = select(User).join(ApiToken, ApiToken.user_id == User.id).where(*_TOKEN_IS_VALID)


def user_and_quote_context_for_token_digest(session: Session, digest: str, now: datetime
                                            ) -> tuple[User, QuoteContext] | None:
    """``user_for_token_digest`` and the account's ``quote_context`` in one statement (every API request asks:
    the request that quotes then reads neither again)."""
    return _user_and_context(session, _USER_AND_CONTEXT_FOR_TOKEN, {"digest": digest, "now": now})


def user_and_quote_context_by_id(session: Session, user_id: int) -> tuple[User, QuoteContext] | None:
    """The account with this id (``user_by_id``, without the identity map: the statement reads the context too)
    and its ``quote_context``, in one statement (every signed-in page asks)."""
    return _user_and_context(session, _USER_AND_CONTEXT_BY_ID, {"user_id": user_id})


def _user_and_context(session: Session, statement: Prepared, params: dict) -> tuple[User, QuoteContext] | None:
    """The account of a Core row, made a loaded object of ``session`` as the ORM's own load would (the object
    already in its identity map is kept as it is, as the ORM keeps it), and the context of the row's remaining
    columns. The ORM's execution of the same statement costs a third of the request's CPU more than this."""
    session.flush()  # as the ORM's autoflush: pending changes of this session are what the statement reads
    rows = statement.rows(session.connection(), params)
    if not rows:
        return None
    row = rows[0]
    user_id = row[0]
    user = session.identity_map.get(identity_key(User, user_id))
    if user is None:
        user = _USER_CLASS.new_instance()
        for name, value in zip(_USER_ATTRIBUTES, row, strict=False):
            set_committed_value(user, name, value)
        make_transient_to_detached(user)
        session.add(user)  # persistent, nothing to write: as loaded
    return user, _context_of(user_id, row[len(_USER_ATTRIBUTES):])


def api_tokens(session: Session, user_id: int | None) -> list[tuple[ApiToken, User]]:
    """Tokens with their accounts, newest first (one account's, or every one's with ``user_id`` None)."""
    query = select(ApiToken, User).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id.desc())
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return [(t, u) for t, u in session.execute(query)]


def case_party_by_id_number(session: Session, case_number: str, id_number: str) -> ProcedureParty | None:
    """The party or interested party registered in the case under that ID number."""
    return session.execute(
        select(ProcedureParty).join(ProcedureCase, ProcedureCase.id == ProcedureParty.case_id)
        .where(ProcedureCase.case_number == case_number, ProcedureParty.id_number == id_number)
    ).scalar_one_or_none()


def party_access_by_code_id(session: Session, case_number: str, code_id: str) -> tuple[PartyAccess, User] | None:
    """The party access of a case whose code begins with ``code_id`` (its non-secret first group)."""
    row = session.execute(
        select(PartyAccess, User).join(User, User.id == PartyAccess.user_id)
        .where(PartyAccess.case_number == case_number, PartyAccess.code_id == code_id)).first()
    return tuple(row) if row is not None else None


def legacy_party_accesses_of_case(session: Session, case_number: str) -> list[tuple[PartyAccess, User]]:
    """A case's party accesses issued before codes carried their record's identifier."""
    return [tuple(row) for row in session.execute(
        select(PartyAccess, User).join(User, User.id == PartyAccess.user_id)
        .where(PartyAccess.case_number == case_number, PartyAccess.code_id.is_(None)))]


def earlier_accesses_of_party(session: Session, case_number: str, *, party_id: int | None, party_role: str,
                              party_name: str) -> list[tuple[PartyAccess, User]]:
    """The access codes issued earlier to the same party of a case: the registered party (``party_id``), or one
    unregistered party known by its role and name."""
    query = select(PartyAccess, User).join(User, User.id == PartyAccess.user_id).where(
        PartyAccess.case_number == case_number)
    if party_id is not None:
        query = query.where(PartyAccess.party_id == party_id)
    else:
        query = query.where(PartyAccess.party_id.is_(None), PartyAccess.party_role == party_role,
                            PartyAccess.party_name == party_name)
    return [tuple(row) for row in session.execute(query)]


def party_code_id_taken(session: Session, case_number: str, code_id: str) -> bool:
    return session.execute(select(PartyAccess.id).where(PartyAccess.case_number == case_number,
                                                        PartyAccess.code_id == code_id)).first() is not None


def party_accesses_of_user(session: Session, user_id: int) -> list[PartyAccess]:
    return list(session.execute(select(PartyAccess).where(PartyAccess.user_id == user_id)).scalars())


def all_party_accesses(session: Session) -> list[tuple[PartyAccess, User]]:
    """Every party access code with its account, by case number."""
    return [tuple(row) for row in session.execute(
        select(PartyAccess, User).join(User, User.id == PartyAccess.user_id).order_by(PartyAccess.case_number))]


def all_courts(session: Session) -> list[Court]:
    return list(session.execute(select(Court).order_by(Court.code)).scalars())


def limit_and_court_zones(session: Session, user_id: int) -> tuple[Row | None, list | None]:
    """The user's own inquiry limits (None when they have none: a row with ``allowed_zones``, ``daily_count``,
    ``hour_from``, ``hour_to``) and the zones of their court. Asked by every quote: one Core statement built
    once, on the session's connection (no ORM entity to build)."""
    context = quote_context(session, user_id)
    return context.limit, context.court_zones


class QuoteContext(NamedTuple):
    """What a quote reads before it locks the ledger, for one account: its own inquiry limits (None when it has
    none: a row with ``allowed_zones``, ``daily_count``, ``hour_from``, ``hour_to``), the zones of its court, and
    the active table version's key (as ``baseline.active_version_key``: ``id``, ``name``, ``created_at``; None
    when no version is active)."""

    user_id: int
    limit: Row | None
    court_zones: list | None
    version: _VersionKey | None


def quote_context(session: Session, user_id: int) -> QuoteContext:
    """The account's ``QuoteContext``, in one statement (all None for an unknown account)."""
    session.flush()  # a limit changed in this session but not yet written is what counts (as the ORM's autoflush)
    row = session.connection().execute(_LIMIT_AND_COURT_ZONES, {"user_id": user_id}).first()
    if row is None:
        return QuoteContext(user_id, None, None, None)
    return _context_of(user_id, tuple(row))


class _Limit(NamedTuple):
    allowed_zones: list | None
    daily_count: int
    hour_from: int
    hour_to: int


def _context_of(user_id: int, values: tuple) -> QuoteContext:
    """The context of the values of ``_CONTEXT_COLUMNS``."""
    has_limit, allowed_zones, daily_count, hour_from, hour_to, court_zones, version_id, version_name, \
        version_created_at = values
    version = _VersionKey(version_id, version_name, version_created_at) if version_id is not None else None
    limit = _Limit(allowed_zones, daily_count, hour_from, hour_to) if has_limit else None
    return QuoteContext(user_id, limit, court_zones, version)


class _VersionKey(NamedTuple):
    id: int
    name: str
    created_at: datetime


_limits, _courts, _users = InquiryLimit.__table__, Court.__table__, User.__table__
_versions, _tokens = TableVersion.__table__, ApiToken.__table__
_CONTEXT_COLUMNS = (
    (_limits.c.user_id.is_not(None)).label("has_limit"), _limits.c.allowed_zones, _limits.c.daily_count,
    _limits.c.hour_from, _limits.c.hour_to, _courts.c.zones.label("court_zones"),
    _versions.c.id.label("version_id"), _versions.c.name.label("version_name"),
    _versions.c.created_at.label("version_created_at"))
# The account's columns, its id first, in the order of its mapped attributes (``_user_and_context``).
_USER_CLASS = User.__mapper__.class_manager
_USER_PROPERTIES = sorted(User.__mapper__.column_attrs, key=lambda prop: prop.key != "id")
_USER_ATTRIBUTES = tuple(prop.key for prop in _USER_PROPERTIES)
_USER_COLUMNS = tuple(prop.columns[0] for prop in _USER_PROPERTIES)


def _with_context(users):
    """``users`` (the users table, or a join of it) with the outer joins the context's columns come from."""
    return (users.outerjoin(_limits, _limits.c.user_id == _users.c.id)
            .outerjoin(_courts, _courts.c.code == _users.c.court_code)
            .outerjoin(_versions, _versions.c.status == "active"))


_LIMIT_AND_COURT_ZONES = (select(*_CONTEXT_COLUMNS).select_from(_with_context(_users))
                          .where(_users.c.id == bindparam("user_id")))
_USER_AND_CONTEXT_BY_ID = Prepared(select(*_USER_COLUMNS, *_CONTEXT_COLUMNS).select_from(_with_context(_users))
                                   .where(_users.c.id == bindparam("user_id")))
_USER_AND_CONTEXT_FOR_TOKEN = Prepared(
    select(*_USER_COLUMNS, *_CONTEXT_COLUMNS)
    .select_from(_with_context(_users.join(_tokens, _tokens.c.user_id == _users.c.id)))
    .where(*_TOKEN_IS_VALID))


def entries_counted_since(session: Session, actor: str, kinds: tuple[str, ...], start: datetime) -> int:
    """How many ledger entries of these kinds the user made since ``start`` (by the index on actor and time)."""
    session.flush()
    return session.connection().execute(_COUNTED_SINCE, {"actor": actor, "kinds": list(kinds), "start": start}
                                        ).scalar_one()


_entries = LedgerEntry.__table__
_COUNTED_SINCE = select(func.count(_entries.c.id)).where(
    _entries.c.actor == bindparam("actor"), _entries.c.kind.in_(bindparam("kinds", expanding=True)),
    _entries.c.recorded_at >= bindparam("start"))


def units_counted_since(session: Session, actor: str, kinds: tuple[str, ...], batch_kinds: tuple[str, ...],
                        start: datetime) -> int:
    """The units the user had priced since ``start``: one per entry of ``kinds``, the ``rows`` of each entry of
    ``batch_kinds`` (their payload's row count). Every quote asks, with the ledger's head locked: one Core
    statement (the count and the batches' payloads together, by the index on actor and time), built once per
    pair of kind lists, on the session's connection."""
    if not (kinds or batch_kinds):
        return 0
    session.flush()  # an entry added in this session but not yet written counts (as the ORM's autoflush)
    statement = _UNITS_SINCE.get((kinds, batch_kinds))
    if statement is None:
        statement = _UNITS_SINCE.setdefault((kinds, batch_kinds), Prepared(_units_since(kinds, batch_kinds)))
    single = rows = 0
    for is_batch, count, payload in statement.rows(session.connection(), {"actor": actor, "start": start}):
        if not is_batch:
            single += count
            continue
        try:
            rows += max(1, int(json.loads(payload).get("rows", 1)))
        except (ValueError, TypeError, AttributeError):
            rows += 1
    return single + rows


def _kind_is(kinds: tuple[str, ...]):
    # equalities, not IN: an IN list is expanded into the SQL at every execution; these are plain parameters
    return or_(*(_entries.c.kind == kind for kind in kinds))


def _units_since(kinds: tuple[str, ...], batch_kinds: tuple[str, ...]):
    since = (_entries.c.actor == bindparam("actor"), _entries.c.recorded_at >= bindparam("start"))
    parts = []
    if kinds:  # one row: (0, the count, NULL)
        parts.append(select(literal_column("0").label("is_batch"), func.count(_entries.c.id).label("n"),
                            cast(null(), Text).label("payload")).where(*since, _kind_is(kinds)))
    if batch_kinds:  # one row per batch: (1, 1, its payload)
        parts.append(select(literal_column("1"), literal_column("1"), _entries.c.payload)
                     .where(*since, _kind_is(batch_kinds)))
    return parts[0] if len(parts) == 1 else union_all(*parts)


_UNITS_SINCE: dict[tuple[tuple[str, ...], tuple[str, ...]], Prepared] = {}


def throttles(session: Session, keys: list[str]) -> dict[str, LoginThrottle]:
    """The sign-in throttle rows of ``keys`` that exist, locked for update (PostgreSQL) so that concurrent failures
    count once each."""
    query = select(LoginThrottle).where(LoginThrottle.key.in_(keys))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return {row.key: row for row in session.scalars(query)}


def clear_throttles(session: Session, keys: list[str], *, account_prefix: str | None = None) -> None:
    """Forget the failures of ``keys`` (and, with ``account_prefix``, of every key starting with it)."""
    condition = LoginThrottle.key.in_(keys)
    if account_prefix:
        condition = or_(condition, LoginThrottle.key.startswith(account_prefix, autoescape=True))
    session.execute(delete(LoginThrottle).where(condition))


def denial_minute(session: Session, actor: str, minute: datetime) -> DenialMinute | None:
    query = select(DenialMinute).where(DenialMinute.actor == actor, DenialMinute.minute == minute)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalars(query).first()


def denial_minutes_to_summarize(session: Session, before: datetime) -> list[DenialMinute]:
    """Minutes before ``before`` with more refusals than their one ledger entry, not yet summarized."""
    return list(session.scalars(select(DenialMinute).where(
        DenialMinute.minute < before, DenialMinute.summarized.is_(False), DenialMinute.count > 1)
        .order_by(DenialMinute.minute, DenialMinute.actor)))


def forget_denial_minutes(session: Session, before: datetime) -> None:
    session.execute(delete(DenialMinute).where(DenialMinute.minute < before,
                                               or_(DenialMinute.summarized.is_(True), DenialMinute.count <= 1)))
