"""The unit of work on SQLite and PostgreSQL: a block that raises or does not commit leaves nothing written;
nested services share one transaction and commit once, at the outermost block; an inner failure rolls back only
its own writes; between blocks no transaction is held open. And the entry points never own a transaction."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from auction.platforms import get_platform
from xunpai.services import accounts, procedure, publishing
from xunpai.storage.db import session_factory
from xunpai.storage.models.accounts import Court, User
from xunpai.storage.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]


def _courts(engine) -> list[str]:
    """What another connection sees (committed rows only)."""
    with session_factory(engine)() as other:
        return list(other.scalars(select(Court.code).order_by(Court.code)))


def _commits(engine) -> list[int]:
    seen: list[int] = []
    event.listen(engine, "commit", lambda _conn: seen.append(1))
    return seen


def _writes_then_fails(uow: UnitOfWork, code: str) -> None:
    """A service that writes, then meets an error before it commits."""
    with uow:
        uow.session.add(Court(code=code, name="半途而废法院", zones=[], policy={}))
        uow.session.flush()
        raise accounts.AccountError("中途出错")


def test_a_service_that_raises_leaves_nothing_written(engine, uow):
    with pytest.raises(accounts.AccountError):
        _writes_then_fails(uow, "浙1001")
    assert _courts(engine) == []
    assert uow.session.scalar(select(func.count()).select_from(Court)) == 0
    # a real service: a refused account (unknown court) writes neither the user nor its ledger entry
    with pytest.raises(accounts.AccountError, match="不存在"):
        accounts.create_user(uow, username="u1", display_name="甲", role="judge", court_code="浙9999",
                             password="long-enough-1")
    assert uow.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_block_left_without_commit_rolls_back(engine, uow):
    with uow:
        uow.session.add(Court(code="浙1002", name="未提交法院", zones=[], policy={}))
        uow.session.flush()
    assert _courts(engine) == []
    assert not uow.session.in_transaction()


def test_commit_outside_a_block_is_refused(uow):
    with pytest.raises(RuntimeError):
        uow.commit()


def test_nested_services_share_one_transaction_and_commit_once_at_the_outermost(engine, uow):
    commits = _commits(engine)
    with uow:
        accounts.save_court(uow, code="浙1081", name="温岭市人民法院", zones=["Z01"], actor="admin")
        accounts.create_user(uow, username="judge1", display_name="法官甲", role="judge", court_code="浙1081",
                             password="long-enough-1", actor="admin")
        accounts.save_court(uow, code="浙1082", name="另一法院", zones=[], actor="admin")
        assert uow.depth == 1
        if engine.dialect.name == "postgresql":  # (on SQLite a second connection waits for the write lock)
            assert _courts(engine) == []  # the inner commits kept their writes in the outer transaction
        assert commits == []
        uow.commit()
    assert commits == [1]
    assert _courts(engine) == ["浙1081", "浙1082"]


def test_an_outer_block_that_fails_after_inner_commits_writes_nothing(engine, uow):
    with pytest.raises(LookupError), uow:
        accounts.save_court(uow, code="浙1081", name="温岭市人民法院", zones=[], actor="admin")
        accounts.create_user(uow, username="judge1", display_name="法官甲", role="judge", court_code="浙1081",
                             password="long-enough-1", actor="admin")
        raise LookupError("the outer service fails after its inner services committed")
    assert _courts(engine) == []
    with session_factory(engine)() as other:
        assert other.scalar(select(func.count()).select_from(User)) == 0


def test_an_inner_failure_rolls_back_only_its_own_writes(engine, uow):
    with uow:
        accounts.save_court(uow, code="浙1081", name="温岭市人民法院", zones=[], actor="admin")
        with pytest.raises(accounts.AccountError):
            _writes_then_fails(uow, "浙1003")
        uow.commit()
    assert _courts(engine) == ["浙1081"]


def test_between_blocks_no_transaction_is_open_and_loaded_objects_stay(engine, uow):
    accounts.save_court(uow, code="浙1081", name="温岭市人民法院", zones=["Z01"], actor="admin")
    courts = accounts.list_courts(uow)
    assert not uow.session.in_transaction()  # SQLite's write lock is free while a page renders
    assert [c.name for c in courts] == ["温岭市人民法院"]
    assert not uow.session.in_transaction()  # reading what a service returned does not reopen one
    # a second unit of work (another request) can write at once
    other = UnitOfWork(engine)
    try:
        accounts.save_court(other, code="浙1082", name="另一法院", zones=[], actor="admin")
    finally:
        other.close()
    assert _courts(engine) == ["浙1081", "浙1082"]


def test_a_refused_inquiry_keeps_only_its_refusal(engine, uow):
    """The inquiry service rolls back the attempt and commits the refusal's ledger entry (its own rule)."""
    from tax_baseline.quote import QuoteRequest
    from xunpai.services import inquiry
    from xunpai.storage import ledger

    accounts.save_court(uow, code="浙1081", name="温岭市人民法院", zones=[], actor="admin")
    judge = accounts.create_user(uow, username="judge1", display_name="法官甲", role="judge", court_code="浙1081",
                                 password="long-enough-1", actor="admin")
    with pytest.raises(inquiry.InquiryRefused):
        inquiry.quote_for_user(uow, judge.id, QuoteRequest(floor="3", area="90", address="某路1号", contract_date=None),
                               case_number="不是案号", purpose="执行询价", now=datetime(2026, 3, 2, 10))
    with session_factory(engine)() as other:
        kinds = [e.kind for e in ledger.entries(other)]
    assert kinds.count("inquiry.refused") == 1 and "inquiry.quote" not in kinds


