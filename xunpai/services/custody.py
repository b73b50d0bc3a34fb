"""Custody of seized vehicles and movables in the database: intake, photos, moves, tasks, costs, viewing
appointments and release after the sale. Every event is appended to the ledger in the caller's transaction.

Rules (fees, checklists, who may receive an item) are in ``auction.custody``; this module stores and records.
Viewing capacity and "one booking per person per item" are enforced by constraints (``xunpai.storage.models.custody``),
so the check holds under concurrent bookings on PostgreSQL and SQLite; here we only pick a free seat and turn a
constraint violation into a clear Chinese refusal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from auction import custody as rules
from auction.case_number import InvalidCaseNumber
from auction.case_number import parse as parse_case_number
from xunpai.services import authority
from xunpai.services.rows import require_row
from xunpai.storage import ledger
from xunpai.storage.models.accounts import Court
from xunpai.storage.models.custody import (
    CustodyCost,
    CustodyItem,
    CustodyPhoto,
    CustodyTask,
    ViewingBooking,
    ViewingSlot,
)
from xunpai.storage.models.lots import Lot
from xunpai.storage.repositories import custody as repo
from xunpai.storage.repositories.constraints import add_unless_refused
from xunpai.storage.unit_of_work import UnitOfWork

for _kind, _name in {
    "custody.intake": "保管物入库", "custody.photo": "保管物拍照", "custody.move": "保管物移库",
    "custody.task": "保管任务", "custody.task_done": "保管任务完成", "custody.cost": "保管相关费用",
    "custody.viewing_slot": "看样时段", "custody.viewing_booked": "预约看样", "custody.viewing_cancelled": "取消看样预约",
    "custody.release": "保管物出库", "custody.link": "保管物关联标的",
}.items():
    ledger.register_kind(_kind, _name)


class SlotFull(rules.CustodyError):
    pass


class AlreadyBooked(rules.CustodyError):
    pass


def _item(uow: UnitOfWork, item_id: int) -> CustodyItem:
    return require_row(uow, CustodyItem, item_id, rules.CustodyError(f"保管物 {item_id} 不存在。"))


CUSTODY_WRITERS = ("clerk",)  # the clerks keep custody (the web's custody page is theirs)


def _may_write(uow: UnitOfWork, actor: str, *, court_code: str | None = None, item_id: int | None = None,
               what: str) -> None:
    """The write check (``authority.require``) for a custody record: of ``court_code``, or of the item's court.
    Called first in the service's block, before it writes (a refusal stays in the ledger)."""
    if item_id is not None:
        item = uow.session.get(CustodyItem, item_id)
        if item is None:
            return  # the service's own "不存在" follows
        court_code = item.court_code
    authority.require(uow, actor, court_code, what=what, roles=CUSTODY_WRITERS)


def _record(uow: UnitOfWork, item: CustodyItem, kind: str, payload: dict[str, Any], actor: str) -> None:
    ledger.append(uow.session, kind, {"item_id": item.id, **payload}, actor=actor, court_code=item.court_code,
                  case_number=item.case_number, purpose="保管")


def court_tariff(uow: UnitOfWork, court_code: str, kind: str) -> int:
    """The court's daily storage tariff for a kind of item, from its policy (``storage_tariffs``, fen per day)."""
    with uow:
        court = uow.session.get(Court, court_code)
        tariffs = (court.policy or {}).get("storage_tariffs", {}) if court is not None else {}
        if kind not in tariffs:
            raise rules.CustodyError(f"法院“{court_code}”未设定{rules.CUSTODY_KINDS.get(kind, kind)}的日保管费标准；"
                                     "请在入库时指定日保管费（元/日）。")
        return int(tariffs[kind])


