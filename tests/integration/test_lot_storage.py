"""One lot (issue 11): the ORM row stores the domain ``auction.lot.Lot`` itself; the query columns are derived
from it in one place; no plan or price copies; ``procedure_lot_id`` ties it to the procedure's lot of its case.
Both databases, and the lots_0003 migration over rows stored the old way."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import StatementError

from auction.demo_lots import demo_rows
from auction.lot import Lot as DomainLot
from auction.lot import lot_digest, lot_to_dict
from auction.lot_sheet import COLUMNS, prepare_row
from tests.uow import unit_scope
from xunpai.services import accounts, procedure
from xunpai.services.publishing import import_lots
from xunpai.storage.db import alembic_config, make_engine
from xunpai.storage.ledger import now_local
from xunpai.storage.models.lots import Lot

CASE = "（2026）浙1081执100号"
NAME = "东辉公寓1幢501室住宅"


def _prepared(**change):
    row = demo_rows(2, now_local().date() + timedelta(days=1), court_code="浙1081")[1] | change
    return prepare_row(2, dict.fromkeys(COLUMNS, "") | row)


def test_the_row_stores_the_domain_lot_and_derives_its_query_columns(engine):
    prepared = _prepared()
    with unit_scope(engine) as uow:
        (row,) = import_lots(uow, [prepared])
        lot_id = row.id
    with unit_scope(engine) as uow:
        row = uow.session.get(Lot, lot_id)
        assert isinstance(row.lot, DomainLot) and row.lot == prepared.lot
        assert (row.court_code, row.lot_code, row.round, row.case_number, row.title, row.kind) == (
            "浙1081", prepared.lot.lot_id, "first_auction", prepared.lot.case_number, prepared.lot.title,
            "real_estate")
        assert row.content_sha256 == lot_digest(prepared.lot)
        assert row.starting_price_fen == prepared.lot.plan.starting_price_fen
        assert row.plan["bidding_start"] == prepared.lot.plan.bidding_start.isoformat()
    columns = {c["name"] for c in inspect(engine).get_columns("lots")}
    assert not columns & {"plan", "reference_price_fen", "starting_price_fen", "deposit_fen"}


def test_assigning_a_new_lot_rewrites_the_query_columns(engine):
    prepared = _prepared()
    with unit_scope(engine) as uow:
        (row,) = import_lots(uow, [prepared])
        lot_id = row.id
    renamed = dataclasses.replace(prepared.lot, title="东辉公寓1幢501室住宅（含车位）")
    with unit_scope(engine) as uow:
        row = uow.session.get(Lot, lot_id)
        row.lot = renamed
        uow.commit()
    with unit_scope(engine) as uow:
        title, digest = uow.session.execute(text("select title, content_sha256 from lots")).one()
        assert title == "东辉公寓1幢501室住宅（含车位）" and digest == lot_digest(renamed)
        assert uow.session.get(Lot, lot_id).lot.title == title


def test_the_lot_column_refuses_anything_but_a_domain_lot(engine):
    prepared = _prepared()
    with unit_scope(engine) as uow:
        (row,) = import_lots(uow, [prepared])
        uow.session.execute(select(Lot)).scalars().one()  # stored
        with pytest.raises(StatementError, match="stores auction.lot.Lot"):
            uow.session.execute(Lot.__table__.update().values(content=lot_to_dict(prepared.lot)))


def test_a_lot_of_a_registered_case_points_at_the_procedures_lot(engine):
    now = datetime(2026, 11, 2, 9, 0)
    with unit_scope(engine) as uow:
        accounts.save_court(uow, code="浙1081", name="温岭市人民法院", zones=[])
        procedure.create_case(uow, "浙1081", CASE, [
            procedure.PartyInput("applicant", "某银行股份有限公司温岭支行", "330100198505050029", "温岭市太平街道1号"),
            procedure.PartyInput("debtor", "王某某", "330100198001010015", "温岭市城东街道东辉公寓1幢501室")],
            actor="judge1", now=now)
        property_ = procedure.add_lot(uow, CASE, NAME, seized_on=now.date(), actor="judge1", now=now)
        property_id = property_.id
    with unit_scope(engine) as uow:
        same, other = import_lots(uow, [_prepared(**{"案号": CASE, "标的名称": NAME}),
                                        _prepared(**{"案号": CASE, "标的名称": "另一套房", "标的编号": "R99999"})])
        assert same.procedure_lot_id == property_id and same.procedure_lot.name == NAME
        assert other.procedure_lot_id is None  # a name the case does not list: no guess


def test_the_migration_keeps_lots_stored_with_copies_and_links_them(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    config = alembic_config(engine)
    command.upgrade(config, "lots_0002")
    command.upgrade(config, "procedure@head")
    prepared = _prepared(**{"案号": CASE, "标的名称": NAME})
    now = datetime(2026, 11, 2, 9, 0)
    with engine.begin() as conn:
        conn.execute(text("insert into courts (code, name, zones, policy) values ('浙1081', '温岭市人民法院', '[]', '{}')"))
        conn.execute(text("insert into procedure_cases (id, court_code, case_number, created_at) "
                          "values (1, '浙1081', :case, :now)"), {"case": CASE, "now": now})
        conn.execute(text("insert into procedure_lots (id, case_id, name, appraisal_firms, firm_choice, lottery, "
                          "current_firm) values (7, 1, :name, '[]', '', '{}', '')"), {"name": NAME})
        lots = inspect(conn).get_columns("lots")
        assert {"plan", "starting_price_fen"} <= {c["name"] for c in lots}
        conn.execute(text(
            "insert into lots (court_code, lot_code, case_number, title, kind, round, content, content_sha256, plan, "
            "reference_price_fen, starting_price_fen, deposit_fen, status, created_at, updated_at) values "
            "('浙1081', :code, :case, :title, 'real_estate', 'first_auction', :content, :digest, :plan, 1, 2, 3, "
            "'draft', :now, :now)"),
            {"code": prepared.lot_code, "case": CASE, "title": NAME, "content": _json(prepared.content),
             "digest": prepared.content_sha256, "plan": _json(prepared.lot.plan.to_dict()), "now": now})
    command.upgrade(config, "heads")
    with unit_scope(engine) as uow:
        row = uow.session.scalars(select(Lot)).one()
        assert row.lot == prepared.lot and row.procedure_lot_id == 7
        assert row.starting_price_fen == prepared.lot.plan.starting_price_fen  # the lot's, not the stale copy
    engine.dispose()


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
