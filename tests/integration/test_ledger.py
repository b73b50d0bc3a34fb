from sqlalchemy import text

from xunpai.storage import ledger
from xunpai.storage.models.ledger import LedgerEntry


def _fill(uow, n=5):
    for i in range(n):
        ledger.append(uow.session, "inquiry.quote", {"i": i, "price": "123.45"}, actor="judge1",
                      court_code="浙1081", case_number="（2018）浙1081执1234号", purpose="执行询价")
    uow.session.commit()


def test_untouched_chain_verifies(uow):
    _fill(uow)
    result = ledger.verify(uow.session)
    assert result.ok and result.checked == 5


def test_edited_entry_is_named(uow, engine):
    _fill(uow)
    with engine.begin() as conn:
        conn.execute(text("update ledger_entries set payload = :p where seq = 3"), {"p": '{"i":2,"price":"1.00"}'})
    uow.session.expire_all()
    result = ledger.verify(uow.session)
    assert not result.ok and result.first_bad_seq == 3
    assert "第 3 条记录的内容被修改" in result.problem


def test_deleted_entry_is_named(uow, engine):
    _fill(uow)
    with engine.begin() as conn:
        conn.execute(text("delete from ledger_entries where seq = 2"))
    uow.session.expire_all()
    result = ledger.verify(uow.session)
    assert not result.ok and result.first_bad_seq == 2 and "缺失" in result.problem


def test_deleted_last_entry_is_named(uow, engine):
    _fill(uow)
    with engine.begin() as conn:
        conn.execute(text("delete from ledger_entries where seq = 5"))
    uow.session.expire_all()
    result = ledger.verify(uow.session)
    assert not result.ok and result.first_bad_seq == 5


def test_reordered_entries_are_named(uow, engine):
    _fill(uow)
    with engine.begin() as conn:
        conn.execute(text("update ledger_entries set seq = 100 where seq = 2"))
        conn.execute(text("update ledger_entries set seq = 2 where seq = 4"))
        conn.execute(text("update ledger_entries set seq = 4 where seq = 100"))
    uow.session.expire_all()
    result = ledger.verify(uow.session)
    assert not result.ok and result.first_bad_seq == 2


def test_export_writes_every_entry(uow, tmp_path):
    from openpyxl import load_workbook

    _fill(uow, 3)
    out = tmp_path / "ledger.xlsx"
    assert ledger.export_xlsx(uow.session, out) == 3
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "时间", "类别") and rows[1][2] == "询价" and len(rows) == 4
    assert uow.session.query(LedgerEntry).count() == 3