def intake(uow: UnitOfWork, *, court_code: str, case_number: str, kind: str, description: str, location: str,
           condition: str, checklist: dict[str, str], tariff_daily_fen: int | None, intake_on: date,
           photos: Sequence[tuple[str, bytes]] = (), identifiers: dict[str, str] | None = None, debtor: str = "",
           lot_id: int | None = None, actor: str = "", today: date | None = None) -> CustodyItem:
    """入库: the item, where it is, its condition, the complete intake checklist and at least one photo.

    ``tariff_daily_fen`` None: the court's tariff for the kind, ``Court.policy["storage_tariffs"][kind]`` (fen/day).
    The case must be one of the court's own (its 案号 carries the court code), and the intake date cannot be
    later than ``today`` (default: today in Beijing): storage fees borne by the debtor count from it."""
    with uow:
        session = uow.session
        try:  # the record's court is its case's (the 案号 carries it); a bad 案号 is refused below
            case_court = parse_case_number(case_number).court_code
        except InvalidCaseNumber:
            case_court = (court_code or "").strip()
        _may_write(uow, actor, court_code=case_court, what="保管物入库")
        named = session.get(Lot, lot_id) if lot_id is not None else None
        if named is not None:  # the lot named is a record of its court too (another court's lot id is refused)
            _may_write(uow, actor, court_code=named.court_code, what="保管物关联标的")
        try:
            parsed = parse_case_number(case_number)
        except InvalidCaseNumber as exc:
            raise rules.CustodyError(str(exc)) from None
        case_number = str(parsed)
        if parsed.court_code != court_code.strip():
            raise rules.CustodyError(f"案号{case_number}属于法院“{parsed.court_code}”，与入库法院“{court_code}”不一致；"
                                     "请核对法院代字或案号。")
        today = today or ledger.now_local().date()
        if intake_on > today:
            raise rules.CustodyError(f"入库日期 {intake_on.isoformat()} 晚于今天 {today.isoformat()}；应填写实际入库的日期。")
        missing = rules.missing_checklist_items(kind, checklist)
        if missing:
            raise rules.CustodyError(f"入库检查清单未填完：{'、'.join(missing)}。")
        if not photos:
            raise rules.CustodyError("入库须至少拍摄一张照片。")
        if tariff_daily_fen is None:
            tariff_daily_fen = court_tariff(uow, court_code, kind)
        if tariff_daily_fen < 0:
            raise rules.CustodyError("日保管费不能为负数。")
        lot = session.get(Lot, lot_id) if lot_id is not None else None
        if lot_id is not None and lot is None:
            raise rules.CustodyError(f"标的 {lot_id} 不存在。")
        if lot is not None and (lot.court_code != parsed.court_code or lot.case_number != case_number):
            raise rules.CustodyError(f"标的 {lot_id} 不属于案件{case_number}，不能关联；保管物只能关联本案的标的。")
        item = CustodyItem(court_code=court_code, case_number=case_number, kind=kind, description=description,
                           identifiers=identifiers or {}, debtor=debtor, location=location, condition=condition,
                           checklist=dict(checklist), tariff_daily_fen=tariff_daily_fen, intake_on=intake_on,
                           status="in_custody", lot_id=lot_id, created_at=ledger.now_local())
        session.add(item)
        session.flush()
        hashes = [add_photo(uow, item.id, name, data, stage="intake", actor=actor, record=False).sha256
                  for name, data in photos]
        _record(uow, item, "custody.intake",
                {"kind": kind, "description": description, "location": location, "condition": condition,
                 "checklist": checklist, "tariff_daily_fen": tariff_daily_fen, "intake_on": intake_on,
                 "photos_sha256": hashes, "identifiers": identifiers or {}}, actor)
        uow.commit()
        return item


def add_photo(uow: UnitOfWork, item_id: int, filename: str, data: bytes, *, stage: str = "inspection",
              actor: str = "", record: bool = True) -> CustodyPhoto:
    with uow:
        session = uow.session
        item = _item(uow, item_id)
        digest = rules.sha256_file(data)
        existing = repo.photo_by_digest(session, item_id, digest)
        if existing is not None:
            uow.commit()
            return existing
        photo = CustodyPhoto(item_id=item_id, sha256=digest, filename=filename, size=len(data), stage=stage,
                             recorded_at=ledger.now_local())
        session.add(photo)
        session.flush()
        if record:
            _record(uow, item, "custody.photo", {"filename": filename, "sha256": digest, "stage": stage}, actor)
        uow.commit()
        return photo


