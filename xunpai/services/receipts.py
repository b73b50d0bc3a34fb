"""What a printed quote result shows, read back from its ledger entry by the verification code (校验码).

The code is the inquiry service's ``ledger.verification_code`` of the quote's ledger entry. The judge's
result page and PDF are rebuilt from the entry (one source of truth: what the ledger recorded is what is
printed). The public check recomputes the entry's hash, so an entry edited in the database no longer
verifies, and shows what was quoted — the unit, the price, the table version and the time — and nothing
about who asked or for which case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

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
