"""Use cases of a lot's life after its listing (``auction.lifecycle``): record an event (checked by the state
machine, appended to ``lot_events`` and to the ledger), start the next round (二拍 / 变卖 / re-auction after 悔拍)
in one step from the lot, the lot's agenda, its documents with the stored court profile, and the court profile
itself (edited by the court's administrator).

Every write checks the acting user's court (``court_code``: the lot's court, or the administrator's own court).
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from auction import agenda as agendas
from auction.documents import DocumentError, DocumentKind, lifecycle_kinds, render_document
from auction.lifecycle import (
    OUTCOME_OF_STATE,
    Event,
    EventKind,
    Lifecycle,
    LotState,
    NextStep,
    TransitionRefused,
    shortfall_fen,
)
from auction.listing_plan import AuctionRound, PlanRefused, plan_listing
from auction.lot import BankAccount, Contact, CourtInfo, court_from_dict, court_to_dict
from tax_baseline.money import format_yuan
from xunpai.services import authority, procedure
from xunpai.storage import ledger
from xunpai.storage.models.accounts import Court
from xunpai.storage.models.lifecycle import CourtProfile, LotEvent
from xunpai.storage.models.lots import Lot
from xunpai.storage.repositories import lifecycle as repo
from xunpai.storage.unit_of_work import UnitOfWork

ledger.register_kind("lot.event", "标的流程事项", lambda p: f"{p.get('lot_code', '')}：{p.get('label', '')}"
                     f"（{p.get('on', '')}）→ {p.get('state_name', '')}")
ledger.register_kind("lot.next_round", "启动下一轮处置",
                     lambda p: f"{p.get('from_lot_code', '')} → {p.get('lot_code', '')}（{p.get('round_name', '')}）")
ledger.register_kind("court.profile", "保存法院信息", lambda p: p.get("court_code", ""))


class LifecycleError(ValueError):
    """A request that cannot be carried out (message in Chinese); nothing was changed."""


class NotAllowed(LifecycleError):
    """The acting user may not act on this lot or court."""


@dataclass
class LotView:
    """A lot with its lifecycle, events, next steps, the other rounds of the same property and the court profile."""

    row: Lot
    life: Lifecycle
    events: list[LotEvent]
    steps: list[NextStep]
    series: list[Lot]
    court: CourtInfo | None
    documents: list[DocumentKind] = field(default_factory=list)
    next_round: AuctionRound | None = None  # the round ``start_next_round`` would create, when allowed


def _now() -> datetime:
    return ledger.now_local()


def _lot(session, lot_id: int, court_code: str | None) -> Lot:
    row = session.get(Lot, lot_id)
    if row is None:
        raise LifecycleError(f"标的 {lot_id} 不存在。")
    if court_code is not None and row.court_code != court_code:
        raise NotAllowed(f"标的 {row.lot_code} 属于法院 {row.court_code}，不能由本院（{court_code}）操作。")
    return row


def _barred(session, row: Lot) -> tuple[str, ...]:
    """ID numbers and names of the buyers who reneged on an earlier round of the same property (网拍规定 art. 24
    para. 2; 拍卖变卖规定 art. 22)."""
    out: list[str] = []
    for other in repo.lot_series(session, row.court_code, row.case_number, row.lot_code):
        if other.id >= row.id:
            continue
        life = _replay(session, other, ())
        if life.state is LotState.RENEGED and life.sale is not None:
            # by the ID number (another person may bear the same name); the name only when no number was recorded
            out.append(life.sale.buyer_id_number or life.sale.buyer_name)
        elif life.state is LotState.RENEGED and life.offer:  # the 承受人 who did not pay the difference (art. 22)
            out.append(life.offer["to"])
    return tuple(x for x in out if x)


def _replay(session, row: Lot, barred: tuple[str, ...]) -> Lifecycle:
    events = [Event(EventKind(e.kind), e.on, e.at, dict(e.data or {})) for e in repo.events_of(session, row.id)]
    try:
        return Lifecycle.replay(row.lot, events, barred=barred, today=date.max)
    except TransitionRefused as exc:  # the stored events no longer replay: a programming error, not user input
        raise RuntimeError(f"lot {row.id}: stored events do not replay: {exc}") from exc


def _life(session, row: Lot) -> Lifecycle:
    return _replay(session, row, _barred(session, row))


def _next_round(life: Lifecycle) -> AuctionRound | None:
    if life.state is LotState.RENEGED:
        return life.round
    if life.state is LotState.UNSOLD and (life.offer is None or life.offer.get("answer") != "accepted"):
        return {AuctionRound.FIRST_AUCTION: AuctionRound.SECOND_AUCTION,
                AuctionRound.SECOND_AUCTION: AuctionRound.FIXED_PRICE_SALE}.get(life.round)
    return None


def lot_view(uow: UnitOfWork, lot_id: int, *, court_code: str | None = None) -> LotView:
    with uow:
        session = uow.session
        row = _lot(session, lot_id, court_code)
        life = _life(session, row)
        calendar = procedure.load_calendar(uow)
        series = [r for r in repo.lot_series(session, row.court_code, row.case_number, row.lot_code)]
        court = _court_info(session, row.court_code)
        return LotView(row, life, repo.events_of(session, row.id), life.next_steps(calendar), series, court,
                       lifecycle_kinds(life), _next_round(life) if not any(r.id > row.id for r in series) else None)


def _sync_outcome(row: Lot, life: Lifecycle) -> None:
    """Keep the lot's outcome columns (the statistics' source, ``auction.outcomes``) equal to the lifecycle."""
    outcome = OUTCOME_OF_STATE.get(life.state)
    if outcome is None:  # not (or no longer: resumed after a suspension) an outcome
        row.outcome, row.sale_price_fen, row.outcome_on, row.sale = None, None, None, None
        return
    row.outcome = outcome
    row.sale_price_fen = life.sale.price_fen if outcome == "sold" and life.sale else None
    day = {"sold": life.sale.sold_at.date() if life.sale else None, "unsold": life.unsold_on,
           "reneged": life.sale.sold_at.date() if life.sale else None}.get(outcome)
    row.outcome_on = day or life.events[-1].on
    if outcome == "sold" and life.sale:
        s = life.sale
        row.sale = {"buyer_name": s.buyer_name, "buyer_id_number": s.buyer_id_number, "bidder_code": s.bidder_code,
                    "price_fen": s.price_fen, "sold_at": s.sold_at.isoformat(timespec="seconds"),
                    "paid_in_full_on": life.paid_on.isoformat() if life.paid_on else None,
                    "ruling_case_number": row.case_number,
                    "by_priority_purchaser": bool(s.by_priority_purchaser)}
    elif outcome != "sold":
        row.sale = None
    if outcome in ("sold", "unsold", "reneged"):
        row.status = "ended"


def record_event(uow: UnitOfWork, lot_id: int, kind: str, on: date, *, at: datetime | None = None,
                 data: dict[str, Any] | None = None, actor: str = "", court_code: str | None = None,
                 today: date | None = None) -> Lifecycle:
    """Record one event of the lot (``auction.lifecycle.EventKind``): checked by the state machine (refused with
    ``TransitionRefused`` naming the article), appended to ``lot_events`` and to the ledger; the lot's outcome
    columns follow. ``today`` (default: the court's date) bounds the date: nothing is recorded in the future."""
    try:
        event_kind = EventKind(kind)
    except ValueError:
        raise LifecycleError(f"事项“{kind}”无效。") from None
    event = Event(event_kind, on, at, dict(data or {}))
    with uow:
        session = uow.session
        row = _lot(session, lot_id, court_code)
        authority.require(uow, actor, row.court_code, what="登记拍卖事项", roles=authority.LOT_WRITERS)
        before = _life(session, row)
        life = before.apply(event, today=today or _now().date())
        extra: dict[str, Any] = {}
        if event_kind in (EventKind.SOLD, EventKind.CORRECT_SALE) and before.barred:
            extra = _shortfall(session, row, life)
        stored = dict(event.data)
        if extra:
            stored["shortfall"] = extra
        if event_kind is EventKind.RENEGE:  # the forfeited deposit, accounted for (网拍规定 art. 24)
            stored["forfeited_deposit_fen"] = life.forfeited_deposit_fen
            stored["balance_due_on"] = life.sale.balance_due_on.isoformat() if life.sale.balance_due_on else None
        session.add(LotEvent(lot_id=row.id, seq=repo.next_seq(session, row.id), kind=event_kind.value,
                             state_after=life.state.value, on=on, at=at, data=stored, actor=actor,
                             recorded_at=_now()))
        _sync_outcome(row, life)
        row.updated_at = _now()
        public = {k: v for k, v in stored.items() if k != "buyer_id_number"}
        if stored.get("buyer_id_number"):
            public["buyer_id_sha256"] = hashlib.sha256(str(stored["buyer_id_number"]).encode()).hexdigest()
        ledger.append(session, "lot.event", {
            "lot_id": row.id, "lot_code": row.lot_code, "round": row.round, "kind": event_kind.value,
            "label": event_kind.label, "on": on, "at": at, "data": public, "state_before": before.state.value,
            "state": life.state.value, "state_name": life.state.label},
            actor=actor, court_code=row.court_code, case_number=row.case_number, purpose=event_kind.label)
        session.flush()
        uow.commit()
        return life


def _shortfall(session, row: Lot, life: Lifecycle) -> dict[str, Any]:
    """The re-auction's price against the round the buyer reneged on (拍卖变卖规定 art. 22 para. 2)."""
    for other in reversed(repo.lot_series(session, row.court_code, row.case_number, row.lot_code)):
        if other.id >= row.id:
            continue
        previous = _replay(session, other, ())
        if previous.state is LotState.RENEGED:
            figures = shortfall_fen(previous.sale.price_fen, life.sale.price_fen, previous.forfeited_deposit_fen or 0)
            return {**figures, "reneged_lot_id": other.id, "reneged_buyer": previous.sale.buyer_name,
                    "original_price_fen": previous.sale.price_fen}
    return {}


def start_next_round(uow: UnitOfWork, lot_id: int, *, announce_on: date, actor: str = "",
                     court_code: str | None = None, starting_price: str | None = None,
                     notified_on: date | None = None, notice_method: str = "",
                     posted_on: date | None = None) -> Lot:
    """The next round of the same property in one step from the lot: after a failed first auction the second
    (起拍价 cut ≤ 20%, bidding within 30 days of the failure rolled by 民诉法 art. 85, 网拍规定 art. 26); after a
    failed second auction the 变卖 (at the second starting price by default, never below it, 拍卖变卖规定 art. 25
    para. 2); after 悔拍 the same round again with the reneging buyer barred (网拍规定 art. 24). The parties and
    priority purchasers get the new round's notice date (网拍规定 art. 16) when ``notified_on`` is given; those who
    cannot be reached the new round's posting date (``posted_on``: each round is posted anew, art. 16 para. 1)."""
    with uow:
        session = uow.session
        row = _lot(session, lot_id, court_code)
        authority.require(uow, actor, row.court_code, what="启动下一轮处置", roles=authority.LOT_WRITERS)
        life = _life(session, row)
        series = repo.lot_series(session, row.court_code, row.case_number, row.lot_code)
        if any(r.id > row.id for r in series):
            raise LifecycleError(f"标的 {row.lot_code} 已启动下一轮处置。")
        target = _next_round(life)
        if target is None:
            if life.state is LotState.UNSOLD and life.is_fixed_price_sale:
                raise LifecycleError("变卖不成的，不再拍卖：可以交申请执行人抵债，否则解除查封退还被执行人"
                                     "（拍卖变卖规定第三十二条第三款）。")
            raise LifecycleError(f"标的当前状态为“{life.state.label}”，只有流拍或悔拍后才能启动下一轮处置"
                                 "（网拍规定第二十四条、第二十六条）。")
        calendar = procedure.load_calendar(uow)
        plan = row.lot.plan
        try:
            if life.state is LotState.RENEGED:
                new_plan = plan_listing(
                    _yuan(plan.reference_price_fen), row.lot.kind, target, announce_on,
                    previous_starting_price=_yuan(plan.previous_starting_price_fen)
                    if plan.previous_starting_price_fen else None,
                    starting_price=starting_price or _yuan(plan.starting_price_fen),
                    is_working_day=calendar.is_working_day)
            else:
                new_plan = plan_listing(
                    _yuan(plan.reference_price_fen), row.lot.kind, target, announce_on,
                    previous_starting_price=_yuan(plan.starting_price_fen),
                    failed_on=life.unsold_on if target is AuctionRound.SECOND_AUCTION else None,
                    starting_price=starting_price or None, is_working_day=calendar.is_working_day)
        except PlanRefused as exc:
            raise LifecycleError(str(exc)) from None
        except ValueError as exc:
            raise LifecycleError(str(exc)) from None
        content = copy.deepcopy(row.lot)
        content.plan, content.sale = new_plan, None
        reauctions = sum(1 for r in series if r.round == target.value)
        if reauctions:
            content.lot_id = f"{row.lot.lot_id.split('-重拍')[0]}-重拍{reauctions}"
        if posted_on is not None and posted_on > _now().date():
            raise LifecycleError(f"公示日期 {posted_on.isoformat()} 晚于今天，不能登记尚未发生的公示。")
        for person in list(content.parties) + list(content.priority_purchasers or []):
            if not person.waived and person.unreachable_reason and person.notified_on is None:
                person.posted_on = posted_on  # the previous round's posting does not notify this round
        if notified_on is not None:
            if notified_on > _now().date():
                raise LifecycleError(f"通知日期 {notified_on.isoformat()} 晚于今天，不能登记尚未发生的通知。")
            for person in list(content.parties) + list(content.priority_purchasers or []):
                if not person.waived and not person.unreachable_reason:
                    person.notified_on = notified_on
                    if hasattr(person, "notice_method") and notice_method:
                        person.notice_method = notice_method
        now = _now()
        new = Lot(lot=content, status="draft", created_at=now, updated_at=now, procedure_lot_id=row.procedure_lot_id)
        session.add(new)
        session.flush()
        ledger.append(session, "lot.next_round", {
            "from_lot_id": row.id, "from_lot_code": row.lot_code, "from_state": life.state.value,
            "lot_id": new.id, "lot_code": new.lot_code, "round": target.value, "round_name": target.label,
            "starting_price_fen": new_plan.starting_price_fen, "announce_on": announce_on,
            "barred": [hashlib.sha256(b.encode()).hexdigest() for b in _barred(session, new)]},
            actor=actor, court_code=row.court_code, case_number=row.case_number, purpose="启动下一轮处置")
        uow.commit()
        return new


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


# --- documents --------------------------------------------------------------------------------------------


def lot_document(uow: UnitOfWork, lot_id: int, kind: str, fmt: str, *, court_code: str | None = None) -> tuple[bytes, str]:
    """One document of the lot (DOCX or PDF) from its template, the stored court profile and the lot's events;
    ``DocumentError`` says in Chinese which event or field is missing."""
    with uow:
        session = uow.session
        row = _lot(session, lot_id, court_code)
        life = _life(session, row)
        court = _court_info(session, row.court_code)
        lot_code = row.lot_code
    if court is None:
        raise DocumentError(f"法院 {row.court_code} 尚未保存法院信息（账户、合议庭、书记员、监督电话、印章），"
                            "请本院管理员在“法院信息”页填写后再制作文书。")
    try:
        kind_ = DocumentKind(kind)
    except ValueError:
        raise DocumentError(f"文书“{kind}”不存在。") from None
    data = render_document(kind_, life.lot, life.plan, court, fmt=fmt, life=life,
                           created_on=row.created_at.date())
    return data, f"{lot_code}-{kind_.label}.{fmt}"


# --- the agenda -------------------------------------------------------------------------------------------


def open_steps(uow: UnitOfWork, court_code: str | None) -> list[agendas.OpenStep]:
    """Every open step of the court's lots with its deadline, as ``auction.agenda.OpenStep`` (the same shape as the
    reference-price procedure's steps, so one agenda can show both)."""
    with uow:
        session = uow.session
        calendar = procedure.load_calendar(uow)
        steps = []
        for row in repo.lots_with_events(session, court_code):
            life = _life(session, row)
            for step in life.next_steps(calendar):
                steps.append(agendas.OpenStep(row.court_code, row.case_number,
                                              f"标的 {row.lot_code}（{row.lot.plan.round.label}）", step.step,
                                              step.deadline, f"lot:{row.id}"))
        return steps


def court_agenda(uow: UnitOfWork, court_code: str, today: date) -> list[agendas.AgendaItem]:
    """The court's lot steps flagged and sorted (overdue first)."""
    return agendas.build(open_steps(uow, court_code), today)


# --- the court profile ------------------------------------------------------------------------------------


def _court_info(session, court_code: str) -> CourtInfo | None:
    profile = repo.court_profile(session, court_code)
    if profile is None:
        return None
    return court_from_dict(profile.profile)


def court_info(uow: UnitOfWork, court_code: str) -> CourtInfo | None:
    """The stored court profile as ``auction.lot.CourtInfo`` (None when the court has none yet)."""
    with uow:
        return _court_info(uow.session, court_code)


def _lines(text: str) -> list[str]:
    return [x.strip() for x in (text or "").replace("，", "\n").replace("、", "\n").replace(",", "\n").splitlines()
            if x.strip()]


def save_court_profile(uow: UnitOfWork, court_code: str, *, actor: str, actor_role: str,
                       actor_court: str | None, address: str = "", supervision_phone: str = "",
                       bank: str = "", account_name: str = "", account_number: str = "", judges: str = "",
                       clerk: str = "", seal_text: str = "", contacts: str = "") -> CourtInfo:
    """Save the court profile. Only an administrator, and one of another court only when not bound to a court.
    ``judges``: the collegial panel, 审判长 first (one per line or separated by 、); ``contacts``: one per line as
    ``姓名 电话 [角色]``. Refuses an incomplete profile, naming what is missing (CourtInfo.missing)."""
    if actor_role != "admin":
        raise NotAllowed("只有管理员可以编辑法院信息。")
    if actor_court and actor_court != court_code:
        raise NotAllowed(f"本院管理员只能编辑本院（{actor_court}）的法院信息。")
    people = []
    for number, line in enumerate((contacts or "").splitlines(), start=1):
        parts = line.replace("，", " ").replace(",", " ").split()
        if not parts:
            continue
        if len(parts) < 2 or not any(ch.isdigit() for ch in parts[1]):
            raise LifecycleError(f"联系人第 {number} 行“{line.strip()}”应为“姓名 电话 [角色]”，如“李书记员 0576-86000002 书记员”。")
        people.append(Contact(parts[0], parts[1], " ".join(parts[2:])))
    with uow:
        session = uow.session
        court = session.get(Court, court_code)
        if court is None:
            raise LifecycleError(f"法院 {court_code} 不存在。")
        info = CourtInfo(name=court.name, address=address.strip(), contacts=people,
                         supervision_phone=supervision_phone.strip(),
                         account=BankAccount(bank.strip(), account_name.strip(), account_number.strip())
                         if (bank or account_name or account_number) else None,
                         judges=_lines(judges), clerk=clerk.strip(), seal_text=seal_text.strip())
        missing = info.missing()
        if missing:
            raise LifecycleError("法院信息不完整，缺少：" + "、".join(missing) + "。")
        row = session.get(CourtProfile, court_code)
        if row is None:
            row = CourtProfile(court_code=court_code, profile=court_to_dict(info), updated_by=actor, updated_at=_now())
            session.add(row)
        else:
            row.profile, row.updated_by, row.updated_at = court_to_dict(info), actor, _now()
        session.flush()
        ledger.append(session, "court.profile", {"court_code": court_code, "profile": court_to_dict(info)},
                      actor=actor, court_code=court_code, purpose="保存法院信息")
        uow.commit()
        return info


def money_text(fen: int | None) -> str:
    return format_yuan(fen) if fen is not None else ""