def link_lot(uow: UnitOfWork, item_id: int, lot_id: int, *, actor: str = "") -> CustodyItem:
    """Attach an item taken into custody before its lot existed to that lot (the usual order: seizure and
    storage, then price and listing), so that the sale's outcome governs its release and its costs count
    for the lot. The lot must belong to the same case."""
    with uow:
        session = uow.session
        _may_write(uow, actor, item_id=item_id, what="关联保管物与标的")
        item = _item(uow, item_id)
        if item.status != "in_custody":
            raise rules.CustodyError("该保管物已出库，不能再关联标的。")
        lot = session.get(Lot, lot_id)
        if lot is None:
            raise rules.CustodyError(f"标的 {lot_id} 不存在。")
        if lot.case_number != item.case_number:
            raise rules.CustodyError(f"标的 {lot.lot_code} 属于案件{lot.case_number}，保管物属于案件{item.case_number}，"
                                     "不能关联。")
        previous, item.lot_id = item.lot_id, lot.id
        _record(uow, item, "custody.link", {"lot_id": lot.id, "lot_code": lot.lot_code, "previous_lot_id": previous},
                actor)
        uow.commit()
        return item


def move(uow: UnitOfWork, item_id: int, location: str, *, on: date, actor: str = "", reason: str = "") -> None:
    with uow:
        _may_write(uow, actor, item_id=item_id, what="保管物移库")
        item = _item(uow, item_id)
        if item.status != "in_custody":
            raise rules.CustodyError("该保管物已出库，不能移库。")
        previous, item.location = item.location, location
        _record(uow, item, "custody.move", {"from": previous, "to": location, "on": on, "reason": reason}, actor)
        uow.commit()


def add_task(uow: UnitOfWork, item_id: int, kind: str, due_on: date, *, actor: str = "") -> CustodyTask:
    with uow:
        session = uow.session
        _may_write(uow, actor, item_id=item_id, what="添加保管任务")
        item = _item(uow, item_id)
        if kind not in rules.TASK_KINDS:
            raise rules.CustodyError(f"任务类型“{kind}”无效，应为：" +
                                     "、".join(f"{k}（{v}）" for k, v in rules.TASK_KINDS.items()))
        task = CustodyTask(item_id=item_id, kind=kind, due_on=due_on, result="", created_at=ledger.now_local())
        session.add(task)
        session.flush()
        _record(uow, item, "custody.task", {"task_id": task.id, "kind": kind, "due_on": due_on}, actor)
        uow.commit()
        return task


def complete_task(uow: UnitOfWork, task_id: int, *, done_on: date, result: str, cost_fen: int = 0,
                  actor: str = "") -> CustodyTask:
    with uow:
        task = require_row(uow, CustodyTask, task_id, rules.CustodyError(f"保管任务 {task_id} 不存在。"))
        _may_write(uow, actor, item_id=task.item_id, what="完成保管任务")
        if task.done_on is not None:
            raise rules.CustodyError(f"保管任务 {task_id} 已于 {task.done_on} 完成。")
        task.done_on, task.result = done_on, result
        item = _item(uow, task.item_id)
        _record(uow, item, "custody.task_done", {"task_id": task.id, "kind": task.kind, "done_on": done_on,
                                                     "result": result, "cost_fen": cost_fen}, actor)
        if cost_fen:
            cost_kind = task.kind if task.kind in rules.COST_KINDS else "other"
            add_cost(uow, item.id, cost_kind, cost_fen, incurred_on=done_on, note=f"任务 {task.id}", actor=actor)
        uow.commit()
        return task


def add_cost(uow: UnitOfWork, item_id: int, kind: str, amount_fen: int, *, incurred_on: date, note: str = "",
             actor: str = "") -> CustodyCost:
    with uow:
        session = uow.session
        _may_write(uow, actor, item_id=item_id, what="登记保管费用")
        item = _item(uow, item_id)
        if kind not in rules.COST_KINDS:
            raise rules.CustodyError(f"费用类型“{kind}”无效，应为：" + "、".join(rules.COST_KINDS))
        if amount_fen < 0:
            raise rules.CustodyError("费用不能为负数。")
        cost = CustodyCost(item_id=item_id, kind=kind, amount_fen=amount_fen, incurred_on=incurred_on, note=note)
        session.add(cost)
        session.flush()
        _record(uow, item, "custody.cost", {"kind": kind, "amount_fen": amount_fen, "incurred_on": incurred_on,
                                                "note": note}, actor)
        uow.commit()
        return cost


