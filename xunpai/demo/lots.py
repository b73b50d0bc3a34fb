"""Demo data for publishing and custody: twenty lots of the demo court ready to publish (every disclosure
filled in), three service providers, and two seized vehicles in custody with viewing slots. Publish them with
``xunpai platform serve`` in one terminal and ``xunpai lots publish V00001`` (or ``lots bulk-publish``)."""

from __future__ import annotations

import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

from auction.demo_lots import demo_rows
from auction.lot_sheet import read_sheet, write_sheet
from xunpai.services import custody as custody_service
from xunpai.services import providers as service_providers_service
from xunpai.services.publishing import import_lots
from xunpai.storage import ledger

LOTS = 20
PROVIDERS = (("示范市安达车辆保管有限公司", ["storage", "transport", "cleaning", "viewing"]),
             ("示范市顺通物流有限公司", ["storage", "transport"]),
             ("示范市诚信看样服务有限公司", ["viewing", "photography"]))
VEHICLE_CHECKS = {"exterior": "左前门划痕", "interior": "完好", "engine": "可启动", "tyres": "正常", "keys": "2 把",
                  "documents": "行驶证随车", "mileage": "见标的物介绍", "registration": "与登记一致",
                  "emission_standard": "国六b", "violations": "无"}


def build(uow, context: dict) -> None:
    court_code = context["courts"][0]
    court_name = "示范市人民法院"
    today = ledger.now_local().date()
    with tempfile.TemporaryDirectory(prefix="xunpai-demo-lots-") as tmp:
        sheet = Path(tmp) / "demo-lots.xlsx"
        write_sheet(sheet, demo_rows(LOTS, today + timedelta(days=3), court_code=court_code, court_name=court_name,
                                     place="示范"))
        prepared, problems = read_sheet(sheet)
    if problems:  # the demo rows are made to pass; a failure here is a programming error
        raise RuntimeError(f"demo lots do not pass the sheet checks: {problems}")
    lots = import_lots(uow, prepared, actor="demo")
    for name, services in PROVIDERS:
        service_providers_service.register(uow, name=name, services=services, actor="demo")
    for lot in [lot for lot in lots if lot.kind == "vehicle"][:2]:
        item = custody_service.intake(
            uow, court_code=court_code, case_number=lot.case_number, kind="vehicle", description=lot.title,
            location="示范市安达车辆保管场 A 区", condition="良好，外观轻微划痕", checklist=VEHICLE_CHECKS,
            tariff_daily_fen=30_00, intake_on=today - timedelta(days=20),
            photos=[(f"{lot.lot_code}-front.jpg", f"demo photo {lot.lot_code}".encode())],
            identifiers={"plate": lot.title.split()[0]}, lot_id=lot.id, actor="demo")
        day = today + timedelta(days=5)
        custody_service.open_slot(uow, item.id, datetime.combine(day, time(14)), datetime.combine(day, time(16)),
                                  capacity=5, actor="demo")
