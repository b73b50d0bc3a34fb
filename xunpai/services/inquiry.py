"""The inquiry service (询价): who may ask, within which limits, and the ledger entry of every answer.

Each call is one unit of work that commits on its own: a quote and its ledger entry together, or a
refusal and its ledger entry (Wenling's rule: every query, and every refused query, is traceable).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from threading import Lock

import pandas as pd

from auction.case_number import InvalidCaseNumber
from auction.case_number import parse as parse_case_number
from auction.case_number import validate as validate_case_number
from tax_baseline.batch import future_contract_date, price_batch
from tax_baseline.limits import (
    InquiryPolicy,
    LimitRefused,
    check_count,
    check_hours,
    check_zone,
    zone_allowed,
)
from tax_baseline.quote import QuoteEngine, QuoteError, QuoteRequest, QuoteResult
from xunpai.services import baseline as baseline_store
from xunpai.storage import ledger
from xunpai.storage.models.accounts import User
from xunpai.storage.repositories import accounts as accounts_repo
from xunpai.storage.repositories import baseline as baseline_repo
from xunpai.storage.unit_of_work import UnitOfWork

# What counts against the day's limit: a quote once, a batch once per row (vehicles: services/vehicles.py).
SINGLE_KINDS = ("inquiry.quote", "vehicle.quote")
BATCH_KINDS = ("inquiry.batch", "vehicle.batch")
COUNTED_KINDS = SINGLE_KINDS + BATCH_KINDS
DEFAULT_POLICY = dict(daily_count=50, hour_from=8, hour_to=18)

_engines: dict[tuple, QuoteEngine] = {}
_engines_lock = Lock()


class InquiryRefused(Exception):
    """A refused query (limit, case number, purpose, or an input the quote cannot price).

    ``reason`` is the Chinese message for the user; ``limit`` names the limit when one was hit;
    ``candidates`` carries address candidates when the address was not unique.
    """

    def __init__(self, reason: str, *, limit: str | None = None, candidates: list | None = None,
                 code: str = "refused"):
        super().__init__(reason)
        self.reason = reason
        self.limit = limit
        self.candidates = candidates or []
        self.code = code
        self.ledger_seq: int | None = None


@dataclass(frozen=True)
class Inquiry:
    """An answered query: the quote, its place in the ledger and the code printed on the result."""

    result: QuoteResult
    ledger_seq: int
    verification_code: str
    case_number: str
    purpose: str
    user: str
    recorded_at: datetime


def active_engine(uow: UnitOfWork) -> QuoteEngine:
    """The quote engine for the active table version, compiled once per version.

    The cache key is the version's id, name and creation time together: a database that was emptied and
    refilled (a restored backup, a test) may give a new version an old id, and must not get old tables.
    """
    with uow:
        return _active_engine(uow)


def policy_for(uow: UnitOfWork, user: User) -> InquiryPolicy:
    """The user's limits: their own row, with the court's zones when they have no zones of their own."""
    with uow:
        return _policy_for(uow.session, user)


def used_today(uow: UnitOfWork, user: User, now: datetime) -> int:
    """How many units the user had priced today (a quote counts once, a batch once per row)."""
    with uow:
        return _used_today(uow.session, user, now)


# The quote's own steps run inside its block without nested blocks of their own (no savepoint per step).

_ASK = object()


def _active_engine(uow: UnitOfWork, version=_ASK) -> QuoteEngine:
    """The compiled engine of the active version (``version``: its key when the caller read it already)."""
    if version is _ASK:
        version = baseline_repo.active_version_key(uow.session)
    if version is None:
        baseline_store.get_version(uow)  # raises the user-facing message
    key = (version.id, version.name, version.created_at)
    with _engines_lock:
        engine = _engines.get(key)
    if engine is None:
        tables = baseline_store.load_version(uow, version.name)
        engine = QuoteEngine(tables, version=version.name)
        with _engines_lock:
            _engines.clear()  # one active version at a time
            _engines[key] = engine
    return engine


#: The one line every quote screen shows beside the dates (CLI, batch, web).
CONTRACT_DATE_NOTE = ("立契时间：不动产权证或买卖合同上的取得日期，决定适用哪一期基准价；估价时点：价格所对应的日期，"
                      "不填时为询价当日，价格指数滚动到该日。")


def _policy_for(session, user: User) -> InquiryPolicy:
    limit, court_zones = accounts_repo.limit_and_court_zones(session, user.id)
    return _policy(limit, court_zones)


def _policy(limit, court_zones) -> InquiryPolicy:
    zones = (limit.allowed_zones if limit and limit.allowed_zones else court_zones) or []
    if limit is None:
        return InquiryPolicy(frozenset(zones), **DEFAULT_POLICY)
    return InquiryPolicy(frozenset(zones), limit.daily_count, limit.hour_from, limit.hour_to)


def _used_today(session, user: User, now: datetime) -> int:
    return accounts_repo.units_counted_since(session, user.username, SINGLE_KINDS, BATCH_KINDS,
                                             datetime.combine(now.date(), time.min))


def court_of(user: User, case_number: str) -> str:
    """The court a quote belongs to: the user's, or, for an administrator (no court) at the command line, the
    court of the case (its code is part of the 案号): a quote always has a court, and only that court's judges
    read it."""
    if user.court_code:
        return user.court_code
    try:
        return parse_case_number(case_number).court_code
    except InvalidCaseNumber:
        return ""


def _inputs(request: QuoteRequest) -> dict:
    return {"building_id": request.building_id, "address": request.address, "floor": str(request.floor),
            "orientation": request.orientation, "area": str(request.area),
            "contract_date": request.contract_date, "valuation_date": request.valuation_date,
            "factors": dict(request.factors or {})}


def refuse(uow: UnitOfWork, user: User, case_number: str, purpose: str, inputs: dict, reason: str,
           now: datetime, *, kind: str = "inquiry.refused", **details) -> InquiryRefused:
    """Roll back the refused attempt and write the refusal itself to the ledger (``kind``: the flat's
    ``inquiry.refused``, or another valuation's own refusal kind); the returned error carries its 台账 number."""
    uow.rollback()  # nothing of the refused attempt is kept; the refusal itself is
    entry = ledger.append(uow.session, kind, {"inputs": inputs, "reason": reason,
                                                       **{k: v for k, v in details.items() if k != "candidates"}},
                          actor=user.username, court_code=court_of(user, case_number), case_number=case_number,
                          purpose=purpose, recorded_at=now)
    uow.commit()
    refused = InquiryRefused(reason, **details)
    refused.ledger_seq = entry.seq  # the refusal's own 台账 entry, shown to the user
    return refused


def checked_case(uow, user, case_number, purpose, inputs, now, *, kind: str = "inquiry.refused",
                 purpose_example: str = "执行案件财产处置询价", forbidden: str = "只有执行法官可以询价。") -> str:
    """The 案号 (canonical form), the purpose and the role of a valuation request; each refusal in the ledger."""
    try:
        canonical = validate_case_number(case_number)
    except InvalidCaseNumber as exc:
        raise refuse(uow, user, str(case_number or ""), purpose, inputs, str(exc), now, kind=kind,
                     code="invalid_case_number") from None
    if not (purpose or "").strip():
        raise refuse(uow, user, canonical, "", inputs, f"请填写查询用途（如：{purpose_example}）。", now, kind=kind,
                     code="missing_purpose")
    if user.role not in ("judge", "admin"):
        raise refuse(uow, user, canonical, purpose, inputs, forbidden, now, kind=kind, code="forbidden")
    return canonical


@contextmanager
def _refusals(uow, user, case_number, purpose, inputs, now) -> Iterator[None]:
    """Turn a limit that was hit, an input the quote cannot price and missing tables into a logged refusal."""
    try:
        yield
    except LimitRefused as exc:
        raise refuse(uow, user, case_number, purpose, inputs, exc.message, now, limit=exc.limit,
                      code="limit") from None
    except QuoteError as exc:
        raise refuse(uow, user, case_number, purpose, inputs, str(exc), now, code=exc.code,
                      candidates=getattr(exc, "candidates", None)) from None
    except baseline_store.VersionError as exc:
        raise refuse(uow, user, case_number, purpose, inputs, str(exc), now, code="no_tables") from None


def quote_for_user(uow: UnitOfWork, user: User | int, request: QuoteRequest, *, case_number: str, purpose: str,
                   now: datetime | None = None, context: accounts_repo.QuoteContext | None = None) -> Inquiry:
    """Price one unit for a judge: case number, limits, quote, ledger; or a logged refusal.

    ``context``: the user's limits, court zones and active table version as read with the account in this
    request (``accounts.signed_in`` / ``token_account``: one statement for both); without it, or for another
    user, they are read here."""
    with uow:
        session = uow.session
        user = user if isinstance(user, User) else session.get(User, user)
        now = now or ledger.now_local()
        if request.valuation_date is None:  # 估价时点: the day of the inquiry, in the CLI, the batch and the web alike
            request = replace(request, valuation_date=now.date())
        inputs = _inputs(request)
        case_number = checked_case(uow, user, case_number, purpose, inputs, now)
        if context is None or context.user_id != user.id:
            context = accounts_repo.quote_context(session, user.id)  # one statement for all three
        policy = _policy(context.limit, context.court_zones)
        if request.contract_date is not None and request.contract_date > now.date():
            raise refuse(uow, user, case_number, purpose, inputs, future_contract_date(request.contract_date, now.date()),
                          now, code="invalid_input")
        with _refusals(uow, user, case_number, purpose, inputs, now):
            engine = _active_engine(uow, context.version)
            building = engine.resolve(request)
            check_hours(policy, now)
            check_zone(policy, engine._zone_of_community[building.community_code])
            result = engine.quote(request)
            # the day's count is checked while the ledger's head is locked, so it cannot change before the entry
            entry = ledger.append(session, "inquiry.quote", {"inputs": inputs, "result": result.to_dict()},
                                  actor=user.username, court_code=court_of(user, case_number), case_number=case_number,
                                  purpose=purpose, recorded_at=now,
                                  before_write=lambda: check_count(policy, _used_today(session, user, now)))
        result = Inquiry(result, entry.seq, ledger.verification_code(entry.hash), case_number, purpose,
                         user.username, now)
        uow.commit()
        return result


@dataclass(frozen=True)
class BatchInquiry:
    results: pd.DataFrame  # the input columns plus 楼幢编号, 单价, 总价, 状态, 原因
    ok: int
    refused: int
    ledger_seq: int
    verification_code: str


def quote_batch_for_user(uow: UnitOfWork, user: User | int, units: pd.DataFrame, *, case_number: str, purpose: str,
                         now: datetime | None = None, source_name: str = "", progress=None) -> BatchInquiry:
    """Price a whole file for a judge; each row counts as one query against the day's limit (a file with more rows
    than remain is refused, saying how many remain), every row gets a status and reason.

    Three steps, no transaction held while the rows are priced (a million rows take minutes; on SQLite a
    transaction holds the database's only write lock, and every other user's sign-in, quote and page that writes
    would wait for it): the checks in a short block under the ledger's lock; the pricing outside any block (the
    progress callback commits its own short writes); the entry in a second short block, which checks the count
    again under the lock, so two batches started together cannot pass the limit between them."""
    if uow.depth:
        raise RuntimeError("a batch inquiry runs outside any other `with uow:` block")
    now = now or ledger.now_local()
    rows = max(1, int(len(units)))
    inputs = {"file": source_name, "rows": int(len(units))}
    with uow:
        session = uow.session
        user = user if isinstance(user, User) else session.get(User, user)
        case_number = checked_case(uow, user, case_number, purpose, inputs, now)
        policy = _policy_for(session, user)
        with _refusals(uow, user, case_number, purpose, inputs, now):
            engine = _active_engine(uow)
            ledger.lock(session)
            check_hours(policy, now)
            check_count(policy, _used_today(session, user, now), requested=rows)
        username = user.username
    # the check block ends here without a write: its lock is released while the rows are priced
    results = price_batch(engine, units, progress=progress, today=now.date(), valuation_default=now.date(),
                          zone_filter=lambda zone: zone_allowed(policy, zone))
    ok = int((results["状态"] == "成功").sum())
    digest = hashlib.sha256(results.to_csv(index=False).encode("utf-8")).hexdigest()
    total_value = sum((Decimal(v) for v in results.loc[results["状态"] == "成功", "总价(元)"]), Decimal(0))
    with uow:
        session = uow.session
        user = accounts_repo.user_by_username(session, username)
        with _refusals(uow, user, case_number, purpose, inputs, now):
            ledger.lock(session)  # the count again, now that the entry is written under the same lock
            check_count(policy, _used_today(session, user, now), requested=rows)
        entry = ledger.append(session, "inquiry.batch",
                              {**inputs, "ok": ok, "refused": int(len(results) - ok), "result_sha256": digest,
                               "total_value": str(total_value), "version": engine.version},
                              actor=user.username, court_code=court_of(user, case_number), case_number=case_number,
                              purpose=purpose, recorded_at=now)
        result = BatchInquiry(results, ok, int(len(results) - ok), entry.seq, ledger.verification_code(entry.hash))
        uow.commit()
        return result


def find_building(uow: UnitOfWork, *, building_id: str = "", address: str = "") -> tuple[str, str] | None:
    """The baseline tables' building (楼幢编号, its address) for a property's building id or address, when the
    active tables have it (a case's flat is linked to them); None when they do not or none is active."""
    if not (building_id or address).strip():
        return None
    with uow:
        try:
            engine = _active_engine(uow)
            building = engine.resolve(QuoteRequest(floor=1, area=1, contract_date=date.today(),
                                                   building_id=building_id.strip() or None,
                                                   address=address.strip() or None))
        except (QuoteError, baseline_store.VersionError):
            return None
        return str(building.building_id), str(getattr(building, "address", "") or address)