# --- viewing ------------------------------------------------------------------------------------------------

def open_slot(uow: UnitOfWork, item_id: int, starts_at: datetime, ends_at: datetime, capacity: int, *,
              place: str = "", actor: str = "") -> ViewingSlot:
    with uow:
        session = uow.session
        _may_write(uow, actor, item_id=item_id, what="开放看样时段")
        item = _item(uow, item_id)
        if capacity < 1:
            raise rules.CustodyError("看样时段的名额应至少为 1。")
        if ends_at <= starts_at:
            raise rules.CustodyError("看样时段的结束时间应晚于开始时间。")
        slot = ViewingSlot(item_id=item_id, starts_at=starts_at, ends_at=ends_at, capacity=capacity,
                           place=place or item.location)
        session.add(slot)
        session.flush()
        _record(uow, item, "custody.viewing_slot", {"slot_id": slot.id, "starts_at": starts_at,
                                                        "ends_at": ends_at, "capacity": capacity}, actor)
        uow.commit()
        return slot


def book_viewing(uow: UnitOfWork, slot_id: int, *, visitor_name: str, identity: str, phone: str = "",
                 actor: str = "") -> ViewingBooking:
    """预约看样. Refuses a full slot and a second booking by the same person for the same item."""
    with uow:
        session = uow.session
        slot = require_row(uow, ViewingSlot, slot_id, rules.CustodyError(f"看样时段 {slot_id} 不存在。"))
        key = rules.visitor_key(identity)
        item = _item(uow, slot.item_id)
        twice = AlreadyBooked(f"{visitor_name} 已预约过该标的的看样，不能重复预约。")
        if repo.booking_of_visitor(session, slot.item_id, key) is not None:
            raise twice
        taken = repo.taken_seats(session, slot_id)
        for seat in range(1, slot.capacity + 1):
            if seat in taken:
                continue
            booking = ViewingBooking(slot_id=slot_id, slot_capacity=slot.capacity, seat=seat, item_id=slot.item_id,
                                     visitor_key=key, visitor_name=visitor_name, phone=phone,
                                     booked_at=ledger.now_local())
            if not add_unless_refused(session, booking):
                # Someone else took this seat (or this person booked) in the meantime: the constraint decided.
                if repo.booking_of_visitor(session, slot.item_id, key) is not None:
                    raise twice
                continue
            _record(uow, item, "custody.viewing_booked",
                    {"slot_id": slot_id, "booking_id": booking.id, "seat": seat, "visitor_name": visitor_name,
                     "visitor_key": key, "starts_at": slot.starts_at}, actor)
            uow.commit()
            return booking
        raise SlotFull(f"看样时段 {slot.starts_at:%Y-%m-%d %H:%M} 的 {slot.capacity} 个名额已满，请选择其他时段。")


def cancel_booking(uow: UnitOfWork, booking_id: int, *, actor: str = "") -> None:
    with uow:
        session = uow.session
        booking = require_row(uow, ViewingBooking, booking_id, rules.CustodyError(f"看样预约 {booking_id} 不存在。"))
        item = _item(uow, booking.item_id)
        session.delete(booking)
        session.flush()
        _record(uow, item, "custody.viewing_cancelled", {"booking_id": booking_id, "slot_id": booking.slot_id},
                actor)
        uow.commit()


def slot_bookings(uow: UnitOfWork, slot_id: int) -> int:
    with uow:
        return repo.booking_count(uow.session, slot_id)


# --- costs and release ----------------------------------------------------------------------------------------

def costs(uow: UnitOfWork, item_id: int, until: date | None = None) -> rules.DebtorCosts:
    """What the debtor bears for the item (网拍规定 art. 7): storage to ``until`` (or the release day) inclusive,
    plus the recorded costs."""
    with uow:
        session = uow.session
        item = _item(uow, item_id)
        end = item.released_on or until
        if end is None:
            raise rules.CustodyError("在库的保管物计算保管费需要截止日期。")
        others = repo.cost_amounts(session, item_id)
        return rules.debtor_costs(item.tariff_daily_fen, item.intake_on, end, others)


