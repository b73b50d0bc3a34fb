"""The ledger (信息查询台账 and audit trail): every inquiry, refusal, objection, decision, publication and
custody event is appended here, each entry carrying the hash of the previous one, so that an entry edited,
deleted or reordered directly in the database is found by ``verify`` (RULES.md section 1: 过程可溯、责任可追).

hash(n) = SHA-256 of prev_hash and the canonical JSON of (seq, recorded_at, kind, actor, court_code,
case_number, purpose, payload). Appends serialize on the single ``ledger_head`` row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session

from tax_baseline.cells import neutralize_row
from xunpai.storage import anchor
from xunpai.storage.models.ledger import LedgerEntry, LedgerHead
from xunpai.storage.prepared import Prepared
from xunpai.storage.unit_of_work import mark_written

GENESIS_HASH = "0" * 64
COURT_TIMEZONE = ZoneInfo("Asia/Shanghai")

# Chinese names of entry kinds, for the printed 台账; areas add theirs with ``register_kind``.
KIND_NAMES: dict[str, str] = {
    "inquiry.quote": "询价",
    "inquiry.batch": "批量询价",
    "inquiry.refused": "询价被拒绝",
    "tables.import": "导入基准表",
    "tables.activate": "启用基准表版本",
}


# One-line Chinese summaries of an entry's payload for the printed 台账 (the full JSON stays beside it).
SUMMARIES: dict[str, Callable[[dict], str]] = {}


def register_kind(kind: str, chinese_name: str, summary: Callable[[dict], str] | None = None) -> None:
    KIND_NAMES[kind] = chinese_name
    if summary is not None:
        SUMMARIES[kind] = summary


def _where(inputs: dict) -> str:
    return inputs.get("address") or (f"楼幢 {inputs['building_id']}" if inputs.get("building_id") else "")


def _quote_summary(payload: dict) -> str:
    r = payload.get("result", {})
    floor = r.get("floor_low") if r.get("floor_low") == r.get("floor_high") else \
        f"{r.get('floor_low')}-{r.get('floor_high')}"
    return (f"{r.get('address', '')}，第 {floor}/{r.get('total_floors')} 层，{r.get('area')} ㎡，"
            f"单价 {r.get('unit_price')} 元/㎡，总价 {r.get('total_price')} 元（基准表 {r.get('version')}）")


def _refused_summary(payload: dict) -> str:
    where = _where(payload.get("inputs", {}))
    return f"拒绝：{payload.get('reason', '')}" + (f"（{where}）" if where else "")


def _batch_summary(payload: dict) -> str:
    return (f"文件 {payload.get('file', '')}，共 {payload.get('rows')} 行，成功 {payload.get('ok')} 行，"
            f"拒绝 {payload.get('refused')} 行，总价合计 {payload.get('total_value')} 元")


SUMMARIES.update({"inquiry.quote": _quote_summary, "inquiry.refused": _refused_summary,
                  "inquiry.batch": _batch_summary})


def summary(entry: LedgerEntry) -> str:
    """The entry's one-line Chinese summary ("" when its kind has none, or its payload is not as expected)."""
    make = SUMMARIES.get(entry.kind)
    if make is None:
        return ""
    try:
        return make(json.loads(entry.payload))
    except (ValueError, TypeError, KeyError, AttributeError):
        return ""


def now_local() -> datetime:
    """The court's wall-clock time (Beijing time), naive, to the microsecond."""
    return datetime.now(COURT_TIMEZONE).replace(tzinfo=None)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot record {type(value).__name__} in the ledger")


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default)