def test_publishing_refuses_to_send_inside_a_callers_transaction(uow, tmp_path):
    """The intent must be committed before the remote call: a send inside another block is refused."""
    with pytest.raises(RuntimeError, match="inside another"), uow:
        publishing.publish_lot(uow, 1, get_platform("ali", outbox=tmp_path))


def test_a_procedure_case_and_its_lot_in_one_transaction(engine, uow):
    """The pattern the demo builder uses: several services, one transaction, one commit."""
    now = datetime(2025, 3, 4, 9)
    commits = _commits(engine)
    with uow:
        uow.session.add(Court(code="浙1081", name="温岭市人民法院", zones=[], policy={}))
        procedure.create_case(uow, "浙1081", "（2025）浙1081执100号",
                              [procedure.PartyInput("applicant", "张三", "330102199003030033"),
                               procedure.PartyInput("debtor", "李四", "440304198505050047", "温岭")], actor="法官甲", now=now)
        procedure.add_lot(uow, "（2025）浙1081执100号", "住宅", seized_on=None, actor="法官甲", now=now)
        uow.commit()
    assert commits == [1]
    assert _courts(engine) == ["浙1081"]


# ---------------------------------------------------------------- the entry points own no transaction

ENTRY_POINTS = [p for folder in ("web", "xunpai/cli") for p in sorted((ROOT / folder).glob("*.py"))]
FORBIDDEN = [(re.compile(r"\.commit\("), ".commit("), (re.compile(r"\.rollback\("), ".rollback("),
             (re.compile(r"session_scope"), "session_scope"), (re.compile(r"\bdb\(\)"), "db()"),
             (re.compile(r"\.session\.|\bselect\("), "an ORM query of its own"),
             (re.compile(r"session_factory|sessionmaker"), "a session factory")]


@pytest.mark.parametrize("path", ENTRY_POINTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_and_commands_write_only_through_services(path):
    text = path.read_text(encoding="utf-8")
    forbidden = FORBIDDEN[:-1] if path.name == "database.py" else FORBIDDEN  # it builds the request's uow
    found = [name for pattern, name in forbidden if pattern.search(text)]
    assert not found, f"{path.relative_to(ROOT)} owns a transaction itself ({', '.join(found)}); call a service"


# ---------------------------------------------------------------- services reach the database through repositories

# The procedure, objection, custody and service-provider areas (issue 11, phase C); tests/unit/test_layout.py
# covers the whole shell once every area has moved.
REPOSITORY_AREAS = ["xunpai/services/procedure.py", "xunpai/services/objections.py", "xunpai/services/custody.py",
                    "xunpai/services/providers.py", "xunpai/cli/procedure.py", "xunpai/cli/custody.py",
                    "web/objections.py", "web/objections_party.py", "web/listings_custody.py"]
SQLALCHEMY_IMPORT = re.compile(r"^\s*(import sqlalchemy\b|from sqlalchemy(\.\w+)* import\b)", re.MULTILINE)
SQL_CONSTRUCT = re.compile(r"(?<![.\w])(select|update|delete|func|text)\(|(?<![.\w])func\.")  # not session.delete(row)


def _sqlalchemy_offences(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = [f"line {text.count(chr(10), 0, m.start()) + 1}: {m.group(1)}" for m in SQLALCHEMY_IMPORT.finditer(text)]
    found += [f"line {text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}" for m in SQL_CONSTRUCT.finditer(text)]
    return found


def test_these_areas_import_no_sqlalchemy_outside_storage():
    offending = {name: _sqlalchemy_offences(ROOT / name) for name in REPOSITORY_AREAS}
    offending = {name: found for name, found in offending.items() if found}
    assert not offending, ("SQL outside xunpai/storage (move it to xunpai/storage/repositories/<area>.py): "
                           + "; ".join(f"{name} ({', '.join(found)})" for name, found in offending.items()))


def test_the_sqlalchemy_check_finds_an_import_inside_a_function_and_a_query(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f(session):\n    from sqlalchemy import select\n    return session.scalars(select(1))\n",
                      encoding="utf-8")
    assert _sqlalchemy_offences(module) == ["line 2: from sqlalchemy import", "line 3: select("]