@dataclass(frozen=True)
class LotCosts:
    lot_id: int
    items: int
    storage_fee_fen: int
    other_costs_fen: int

    @property
    def total_fen(self) -> int:
        return self.storage_fee_fen + self.other_costs_fen


def lot_costs(uow: UnitOfWork, lot_id: int, until: date) -> LotCosts:
    """The storage costs per lot borne by the debtor: every item of the lot, to its release day or ``until``."""
    with uow:
        session = uow.session
        storage = other = 0
        items = repo.items_of_lot(session, lot_id)
        for item in items:
            result = costs(uow, item.id, until)
            storage += result.storage_fee_fen
            other += result.other_costs_fen
        return LotCosts(lot_id, len(items), storage, other)


def release(uow: UnitOfWork, item_id: int, kind: str, *, on: date, recipient: str, actor: str = "") -> rules.DebtorCosts:
    """出库: delivery to the buyer after the sale, transfer in lieu of payment, or return to the debtor."""
    with uow:
        session = uow.session
        _may_write(uow, actor, item_id=item_id, what="保管物出库")
        item = _item(uow, item_id)
        if item.status != "in_custody":
            raise rules.CustodyError(f"该保管物已于 {item.released_on} 出库（{rules.ITEM_STATUSES.get(item.status)}）。")
        if kind == "delivered" and not item.lot_id:
            raise rules.CustodyError("该保管物没有关联标的，无从核对成交结果；请先用 xunpai custody link 关联标的。")
        outcome = session.get(Lot, item.lot_id).outcome if item.lot_id else None
        rules.check_release(kind, outcome)
        if on < item.intake_on:
            raise rules.CustodyError(f"出库日 {on} 早于入库日 {item.intake_on}。")
        if not recipient.strip():
            raise rules.CustodyError("出库须写明接收人。")
        item.status, item.released_on = kind, on
        session.flush()
        result = costs(uow, item_id)
        _record(uow, item, "custody.release",
                {"kind": kind, "kind_name": rules.RELEASE_KINDS[kind], "on": on, "recipient": recipient,
                 "storage_days": result.storage_days, "storage_fee_fen": result.storage_fee_fen,
                 "other_costs_fen": result.other_costs_fen, "debtor_total_fen": result.total_fen}, actor)
        uow.commit()
        return result


def open_viewings(uow: UnitOfWork, case_number: str, *, after: datetime) -> list[tuple[CustodyItem, ViewingSlot, int]]:
    """The viewing slots still to come of a case's seized items, with their free seats."""
    with uow:
        session = uow.session
        out = []
        for item in repo.items_of_case(session, case_number):
            slots = repo.slots_starting_from(session, item.id, after)
            out += [(item, slot, slot.capacity - slot_bookings(uow, slot.id)) for slot in slots]
        return out


def case_of_slot(uow: UnitOfWork, slot_id: int) -> str | None:
    """The case number of the item a viewing slot belongs to (None: no such slot)."""
    with uow:
        slot = uow.session.get(ViewingSlot, slot_id)
        item = uow.session.get(CustodyItem, slot.item_id) if slot else None
        return item.case_number if item else None


def get_item(uow: UnitOfWork, item_id: int | None) -> CustodyItem | None:
    with uow:
        return uow.session.get(CustodyItem, item_id) if item_id is not None else None


def court_items(uow: UnitOfWork, court_code: str, *, lot_id: int | None = None) -> list[CustodyItem]:
    """A court's items in custody, newest first (optionally those of one lot)."""
    with uow:
        return repo.items_of_court(uow.session, court_code, lot_id=lot_id)


def viewing_schedule(uow: UnitOfWork, item_ids: Sequence[int], *, since: datetime
                     ) -> tuple[list[ViewingSlot], dict[int, list[ViewingBooking]]]:
    """The viewing slots of these items that end after ``since`` (by start) and the bookings of each slot."""
    with uow:
        session = uow.session
        slots = repo.slots_ending_from(session, item_ids, since)
        bookings: dict[int, list[ViewingBooking]] = {}
        for booking in repo.bookings_of_slots(session, [s.id for s in slots]):
            bookings.setdefault(booking.slot_id, []).append(booking)
        return slots, bookings