def entry_hash(prev_hash: str, seq: int, recorded_at: datetime, kind: str, actor: str, court_code: str,
               case_number: str, purpose: str, payload: str) -> str:
    body = canonical_json([seq, recorded_at.isoformat(timespec="microseconds"), kind, actor, court_code,
                           case_number, purpose, payload])
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append(session: Session, kind: str, payload: dict[str, Any], *, actor: str = "", court_code: str = "",
           case_number: str = "", purpose: str = "", recorded_at: datetime | None = None,
           before_write: Callable[[], None] | None = None) -> LedgerEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the caller's work).

    Returns the entry as written (a detached object: read its ``seq`` and ``hash``). No ORM flush, and as few
    round trips as the database allows: the head row is locked and advanced (one statement), then the entry
    inserted and the head's hash moved on (one statement on PostgreSQL, a data-modifying WITH; two on SQLite,
    which runs in process).

    ``before_write`` runs while the head row is locked, before the entry is written: a check that must stay true
    until the entry exists (the day's count of a user's queries) runs there instead of after a ``lock()`` of its
    own, one statement fewer. If it raises, nothing is written and the caller's rollback releases the lock.
    """
    connection = session.connection()
    body = canonical_json(payload)  # before the lock: every append waits while another holds it
    # Taking the head row's write lock first makes concurrent appends queue instead of forking the chain.
    head = _ADVANCE_HEAD.rows(connection)
    if len(head) != 1:
        raise NoResultFound("the ledger's head row (ledger_head, id 1) is missing")
    seq, prev_hash = head[0]
    if before_write is not None:
        before_write()
    recorded_at = recorded_at or now_local()  # under the lock: times rise with seq
    digest = entry_hash(prev_hash, seq, recorded_at, kind, actor, court_code, case_number, purpose, body)
    values = dict(seq=seq, recorded_at=recorded_at, kind=kind, actor=actor, court_code=court_code,
                  case_number=case_number, purpose=purpose, payload=body, prev_hash=prev_hash, hash=digest)
    if connection.dialect.name == "postgresql":
        _WRITE_ENTRY_AND_HEAD.rows(connection, {f"v_{name}": value for name, value in values.items()})
    else:
        connection.execute(_INSERT_ENTRY, values)
        connection.execute(_MOVE_HEAD, {"new_hash": digest})
    mark_written(session)  # a block that appended and did not commit rolls back (xunpai.storage.unit_of_work)
    anchor.note_append(session, seq)  # every N entries a signed checkpoint, written when this commits
    return LedgerEntry(**values)


# The statements of an append, built once (building a statement costs more than running it on SQLite); the two
# of every append on PostgreSQL compiled once and run on the driver's cursor (xunpai.storage.prepared).
_ADVANCE_HEAD = Prepared(update(LedgerHead).where(LedgerHead.id == 1).values(seq=LedgerHead.seq + 1)
                         .returning(LedgerHead.seq, LedgerHead.hash))
_INSERT_ENTRY = insert(LedgerEntry.__table__)
_MOVE_HEAD = update(LedgerHead).where(LedgerHead.id == 1).values(hash=bindparam("new_hash"))
_ENTRY_COLUMNS = ("seq", "recorded_at", "kind", "actor", "court_code", "case_number", "purpose", "payload",
                  "prev_hash", "hash")
_INSERTED = (insert(LedgerEntry.__table__).values({name: bindparam(f"v_{name}") for name in _ENTRY_COLUMNS})
             .returning(LedgerEntry.hash).cte("inserted"))
_WRITE_ENTRY_AND_HEAD = Prepared(update(LedgerHead).where(LedgerHead.id == 1)
                                 .values(hash=select(_INSERTED.c.hash).scalar_subquery()))


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""

    def message(self) -> str:
        if self.ok:
            return f"台账完整：共 {self.checked} 条记录，哈希链校验通过。"
        return f"台账校验失败：{self.problem}"


def verify(session: Session) -> Verification:
    """Walk the chain in seq order; name the first entry that was edited, deleted or reordered."""
    prev_hash = GENESIS_HASH
    expected = 1
    rows = session.execute(select(LedgerEntry).order_by(LedgerEntry.seq).execution_options(yield_per=2000))
    for entry in rows.scalars():
        if entry.seq != expected:
            if entry.seq > expected:
                return Verification(False, expected - 1, expected,
                                    f"第 {expected} 条记录缺失（被删除），链在第 {entry.seq} 条处断开。")
            return Verification(False, expected - 1, entry.seq, f"第 {entry.seq} 条记录序号重复或被改动。")
        if entry.prev_hash != prev_hash:
            return Verification(False, expected - 1, entry.seq,
                                f"第 {entry.seq} 条记录与前一条的哈希不衔接（记录被删除、插入或调换顺序）。")
        recomputed = entry_hash(entry.prev_hash, entry.seq, entry.recorded_at, entry.kind, entry.actor,
                                entry.court_code, entry.case_number, entry.purpose, entry.payload)
        if recomputed != entry.hash:
            return Verification(False, expected - 1, entry.seq, f"第 {entry.seq} 条记录的内容被修改。")
        prev_hash = entry.hash
        expected += 1
    head = session.get(LedgerHead, 1)
    count = expected - 1
    if head is None:
        return Verification(False, count, count + 1, "台账头记录（ledger_head）缺失（被删除）。")
    if head.seq != count or head.hash != prev_hash:
        if head.seq > count:
            return Verification(False, count, count + 1, f"第 {count + 1} 条及以后的记录缺失（被删除）。")
        return Verification(False, count, head.seq, "台账头记录与最后一条记录不一致。")
    return Verification(True, count)


def entries(session: Session, *, kind: str | None = None, court_code: str | None = None,
            case_number: str | None = None, actor: str | None = None, since: datetime | None = None,
            until: datetime | None = None, limit: int | None = None, newest_first: bool = False
            ) -> Iterable[LedgerEntry]:
    query = select(LedgerEntry)
    if kind:
        query = query.where(LedgerEntry.kind.startswith(kind))
    if court_code:
        query = query.where(LedgerEntry.court_code == court_code)
    if case_number:
        query = query.where(LedgerEntry.case_number == case_number)
    if actor:
        query = query.where(LedgerEntry.actor == actor)
    if since:
        query = query.where(LedgerEntry.recorded_at >= since)
    if until:
        query = query.where(LedgerEntry.recorded_at < until)
    query = query.order_by(LedgerEntry.seq.desc() if newest_first else LedgerEntry.seq)
    if limit:
        query = query.limit(limit)
    return session.execute(query).scalars()


EXPORT_HEADERS = ("序号", "时间", "类别", "操作人", "法院", "案号", "用途", "摘要", "内容", "本条哈希", "前条哈希")


def export_xlsx(session: Session, path: str | Path, **filters: Any) -> int:
    """Write the 台账 as a spreadsheet; returns the number of entries written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("信息查询台账")
    sheet.append(list(EXPORT_HEADERS))
    count = 0
    for entry in entries(session, **filters):
        sheet.append(neutralize_row([entry.seq, entry.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
                                     KIND_NAMES.get(entry.kind, entry.kind), entry.actor, entry.court_code,
                                     entry.case_number, entry.purpose, summary(entry), entry.payload, entry.hash,
                                     entry.prev_hash]))
        count += 1
    anchoring = anchor.anchoring_of(session)
    if anchoring is not None:  # the export carries the checkpoint written for it (docs/ledger_anchoring.md)
        _checkpoint_sheet(workbook, anchor.checkpoint_now(session, anchoring, "export"), anchoring)
    workbook.save(path)
    return count


