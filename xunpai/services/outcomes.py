"""Outcomes of published lots (成交 / 流拍 / 悔拍 / 撤回 / 暂缓) with the sale price and buyer, and the statistics
per court and period (the formulas are in ``auction.outcomes``; the workbook in ``xunpai.services.outcome_report``)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from auction.lot import lot_to_dict
from auction.outcomes import (
    OUTCOMES,
    InvalidOutcome,
    LotOutcome,
    check_outcome,
    check_outcome_date,
    check_sale_details,
    outcome_statistics,
)
from xunpai.services import authority
from xunpai.services.publishing import LOT_WRITERS, PublishingError
from xunpai.storage import ledger
from xunpai.storage.models.lots import Lot
from xunpai.storage.repositories import lots as lots_repo
from xunpai.storage.repositories.lifecycle import events_of as lot_events_of
from xunpai.storage.unit_of_work import UnitOfWork

ledger.register_kind("lot.outcome", "登记拍卖结果")
ledger.register_kind("lot.outcome.corrected", "更正拍卖结果",
                     lambda p: f"{p.get('lot_code', '')}：{p.get('before', {}).get('outcome_name', '')} → "
                               f"{p.get('outcome_name', '')}（理由：{p.get('reason', '')}）")


def _now():
    return ledger.now_local()


def record_outcome(uow: UnitOfWork, lot_id: int, outcome: str, *, sale_price_fen: int | None = None,
                   on: date, actor: str = "", buyer_name: str = "", buyer_id_number: str = "", bidder_code: str = "",
                   paid_in_full_on: date | None = None, sold_at: datetime | None = None,
                   correction_reason: str = "", today: date | None = None) -> Lot:
    """Record how the lot's auction ended (成交 with its price, 流拍, 悔拍, 撤回, 暂缓). For a sale the buyer may be
    given: it becomes the lot's ``sale`` (auction.lot.SaleResult) for the 成交确认书 and 成交裁定书 (网拍规定
    art. 22). The buyer's ID number (validated with stdnum.cn.ric) is kept on the lot, only its hash in the ledger.
    The rules are ``auction.outcomes``: ``check_outcome`` (the price), ``check_outcome_date`` (not before the
    bidding, 网拍规定 art. 20) and ``check_sale_details`` (the buyer); each refuses with ``InvalidOutcome``.

    An outcome cannot be dated after ``today`` (default: the court's date). A lot that already has an outcome is
    never overwritten silently: a second submission is refused unless it is an explicit correction with its reason,
    and the correction (old and new values, the reason) is itself written to the ledger."""
    with uow:
        session = uow.session
        lot = session.get(Lot, lot_id)
        if lot is None:
            raise PublishingError(f"标的 {lot_id} 不存在。")
        authority.require(uow, actor, lot.court_code, what="登记拍卖结果", roles=LOT_WRITERS)
        check_outcome(outcome, sale_price_fen, lot.starting_price_fen)
        today = today or _now().date()
        if on > today:
            raise InvalidOutcome(f"结果日期 {on.isoformat()} 晚于今天 {today.isoformat()}，不能登记尚未发生的结果。")
        before = None
        if lot.outcome is not None:
            if not correction_reason.strip():
                raise InvalidOutcome(f"标的 {lot.lot_code} 已登记结果“{OUTCOMES[lot.outcome]}”"
                                     f"（{lot.outcome_on.isoformat() if lot.outcome_on else ''}），不会被覆盖；"
                                     "如确需更正，请填写更正理由，更正将记入台账。")
            if lot_events_of(session, lot.id):
                raise InvalidOutcome(f"标的 {lot.lot_code} 已按流程登记事项，请在标的的流程页面更正成交信息。")
            before = {"outcome": lot.outcome, "outcome_name": OUTCOMES[lot.outcome],
                      "sale_price_fen": lot.sale_price_fen, "on": lot.outcome_on,
                      "buyer_name": (lot.sale or {}).get("buyer_name")}
        if lot.status not in ("published", "ended"):
            raise PublishingError(f"标的 {lot.lot_code} 尚未发布，不能登记拍卖结果。")
        check_outcome_date(outcome, on, lot.lot.plan.bidding_start,
                           sold_at=sold_at, lot_code=lot.lot_code)
        buyer_id_number = check_sale_details(outcome, on, buyer_name=buyer_name, buyer_id_number=buyer_id_number,
                                             bidder_code=bidder_code, paid_in_full_on=paid_in_full_on, sold_at=sold_at)
        sale = None
        if outcome == "sold" and buyer_name:
            sale = {"buyer_name": buyer_name, "buyer_id_number": buyer_id_number, "bidder_code": bidder_code,
                    "price_fen": sale_price_fen,
                    "sold_at": sold_at.isoformat(timespec="seconds") if sold_at else None,
                    "paid_in_full_on": paid_in_full_on.isoformat() if paid_in_full_on else None,
                    "ruling_case_number": lot.case_number, "by_priority_purchaser": False}
        lot.outcome, lot.sale_price_fen, lot.outcome_on, lot.sale = outcome, sale_price_fen, on, sale
        lot.status = "ended" if outcome in ("sold", "unsold", "reneged") else "published"
        lot.updated_at = _now()
        ledger.append(session, "lot.outcome", {
            "lot_id": lot.id, "lot_code": lot.lot_code, "outcome": outcome, "outcome_name": OUTCOMES[outcome],
            "sale_price_fen": sale_price_fen, "on": on, "buyer_name": buyer_name or None, "bidder_code": bidder_code or None,
            "buyer_id_sha256": hashlib.sha256(buyer_id_number.encode()).hexdigest() if buyer_id_number else None},
            actor=actor, court_code=lot.court_code, case_number=lot.case_number, purpose="登记拍卖结果")
        if before is not None:
            ledger.append(session, "lot.outcome.corrected", {
                "lot_id": lot.id, "lot_code": lot.lot_code, "before": before, "outcome": outcome,
                "outcome_name": OUTCOMES[outcome], "sale_price_fen": sale_price_fen, "on": on,
                "reason": correction_reason.strip()},
                actor=actor, court_code=lot.court_code, case_number=lot.case_number, purpose="更正拍卖结果")
        session.flush()
        uow.commit()
        return lot


def lot_document_source(uow: UnitOfWork, lot_id: int) -> dict:
    """The lot as ``auction.lot.lot_to_dict`` gives it, with the recorded sale: the input of ``lots documents``."""
    with uow:
        session = uow.session
        lot = session.get(Lot, lot_id)
        if lot is None:
            raise PublishingError(f"标的 {lot_id} 不存在。")
        content = lot_to_dict(lot.lot)
        if lot.sale is not None:
            content["sale"] = lot.sale
        return content


def lots_with_outcomes(uow: UnitOfWork, court_code: str | None, date_from: date | None,
                       date_to: date | None) -> list[Lot]:
    """Lots whose outcome date is within [date_from, date_to] (both included)."""
    with uow:
        return lots_repo.lots_with_outcomes(uow.session, court_code, date_from, date_to)


def statistics(uow: UnitOfWork, court_code: str | None = None, date_from: date | None = None,
               date_to: date | None = None):
    """Outcome statistics (auction.outcomes) per court, plus the total, for lots ended in the period."""
    with uow:
        lots = lots_with_outcomes(uow, court_code, date_from, date_to)
        by_court: dict[str, list[Lot]] = {}
        for lot in lots:
            by_court.setdefault(lot.court_code, []).append(lot)

        def stats(group: list[Lot]):
            return outcome_statistics(LotOutcome(lot.outcome, lot.starting_price_fen, lot.reference_price_fen,
                                                 lot.sale_price_fen) for lot in group)

        return {court: stats(group) for court, group in sorted(by_court.items())}, stats(lots), lots
