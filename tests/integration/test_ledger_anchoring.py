"""The ledger anchored outside its database (issue 18, point 2): signed checkpoints every N entries and at every
export, and the 20 tampering scenarios of the attack — each is found by ``verify`` (the chain, then every
checkpoint), including tail truncation with a head update and a full recompute of the chain. SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import text

from xunpai.services import receipts
from xunpai.storage import anchor, ledger
from xunpai.storage.models.ledger import LedgerEntry
from xunpai.storage.unit_of_work import UnitOfWork

EVERY = 5
N = 23


@pytest.fixture
def anchoring(engine, tmp_path):
    key = anchor.generate_key(tmp_path / "keys" / "ledger.pem")
    setup = anchor.Anchoring(key, tmp_path / "anchors.jsonl", tmp_path / "second" / "anchors.jsonl", EVERY)
    anchor.attach(engine, setup)
    yield setup
    anchor.attach(engine, None)


def _append(uow: UnitOfWork, i: int) -> None:
    with uow:
        ledger.append(uow.session, "inquiry.quote", {"i": i, "result": {"total_price": f"{100 + i}.00"}},
                      actor="judge1", court_code="浙1081", case_number="（2026）浙1081执1号", purpose="执行询价")
        uow.commit()


@pytest.fixture
def filled(engine, anchoring):
    uow = UnitOfWork(engine)
    for i in range(N):
        _append(uow, i)
    receipts.checkpoint(uow)  # the head itself anchored (as an export does)
    uow.close()
    return anchoring


def _verify(engine) -> receipts.LedgerCheck:
    uow = UnitOfWork(engine)
    try:
        return receipts.verify_ledger(uow)
    finally:
        uow.close()


def _sql(engine, statement: str, **params) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def _recompute(engine) -> None:
    """What an attacker with write access to the database does: rebuild the whole chain and move the head."""
    with engine.begin() as conn:
        rows = conn.execute(text("select seq, recorded_at, kind, actor, court_code, case_number, purpose, payload "
                                 "from ledger_entries order by seq")).all()
        prev = ledger.GENESIS_HASH
        for seq, at, kind, actor, court, case, purpose, payload in rows:
            if isinstance(at, str):
                from datetime import datetime
                at = datetime.fromisoformat(at)
            digest = ledger.entry_hash(prev, seq, at, kind, actor, court, case, purpose, payload)
            conn.execute(text("update ledger_entries set prev_hash = :p, hash = :h where seq = :s"),
                         {"p": prev, "h": digest, "s": seq})
            prev = digest
        last = rows[-1][0] if rows else 0
        conn.execute(text("update ledger_head set seq = :s, hash = :h where id = 1"), {"s": last, "h": prev})


def _anchor_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_checkpoints_every_n_entries_and_after_commit_only(engine, anchoring):
    uow = UnitOfWork(engine)
    for i in range(12):
        _append(uow, i)
    with uow:  # a transaction that reaches the 15th entry but rolls back writes no checkpoint
        for i in range(3):
            ledger.append(uow.session, "inquiry.quote", {"i": i}, actor="x")
    uow.close()
    cps = anchor.read_checkpoints(anchoring.anchor_path)
    assert [c.seq for c in cps] == [5, 10] and [c.reason for c in cps] == ["every", "every"]
    assert _anchor_lines(anchoring.copy_path) == _anchor_lines(anchoring.anchor_path)
    assert _verify(engine).ok


def test_the_key_is_owner_only_and_a_readable_key_is_refused(anchoring, tmp_path):
    assert stat.S_IMODE(os.stat(anchoring.key_path).st_mode) == 0o600
    os.chmod(anchoring.key_path, 0o644)
    with pytest.raises(anchor.AnchorError, match="chmod 600"):
        anchor.load_private_key(anchoring.key_path)
    with pytest.raises(anchor.AnchorError, match="已存在"):
        anchor.generate_key(anchoring.key_path)


# ------------------------------------------------------------------ the 20 tampering scenarios

def _edit_payload(engine, seq=7):
    _sql(engine, "update ledger_entries set payload = :p where seq = :s",
         p='{"i":6,"result":{"total_price":"1.00"}}', s=seq)


SCENARIOS = {
    # 1-2: edits in the database without recomputing: the chain itself names them
    "edit_payload": (lambda e, a: _edit_payload(e), "第 7 条记录的内容被修改"),
    "edit_actor": (lambda e, a: _sql(e, "update ledger_entries set actor = 'judge9' where seq = 3"), "第 3 条"),
    # 3: edit in the middle and recompute from there on, head moved: only the checkpoints see it
    "edit_and_recompute_middle": (lambda e, a: (_edit_payload(e, 12), _recompute(e)), "被改写"),
    # 4: edit the first entry and recompute the whole chain from genesis
    "full_recompute": (lambda e, a: (_edit_payload(e, 1), _recompute(e)), "被改写"),
    # 5: tail truncation with a head update (delete the last entries, copy the new last hash into ledger_head)
    "tail_truncation_with_head_update": (lambda e, a: (_sql(e, "delete from ledger_entries where seq > 18"),
                                                       _recompute(e)), "截短"),
    # 6: tail truncation without touching the head
    "tail_truncation": (lambda e, a: _sql(e, "delete from ledger_entries where seq > 20"), "缺失"),
    # 7: delete everything and reset the head ("共 0 条记录")
    "delete_everything_reset_head": (lambda e, a: (_sql(e, "delete from ledger_entries"),
                                                   _sql(e, "update ledger_head set seq = 0, hash = :h",
                                                        h=ledger.GENESIS_HASH)), "截短"),
    # 8: delete everything including the head row
    "delete_everything_and_head": (lambda e, a: (_sql(e, "delete from ledger_entries"),
                                                 _sql(e, "delete from ledger_head")), "头记录"),
    # 9: delete the head row only
    "missing_head": (lambda e, a: _sql(e, "delete from ledger_head"), "头记录"),
    # 10: delete one entry in the middle
    "delete_middle": (lambda e, a: _sql(e, "delete from ledger_entries where seq = 9"), "第 9 条记录缺失"),
    # 11: delete one entry in the middle, renumber and recompute
    "delete_middle_renumber_recompute": (lambda e, a: (_sql(e, "delete from ledger_entries where seq = 9"),
                                                       _sql(e, "update ledger_entries set seq = seq - 1 where seq > 9"),
                                                       _recompute(e)), "被"),
    # 12: reorder two entries
    "reorder": (lambda e, a: (_sql(e, "update ledger_entries set seq = 100 where seq = 2"),
                              _sql(e, "update ledger_entries set seq = 2 where seq = 4"),
                              _sql(e, "update ledger_entries set seq = 4 where seq = 100")), "第 2 条"),
    # 13: the head rolled back to an earlier entry (its seq and hash), entries after it kept
    "head_rolled_back": (lambda e, a: _sql(e, "update ledger_head set seq = 10, hash = (select hash from "
                                              "ledger_entries where seq = 10)"), "头记录"),
    # 14: the time of an entry changed
    "edit_time": (lambda e, a: _sql(e, "update ledger_entries set recorded_at = :t where seq = 5",
                                    t="2020-01-01 00:00:00"), "第 5 条"),
    # 15: the tail replaced by forged entries of the same length, chain recomputed
    "tail_replaced_and_recomputed": (lambda e, a: (_edit_payload(e, 22), _edit_payload(e, 23), _recompute(e)),
                                     "被改写"),
    # 16: a checkpoint in the anchor file edited to match a rewritten ledger
    "anchor_line_edited": (lambda e, a: _rewrite_anchor(a.anchor_path, lambda d: {**d, "hash": "0" * 64}), "签名不符"),
    # 17: a checkpoint removed from the middle of the anchor file
    "anchor_line_deleted": (lambda e, a: _drop_anchor_line(a.anchor_path, 1), "缺少第 2 个校验点"),
    # 18: anchor file tail cut and the ledger truncated to match it: the second location still has them
    "anchor_tail_cut_with_ledger": (lambda e, a: (_keep_anchor_lines(a.anchor_path, 2),
                                                  _sql(e, "delete from ledger_entries where seq > 10"),
                                                  _recompute(e)), "第二保存位置"),
    # 19: the anchor file replaced by checkpoints signed with another key
    "anchor_signed_by_another_key": (lambda e, a: _resign(e, a), "不是本台账的密钥"),
    # 20: the anchor file deleted
    "anchor_file_deleted": (lambda e, a: (a.anchor_path.unlink(), _sql(e, "delete from ledger_entries where seq > 3"),
                                          _recompute(e)), "不存在"),
}


def _rewrite_anchor(path: Path, change) -> None:
    lines = _anchor_lines(path)
    lines[-1] = json.dumps(change(json.loads(lines[-1])), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _drop_anchor_line(path: Path, index: int) -> None:
    lines = _anchor_lines(path)
    del lines[index]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _keep_anchor_lines(path: Path, n: int) -> None:
    path.write_text("\n".join(_anchor_lines(path)[:n]) + "\n", encoding="utf-8")


def _resign(engine, anchoring, tmp=None) -> None:
    """The attacker makes their own key and signs checkpoints of a rewritten ledger."""
    _edit_payload(engine, 2)
    _recompute(engine)
    other = anchor.generate_key(anchoring.anchor_path.parent / "attacker.pem")
    forged = anchor.Anchoring(other, anchoring.anchor_path.parent / "forged.jsonl", None, EVERY)
    with engine.connect() as conn:
        for seq in (5, 10, 15, 20, 23):
            forged.write(seq, conn.execute(text("select hash from ledger_entries where seq = :s"), {"s": seq}).scalar(),
                         "every")
    forged.anchor_path.replace(anchoring.anchor_path)
    anchoring.copy_path.unlink()


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_tampering_is_found(engine, filled, name):
    assert _verify(engine).ok
    tamper, expected = SCENARIOS[name]
    tamper(engine, filled)
    result = _verify(engine)
    assert not result.ok, f"{name} went unnoticed: {result.message()}"
    assert expected in result.message(), result.message()
    assert result.message().startswith("台账校验失败")


def test_twenty_scenarios():
    assert len(SCENARIOS) == 20


# ------------------------------------------------------------------ exports carry their checkpoint; codes in bulk

def test_an_export_carries_its_checkpoint_and_is_verified(engine, filled, tmp_path):
    out = tmp_path / "台账.xlsx"
    count = receipts.export_ledger(UnitOfWork(engine), out, court_code="浙1081")
    assert count == N
    book = load_workbook(out, read_only=True)
    (row,) = list(book["校验点"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert row[1] == N and row[4] == "导出台账"
    last = anchor.read_checkpoints(filled.anchor_path)[-1]
    assert last.reason == "export" and last.line == row[8]
    ok, message = receipts.verify_export(UnitOfWork(engine), out)
    assert ok, message
    _edit_payload(engine, 4)
    _recompute(engine)
    ok, message = receipts.verify_export(UnitOfWork(engine), out)
    assert not ok and "不符" in message


def test_printed_codes_are_checked_in_bulk(engine, filled):
    uow = UnitOfWork(engine)
    with uow:
        codes = [ledger.verification_code(e.hash) for e in uow.session.query(LedgerEntry).order_by(LedgerEntry.seq)]
    results = receipts.check_codes(uow, codes + ["0000-0000-0000"])
    assert [r.ok for r in results] == [True] * N + [False]
    assert "已由签名校验点锚定" in results[0].status and "未找到" in results[-1].status
    _sql(engine, "update ledger_entries set payload = '{}' where seq = 12")
    results = receipts.check_codes(UnitOfWork(engine), codes)
    assert not results[11].ok and "内容被修改" in results[11].status
    assert results[0].ok and not results[15].ok  # before the edit still anchored; after it the chain is broken


def test_the_commands(engine, filled, database_url, tmp_path, monkeypatch):
    from xunpai.cli import main, support

    monkeypatch.setattr(support, "_engine", engine)
    runner = CliRunner()
    result = runner.invoke(main, ["ledger", "verify"])
    assert result.exit_code == 0 and "签名校验点全部相符" in result.output, result.output
    out = tmp_path / "导出.xlsx"
    assert runner.invoke(main, ["ledger", "export", str(out)]).exit_code == 0
    assert runner.invoke(main, ["ledger", "verify-export", str(out)]).exit_code == 0
    codes = tmp_path / "codes.txt"
    with UnitOfWork(engine) as uow:
        first = uow.session.query(LedgerEntry).filter(LedgerEntry.seq == 1).one()
        codes.write_text(f"询价结果校验码：{ledger.verification_code(first.hash)}\n", encoding="utf-8")
    result = runner.invoke(main, ["ledger", "check-codes", str(codes)])
    assert result.exit_code == 0 and "1 个通过" in result.output, result.output
    _sql(engine, "delete from ledger_entries where seq > 20")
    _recompute(engine)
    result = runner.invoke(main, ["ledger", "verify"])
    assert result.exit_code == 1 and "截短" in result.output
    key = tmp_path / "new.pem"
    result = runner.invoke(main, ["ledger", "keygen", "--key", str(key)])
    assert result.exit_code == 0 and key.exists() and Path(str(key) + ".pub").exists()
