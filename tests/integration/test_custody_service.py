"""Custody, viewing appointments and service providers on the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import date, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from auction import lottery
from auction.custody import CustodyError
from auction.demo_lots import demo_rows
from auction.lot_sheet import read_sheet, write_sheet
from tests.uow import unit_scope
from xunpai.services import custody, providers
from xunpai.storage import ledger
from xunpai.storage.models.custody import ViewingBooking
from xunpai.storage.unit_of_work import UnitOfWork

CASE = "（2025）浙1081执1001号"
CHECKLIST = {"exterior": "左前门划痕", "interior": "完好", "engine": "可启动", "tyres": "正常", "keys": "2 把",
             "documents": "行驶证随车", "mileage": "30001", "registration": "与登记一致", "emission_standard": "国六b",
             "violations": "无"}


def _intake(uow, **overrides):
    values = dict(court_code="浙1081", case_number=CASE, kind="vehicle", description="白色小型轿车",
                  location="城东保管场 A-12", condition="良好", checklist=CHECKLIST, tariff_daily_fen=3000,
                  intake_on=date(2026, 3, 1), photos=[("front.jpg", b"front"), ("back.jpg", b"back")],
                  identifiers={"plate": "浙J00001"}, debtor="张某", actor="keeper")
    values.update(overrides)
    return custody.intake(uow, **values)


def test_intake_records_photos_by_hash_and_every_event_in_the_ledger(uow):
    item = _intake(uow)
    custody.move(uow, item.id, "城东保管场 B-3", on=date(2026, 3, 5), actor="keeper")
    task = custody.add_task(uow, item.id, "cleaning", date(2026, 3, 10))
    custody.complete_task(uow, task.id, done_on=date(2026, 3, 9), result="已清洗", cost_fen=8000)
    custody.add_photo(uow, item.id, "front-again.jpg", b"front")  # the same picture again: kept once
    uow.session.commit()
    kinds = [e.kind for e in ledger.entries(uow.session, kind="custody.")]
    assert kinds == ["custody.intake", "custody.move", "custody.task", "custody.task_done", "custody.cost"]
    intake_payload = json.loads(next(iter(ledger.entries(uow.session, kind="custody.intake"))).payload)
    assert intake_payload["photos_sha256"] == [hashlib.sha256(b"front").hexdigest(),
                                               hashlib.sha256(b"back").hexdigest()]
    assert ledger.verify(uow.session).ok
    assert ledger.KIND_NAMES["custody.intake"] == "保管物入库"


def test_incomplete_checklist_changes_nothing(uow):
    with pytest.raises(CustodyError, match="入库检查清单未填完：排放标准"):
        _intake(uow, checklist={k: v for k, v in CHECKLIST.items() if k != "emission_standard"})
    with pytest.raises(CustodyError, match="至少拍摄一张照片"):
        _intake(uow, photos=[])
    assert list(ledger.entries(uow.session)) == []


def test_storage_costs_per_lot_are_borne_by_the_debtor(engine, uow, tmp_path):
    write_sheet(tmp_path / "s.xlsx", demo_rows(1, date(2026, 12, 1)))
    prepared, _ = read_sheet(tmp_path / "s.xlsx")
    from xunpai.services.publishing import import_lots

    lot = import_lots(uow, prepared)[0]
    car = _intake(uow, lot_id=lot.id, tariff_daily_fen=3000, intake_on=date(2026, 3, 1))
    parts = _intake(uow, lot_id=lot.id, kind="movable", tariff_daily_fen=1250, intake_on=date(2026, 3, 10),
                    checklist={"exterior": "好", "quantity": "3 箱", "function": "未测", "packaging": "原包装",
                               "documents": "无"})
    custody.add_cost(uow, car.id, "towing", 50000, incurred_on=date(2026, 3, 1))
    costs = custody.lot_costs(uow, lot.id, until=date(2026, 3, 31))
    # car: 1-31 March = 31 days × 30.00 = 930.00; parts: 10-31 March = 22 days × 12.50 = 275.00; towing 500.00
    assert (costs.items, costs.storage_fee_fen, costs.other_costs_fen, costs.total_fen) == (2, 120500, 50000, 170500)
    # delivery only after the sale; then the fee stops on the delivery day
    with pytest.raises(CustodyError, match="只有拍卖成交后"):
        custody.release(uow, parts.id, "delivered", on=date(2026, 4, 1), recipient="买受人")
    lot.status, lot.outcome, lot.sale_price_fen = "ended", "sold", 9_000_000
    released = custody.release(uow, parts.id, "delivered", on=date(2026, 4, 1), recipient="买受人 李某")
    assert released.storage_days == 23 and released.storage_fee_fen == 28750
    with pytest.raises(CustodyError, match="已于 2026-04-01 出库"):
        custody.release(uow, parts.id, "delivered", on=date(2026, 4, 2), recipient="李某")


def test_viewing_double_booking_and_full_slot_are_refused(uow):
    item = _intake(uow)
    slot = custody.open_slot(uow, item.id, datetime(2026, 3, 20, 14), datetime(2026, 3, 20, 15), 2)
    custody.book_viewing(uow, slot.id, visitor_name="甲", identity="13800000001")
    with pytest.raises(custody.AlreadyBooked, match="甲 已预约过该标的的看样"):
        custody.book_viewing(uow, slot.id, visitor_name="甲", identity="138 0000 0001")
    later = custody.open_slot(uow, item.id, datetime(2026, 3, 21, 14), datetime(2026, 3, 21, 15), 5)
    with pytest.raises(custody.AlreadyBooked):  # the same person, another slot of the same item
        custody.book_viewing(uow, later.id, visitor_name="甲", identity="13800000001")
    custody.book_viewing(uow, slot.id, visitor_name="乙", identity="13800000002")
    with pytest.raises(custody.SlotFull, match="2 个名额已满"):
        custody.book_viewing(uow, slot.id, visitor_name="丙", identity="13800000003")
    assert custody.slot_bookings(uow, slot.id) == 2
    booking = uow.session.scalars(select(ViewingBooking).where(ViewingBooking.visitor_name == "乙")).one()
    custody.cancel_booking(uow, booking.id)
    custody.book_viewing(uow, slot.id, visitor_name="丙", identity="13800000003")
    uow.session.commit()
    assert [e.kind for e in ledger.entries(uow.session, kind="custody.viewing")].count("custody.viewing_booked") == 3


def test_database_refuses_a_seat_beyond_capacity_or_a_forged_capacity(engine, uow):
    item = _intake(uow)
    slot = custody.open_slot(uow, item.id, datetime(2026, 3, 20, 14), datetime(2026, 3, 20, 15), 1)
    uow.session.commit()
    row = dict(slot_id=slot.id, item_id=item.id, visitor_key="x" * 64, visitor_name="甲", phone="",
               booked_at=datetime(2026, 3, 1))
    for forged in ({"slot_capacity": 1, "seat": 2}, {"slot_capacity": 5, "seat": 2}):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert(ViewingBooking).values(**row, **forged))


def test_concurrent_bookings_never_exceed_capacity(engine):
    with unit_scope(engine) as uow:
        item = _intake(uow)
        slot_id = custody.open_slot(uow, item.id, datetime(2026, 3, 20, 14), datetime(2026, 3, 20, 15), 3).id
    people = 8
    barrier = threading.Barrier(people)
    outcomes: list[str] = []

    def book(i: int) -> None:
        unit = UnitOfWork(engine)
        try:
            barrier.wait()
            custody.book_viewing(unit, slot_id, visitor_name=f"看样人{i}", identity=f"1390000000{i}")
            outcomes.append("booked")
        except custody.SlotFull:
            outcomes.append("full")
        finally:
            unit.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] * 3 + ["full"] * 5
    with unit_scope(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(ViewingBooking)) == 3


def test_provider_lottery_is_reproducible_and_auditable(engine):
    with unit_scope(engine) as uow:
        for name in ("甲仓储有限公司", "乙物流有限公司", "丙保管服务有限公司", "丁拍卖辅助有限公司"):
            providers.register(uow, name=name, services=["storage", "transport"])
        providers.register(uow, name="戊看样服务有限公司", services=["viewing"])
        with pytest.raises(providers.ProviderError, match="统一社会信用代码"):
            providers.register(uow, name="己公司", services=["storage"], credit_code="123")
    seed = lottery.new_seed()
    with unit_scope(engine) as uow:  # the commitment is recorded (committed) before the draw
        item_id = _intake(uow).id
        lottery_id = providers.commit_lottery(uow, court_code="浙1081", service="storage", k=1, seed=seed,
                                              item_id=item_id).id
    with unit_scope(engine) as uow:
        with pytest.raises(providers.ProviderError, match="种子与事先登记的承诺值不符"):
            providers.draw_lottery(uow, lottery_id, "another seed")
    with unit_scope(engine) as uow:
        (assignment,) = providers.draw_lottery(uow, lottery_id, seed, actor="judge")
        assignment_id = assignment.id
        from xunpai.storage.models.custody import CustodyItem

        assert uow.session.get(CustodyItem, item_id).provider_id == assignment.provider_id  # kept by the drawn firm
    with unit_scope(engine) as uow:
        assert providers.verify_lottery(uow, lottery_id)
        committed = json.loads(next(iter(ledger.entries(uow.session, kind="provider.lottery_committed"))).payload)
        drawn = json.loads(next(iter(ledger.entries(uow.session, kind="provider.lottery_drawn"))).payload)
        assert "戊看样服务有限公司" not in committed["candidates"] and len(committed["candidates"]) == 4
        commitment = lottery.Commitment.from_dict(committed)
        assert lottery.draw(commitment, drawn["seed"], 1) == drawn["result"]  # anyone can redo the draw
        with pytest.raises(providers.ProviderError, match="已于"):
            providers.draw_lottery(uow, lottery_id, seed)

    with unit_scope(engine) as uow:
        due = providers.add_task(uow, assignment_id, "车辆入库并拍照", date(2026, 3, 10))
        providers.add_task(uow, assignment_id, "清洗车辆", date(2026, 3, 12))
        done = providers.add_task(uow, assignment_id, "检测", date(2026, 3, 5))
        providers.complete_task(uow, done.id, date(2026, 3, 6))
    with unit_scope(engine) as uow:
        assert providers.overdue(uow, date(2026, 3, 10)) == []  # due today is not overdue yet
        chased = providers.remind_overdue(uow, date(2026, 3, 13), actor="clerk")
        assert [(c.title, c.days_overdue, c.reminders) for c in chased] == [("车辆入库并拍照", 3, 1), ("清洗车辆", 1, 1)]
        assert chased[0].task_id == due.id
    with unit_scope(engine) as uow:
        again = providers.remind_overdue(uow, date(2026, 3, 14))
        assert [c.reminders for c in again] == [2, 2]
        reminders = [json.loads(e.payload) for e in ledger.entries(uow.session, kind="provider.reminder")]
        assert len(reminders) == 4 and ledger.KIND_NAMES["provider.reminder"] == "催办"


def test_tariff_comes_from_the_court_policy_when_not_given(uow):
    from xunpai.storage.models.accounts import Court

    with pytest.raises(CustodyError, match="未设定车辆的日保管费标准"):
        _intake(uow, tariff_daily_fen=None)
    uow.session.add(Court(code="浙1081", name="温岭市人民法院", zones=[], policy={"storage_tariffs": {"vehicle": 2500}}))
    uow.session.flush()
    item = _intake(uow, tariff_daily_fen=None)
    assert item.tariff_daily_fen == 2500
    assert custody.costs(uow, item.id, date(2026, 3, 2)).storage_fee_fen == 5000
