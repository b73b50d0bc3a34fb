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
from pathlib import Path

from openpyxl import load_workbook

from xunpai.storage import anchor, ledger
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


@dataclass(frozen=True)
class LedgerCheck:
    """The chain walked in the database, and the database checked against every signed checkpoint."""

    chain: ledger.Verification
    anchors: anchor.AnchorCheck | None  # None: no anchoring configured for this database

    @property
    def ok(self) -> bool:
        return self.chain.ok and (self.anchors is None or self.anchors.ok)

    def message(self) -> str:
        if not self.chain.ok:
            return self.chain.message()
        if self.anchors is None:
            return self.chain.message() + "（未配置外部校验点 XUNPAI_LEDGER_ANCHOR：整条链被重算或截短时无法发现。）"
        if not self.anchors.ok:
            return f"台账校验失败：{self.anchors.problem}"
        return (f"台账完整：共 {self.chain.checked} 条记录，哈希链校验通过；{self.anchors.checkpoints} 个签名校验点全部"
                f"相符（最后一个锚定到第 {self.anchors.anchored_seq} 条）。")


def verify_ledger(uow: UnitOfWork, anchoring: anchor.Anchoring | None = None) -> LedgerCheck:
    """Walk the whole 台账, name the first entry that was edited, deleted or reordered, and check it against every
    signed checkpoint (truncation, a rewritten range, a missing head)."""
    anchoring = anchoring or anchor.anchoring_of(uow.engine)
    with uow:
        chain = ledger.verify(uow.session)
        return LedgerCheck(chain, anchor.verify(uow.session, anchoring) if anchoring is not None else None)


def checkpoint(uow: UnitOfWork, reason: str = "manual") -> anchor.Checkpoint:
    """Write a signed checkpoint of the ledger's head now (``xunpai ledger checkpoint``)."""
    anchoring = anchor.anchoring_of(uow.engine)
    if anchoring is None:
        raise anchor.AnchorError("未配置台账校验点文件（XUNPAI_LEDGER_ANCHOR 与 XUNPAI_LEDGER_KEY），不能写校验点。")
    with uow:
        return anchor.checkpoint_now(uow.session, anchoring, reason)


@dataclass(frozen=True)
class CodeCheck:
    code: str
    ok: bool
    status: str
    ledger_seq: int | None = None
    kind: str = ""


def check_codes(uow: UnitOfWork, codes: list[str]) -> list[CodeCheck]:
    """Printed verification codes (校验码) checked in bulk against the chain and its checkpoints: each is found,
    its entry's hash recomputed, its place in the chain checked, and whether a signed checkpoint vouches for it."""
    result = verify_ledger(uow)
    bad_from = result.chain.first_bad_seq if not result.chain.ok else None
    anchored = result.anchors.anchored_seq if result.anchors is not None else 0
    out = []
    with uow:
        for raw in codes:
            entry = ledger.find_by_verification_code(uow.session, raw)
            code = (raw or "").strip().upper()
            if entry is None:
                out.append(CodeCheck(code, False, "未找到：台账中没有该校验码（校验码有误，或记录已被删除）"))
                continue
            shown = ledger.verification_code(entry.hash)
            kind = ledger.KIND_NAMES.get(entry.kind, entry.kind)
            if not is_intact(entry):
                out.append(CodeCheck(shown, False, "内容被修改：记录与其哈希不符", entry.seq, kind))
            elif bad_from is not None and entry.seq >= bad_from:
                out.append(CodeCheck(shown, False, f"所在区段的哈希链断开：{result.chain.problem}", entry.seq, kind))
            elif result.anchors is not None and entry.seq <= anchored:
                out.append(CodeCheck(shown, True, "完整，已由签名校验点锚定", entry.seq, kind))
            elif result.anchors is not None and not result.anchors.ok:
                out.append(CodeCheck(shown, False, f"未通过校验点核对：{result.anchors.problem}", entry.seq, kind))
            elif result.anchors is not None:
                out.append(CodeCheck(shown, True, "完整（在最后一个校验点之后，由下一个校验点锚定）", entry.seq, kind))
            else:
                out.append(CodeCheck(shown, True, "完整（哈希链相符；未配置外部校验点）", entry.seq, kind))
    return out


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


def verify_export(uow: UnitOfWork, path: str | Path) -> tuple[bool, str]:
    """Check a 台账 export (``export_ledger``) against the anchor and the database: its checkpoint sheet is signed by
    the ledger's key and stands in the anchor file, the chain still has that head hash at that seq, and every
    exported row's hash is the entry's at its seq. Returns (ok, the Chinese finding)."""
    path = Path(path)
    anchoring = anchor.anchoring_of(uow.engine)
    if anchoring is None:
        return False, "未配置台账校验点文件（XUNPAI_LEDGER_ANCHOR），无法核对导出文件的校验点。"
    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # openpyxl raises several kinds for a file that is not a workbook
        return False, f"“{path.name}”不是可读取的 .xlsx 台账导出文件。"
    if "校验点" not in book.sheetnames or "信息查询台账" not in book.sheetnames:
        return False, f"“{path.name}”没有“校验点”工作表：不是带校验点的台账导出文件（或校验点被删去）。"
    rows = list(book["校验点"].iter_rows(min_row=2, max_row=2, values_only=True))
    line = str(rows[0][8]) if rows and len(rows[0]) > 8 and rows[0][8] else ""
    (checkpoint,) = anchor.read_lines([line]) if line else [None]
    if checkpoint is None or checkpoint.number < 0:
        return False, f"“{path.name}”的校验点原文缺失或被改动。"
    try:
        problem = anchor.check_signature(checkpoint, anchoring.public_key())
    except anchor.AnchorError as exc:
        return False, str(exc)
    if problem:
        return False, f"导出文件的{problem}"
    if line not in {c.line for c in anchor.read_checkpoints(anchoring.anchor_path)}:
        return False, f"导出文件的第 {checkpoint.number} 个校验点不在校验点文件中（校验点文件被改写或不是本台账的）。"
    exported = [(r[0], r[9]) for r in book["信息查询台账"].iter_rows(min_row=2, values_only=True) if r and r[0]]
    with uow:
        session = uow.session
        head_hash = ledger.hash_at(session, checkpoint.seq)
        if checkpoint.seq and head_hash != checkpoint.hash:
            return False, f"数据库中第 {checkpoint.seq} 条记录的哈希与导出时的校验点不符：导出后台账被改写或截短。"
        stored = ledger.hashes_at(session, [int(seq) for seq, _h in exported])
        for seq, digest in exported:
            if stored.get(int(seq)) != digest:
                return False, f"导出文件第 {seq} 条记录与数据库不符（导出文件或数据库被改动）。"
    return True, (f"导出文件与台账相符：{len(exported)} 条记录，校验点第 {checkpoint.number} 个（{checkpoint.at}，"
                  f"台账共 {checkpoint.seq} 条）签名有效且在校验点文件中。")