CHECKPOINT_HEADERS = ("校验点序号", "台账条数（序号）", "台账头哈希", "时间", "原因", "前一校验点哈希", "密钥指纹", "签名",
                      "校验点原文")


def _checkpoint_sheet(workbook: Workbook, checkpoint: anchor.Checkpoint, anchoring: anchor.Anchoring) -> None:
    sheet = workbook.create_sheet("校验点")
    sheet.append(list(CHECKPOINT_HEADERS))
    sheet.append([checkpoint.number, checkpoint.seq, checkpoint.hash, checkpoint.at, checkpoint.reason_name,
                  checkpoint.prev, checkpoint.key, checkpoint.sig, checkpoint.line])
    sheet.append([])
    sheet.append([f"说明：导出时台账共 {checkpoint.seq} 条，末条哈希如上；本校验点已以 Ed25519 签名写入校验点文件。核对方法：xunpai ledger "
                  "verify-export 本文件（需要管理员保管的公钥）。"])


def hash_at(session: Session, seq: int) -> str | None:
    return session.scalar(select(LedgerEntry.hash).where(LedgerEntry.seq == seq))


def hashes_at(session: Session, seqs: list[int]) -> dict[int, str]:
    """The stored hash of each of ``seqs`` (missing seqs are left out)."""
    out: dict[int, str] = {}
    for start in range(0, len(seqs), 500):
        part = seqs[start:start + 500]
        rows = session.execute(select(LedgerEntry.seq, LedgerEntry.hash).where(LedgerEntry.seq.in_(part)))
        out.update((seq, digest) for seq, digest in rows)
    return out


def lock(session: Session) -> None:
    """Take the ledger's write lock now (for a check that must stay true until the append, e.g. a count)."""
    session.connection().execute(update(LedgerHead).where(LedgerHead.id == 1).values(seq=LedgerHead.seq))


def verification_code(entry_hash: str) -> str:
    """A short code printed on a document, checkable by anyone against the ledger: 12 hex digits of the hash."""
    code = entry_hash[:12].upper()
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def find_by_verification_code(session: Session, code: str) -> LedgerEntry | None:
    prefix = "".join(ch for ch in (code or "") if ch.isalnum()).lower()
    if len(prefix) != 12:
        return None
    return session.execute(select(LedgerEntry).where(LedgerEntry.hash.startswith(prefix))).scalars().first()
