"""What a printed quote result shows, read back from its ledger entry by the verification code (校验码).

The code is the inquiry service's ``ledger.verification_code`` of the quote's ledger entry. The judge's
result page and PDF are rebuilt from the entry (one source of truth: what the ledger recorded is what is
printed). The public check recomputes the entry's hash, so an entry edited in the database no longer
verifies, and shows what was quoted — the unit, the price, the table version and the time — and nothing
about who asked or for which case.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from xunpai.storage import ledger
from xunpai.storage.models.ledger import LedgerEntry
from xunpai.storage.repositories import accounts as accounts_repo
from xunpai.storage.unit_of_work import UnitOfWork

QUOTE_KIND = "inquiry.quote"
PUBLIC_FIELDS = ("address", "building_id", "floor_low", "floor_high", "total_floors", "orientation", "area",
                 "contract_date", "valuation_date", "unit_price", "total_price", "version", "method")


def find(uow: UnitOfWork, code: str) -> LedgerEntry | None:
    with uow:
        session = uow.session
        entry = ledger.find_by_verification_code(session, code)
        if entry is None or entry.kind != QUOTE_KIND:
            return None
        return entry


def detail(uow: UnitOfWork, code: str) -> dict | None:
    """The quote as recorded: inputs, result, case number, purpose, who and when."""
    with uow:
        session = uow.session
        entry = find(uow, code)
        if entry is None:
            return None
        payload = json.loads(entry.payload)
        actor_name = accounts_repo.display_name_of(session, entry.actor)
        return {"code": ledger.verification_code(entry.hash), "ledger_seq": entry.seq,
                "case_number": entry.case_number, "purpose": entry.purpose, "actor": entry.actor,
                "actor_name": actor_name or entry.actor, "court_code": entry.court_code,
                "queried_at": entry.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
                "inputs": payload.get("inputs", {}), "result": payload.get("result", {})}


def is_intact(entry: LedgerEntry) -> bool:
    recomputed = ledger.entry_hash(entry.prev_hash, entry.seq, entry.recorded_at, entry.kind, entry.actor,
                                   entry.court_code, entry.case_number, entry.purpose, entry.payload)
    return recomputed == entry.hash


@dataclass(frozen=True)
class PublicCheck:
    code: str
    found: bool
    intact: bool = False
    quoted: dict | None = None
    recorded_at: str = ""
    court_code: str = ""
    ledger_seq: int | None = None


def check(uow: UnitOfWork, code: str) -> PublicCheck:
    """What the public verification page shows for a code."""
    with uow:
        entry = find(uow, code)
        if entry is None:
            return PublicCheck(code=(code or "").strip().upper(), found=False)
        result = json.loads(entry.payload).get("result", {})
        return PublicCheck(code=ledger.verification_code(entry.hash), found=True, intact=is_intact(entry),
                           quoted={key: result.get(key) for key in PUBLIC_FIELDS},
                           recorded_at=entry.recorded_at.strftime("%Y-%m-%d %H:%M:%S"), court_code=entry.court_code,
                           ledger_seq=entry.seq)


def verify_ledger(uow: UnitOfWork) -> ledger.Verification:
    """Walk the whole 台账 and name the first entry that was edited, deleted or reordered."""
    with uow:
        return ledger.verify(uow.session)


def export_ledger(uow: UnitOfWork, path, **filters) -> int:
    """Write the 台账 (or the entries of one case or court) as a spreadsheet; returns how many were written."""
    with uow:
        return ledger.export_xlsx(uow.session, path, **filters)


def ledger_entries(uow: UnitOfWork, **filters) -> list[LedgerEntry]:
    """台账 entries for the ledger page (filters and paging as ``ledger.entries``)."""
    with uow:
        return list(ledger.entries(uow.session, **filters))


# ---------------------------------------------------------------- a quote's receipt as a price result

@dataclass(frozen=True)
class QuoteReceipt:
    """What any valuation receipt in the ledger says as a price result: its value in fen, who issued it (the
    table it was priced on), the day it was issued, the case it was asked in; ``intact`` once the entry's hash
    recomputes (an edited entry is no basis for a reference price)."""

    code: str
    kind: str
    value_fen: int
    issuer: str
    issued_on: date
    valuation_date: date | None
    case_number: str
    court_code: str
    subject: str
    intact: bool
    ledger_seq: int


@dataclass(frozen=True)
class _Reader:
    value_key: str
    issuer: Callable[[dict], str]
    subject: Callable[[dict], str]


_READERS: dict[str, _Reader] = {}


def register_quote_receipt(kind: str, *, value_key: str, issuer: Callable[[dict], str],
                           subject: Callable[[dict], str]) -> None:
    """Make a ledger kind readable as a price result: ``value_key`` names the result's value in yuan (a decimal
    string), ``issuer`` and ``subject`` read the issuing table and what was valued from the result."""
    _READERS[kind] = _Reader(value_key, issuer, subject)


register_quote_receipt(QUOTE_KIND, value_key="total_price",
                       issuer=lambda r: f"计税基准价即时询价（基准表 {r.get('version') or '—'}）",
                       subject=lambda r: f"{r.get('address') or r.get('building_id') or ''}".strip())
register_quote_receipt("vehicle.quote", value_key="value",
                       issuer=lambda r: f"车辆估价（估价表 {r.get('version') or '—'}）",
                       subject=lambda r: str(r.get("name") or r.get("registration") or ""))


def quote_receipt(uow: UnitOfWork, code: str) -> QuoteReceipt | None:
    """The price result of a receipt by its verification code, for any registered kind; None if none."""
    with uow:
        entry = ledger.find_by_verification_code(uow.session, code)
        if entry is None or entry.kind not in _READERS:
            return None
        reader = _READERS[entry.kind]
        result = json.loads(entry.payload).get("result", {})
        try:
            value_fen = int((Decimal(str(result[reader.value_key])) * 100).quantize(Decimal(1), ROUND_HALF_UP))
        except (KeyError, InvalidOperation):
            return None
        valuation = result.get("valuation_date")
        return QuoteReceipt(ledger.verification_code(entry.hash), entry.kind, value_fen, reader.issuer(result),
                            entry.recorded_at.date(), date.fromisoformat(valuation) if valuation else None,
                            entry.case_number, entry.court_code, reader.subject(result), is_intact(entry), entry.seq)


def case_quote_receipts(uow: UnitOfWork, case_number: str) -> list[QuoteReceipt]:
    """The quote receipts asked within a case, newest first (a 定向询价 result is chosen from them)."""
    with uow:
        found = []
        for entry in ledger.entries(uow.session, case_number=case_number, newest_first=True, limit=200):
            if entry.kind in _READERS:
                receipt = quote_receipt(uow, ledger.verification_code(entry.hash))
                if receipt is not None:
                    found.append(receipt)
        return found
