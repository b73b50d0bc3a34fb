"""The named fields every document template reads, built once from the lot, the plan and the court.

Values are display-ready text in the court's form: amounts in figures (``864,200.00元``) and in capitals
(``人民币捌拾陆万肆仟贰佰元整``), dates as ``2026年12月1日`` and, under rulings, ``二〇二六年十二月一日``,
the canonical 案号. The rules' numbers (5 minutes, 24 hours, 5%-20%) come from
``auction.rules.online_auction_rules`` so that templates carry no numbers of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from auction.amounts import capitals, date_capitals, date_cn, datetime_cn, format_percent
from auction.lifecycle import REGISTRY_BY_KIND, Lifecycle, mask_id_number
from auction.listing_plan import AuctionRound, ListingPlan, PropertyKind
from auction.lot import CourtInfo, Lot, PartyRole, SaleResult
from auction.rules import online_auction_rules as R
from tax_baseline.money import format_yuan
from tax_baseline.numerals import chinese_number

BLANK = "—"


class DocumentError(ValueError):
    """A document cannot be made from this lot (e.g. a sale ruling before the sale); the message says why."""


def _money(prefix: str, fen: int | None) -> dict[str, str]:
    if fen is None:
        return {prefix: BLANK, f"{prefix}_capitals": BLANK}
    return {prefix: format_yuan(fen), f"{prefix}_capitals": capitals(fen)}


def _or_blank(value: object) -> str:
    if value is None or value == "":
        return BLANK
    return str(value)


def _rank(rank: int | None) -> str:
    if not rank:
        return BLANK
    return f"第{chinese_number(rank) if 1 <= rank <= 10 else rank}顺序"


def _notice_state(role: str, name: str, notified_on: date | None, method: str, unreachable: str,
                  waived: bool, posted_on: date | None = None) -> str:
    """How a party or priority purchaser was notified (网拍规定 art. 13 item 7, art. 16)."""
    if waived:
        return f"{role}{name}已书面明确放弃权利，未予通知"
    if notified_on:
        return f"{role}{name}已于{date_cn(notified_on)}{method or ''}通知"
    if unreachable:
        posted = f"已于{date_cn(posted_on)}" if posted_on else "已"
        return (f"{role}{name}无法通知（{unreachable}），{posted}在网络司法拍卖平台公示并说明理由，"
                f"公示满{R.POSTED_NOTICE_DEEMED_SERVED_DAYS}日视为已经通知")
    return f"{role}{name}的通知情况未记载"


@dataclass(frozen=True)
class Recipient:
    """Addressee of a notice (通知书)."""

    name: str
    role: str
    address: str


def _looks_like_phone(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 5 and digits >= len(text.replace("-", "").replace(" ", "")) * 0.7


def person_text(name: str, phone: str, role: str = "") -> str:
    """A contact as a document prints it: 李书记员（书记员），电话0576-86000002. A phone typed in the name field is
    printed as the phone, never as the contact's name."""
    name, phone = (name or "").strip(), (phone or "").strip()
    if name and not phone and _looks_like_phone(name):
        name, phone = "", name
    who = name + (f"（{role}）" if role and name else "")
    if who and phone:
        return f"{who}，电话：{phone}"
    return who or (f"电话：{phone}" if phone else "")


def build_context(lot: Lot, plan: ListingPlan, court: CourtInfo, issued_on: date | None = None, *,
                  life: Lifecycle | None = None, created_on: date | None = None) -> dict[str, Any]:
    """The fields of every template. With ``life`` (the lot's lifecycle) the documents are dated by the events
    they record and the court profile must be complete (no "—" for a court detail); ``created_on`` (the day the
    lot was entered) is the earliest date a document without an event may carry."""
    if plan.kind != lot.kind:
        raise DocumentError(f"拍卖方案的标的物类型（{plan.kind.label}）与标的物（{lot.kind.label}）不一致。")
    if life is not None:
        missing = court.missing()
        if missing:
            raise DocumentError("法院信息不完整，缺少：" + "、".join(missing) + "；请本院管理员在“法院信息”页填写后再制作文书。")
    contacts = court.contacts or lot.contacts
    debtors = [p.name for p in lot.parties if p.role is PartyRole.DEBTOR]
    applicants = [p.name for p in lot.parties if p.role is PartyRole.APPLICANT]
    is_sale = plan.round is AuctionRound.FIXED_PRICE_SALE
    ctx: dict[str, Any] = {
        "court_name": court.name or lot.court_name,
        "court_address": _or_blank(court.address),
        "supervision_phone": _or_blank(court.supervision_phone),
        "contacts": [{"name": c.name, "phone": c.phone, "role": c.role or "联系人"} for c in contacts],
        "contacts_text": "；".join(person_text(c.name, c.phone, c.role or "联系人") for c in contacts) or BLANK,
        "case_number": lot.case_number,
        "lot_id": lot.lot_id,
        "lot_title": lot.title,
        "kind_label": lot.kind.label,
        "is_real_estate": lot.kind is PropertyKind.REAL_ESTATE,
        "is_vehicle": lot.kind is PropertyKind.VEHICLE,
        "is_movable": lot.kind.is_movable,
        "address": _or_blank(lot.address or lot.location),
        "description": _or_blank(lot.description),
        "enforcement_basis": _or_blank(lot.enforcement_basis),
        "debtor_names": "、".join(debtors) or BLANK,
        "applicant_names": "、".join(applicants) or BLANK,
        "round_label": plan.round.label,
        "sale_word": "变卖" if is_sale else "拍卖",
        "is_sale": is_sale,
        "platform": lot.platform.strip() or BLANK,
        "reference_basis": _or_blank(lot.reference_price_basis),
        **_money("reference_price", plan.reference_price_fen),
        **_money("starting_price", plan.starting_price_fen),
        **_money("deposit", plan.deposit_fen),
        **_money("increment", plan.bid_increment_fen),
        **_money("advance_payment", plan.advance_payment_fen),
        "deposit_percent": format_percent(Decimal(plan.deposit_fen) / Decimal(plan.starting_price_fen)),
        "announce_on": date_cn(plan.announce_on),
        "bidding_start": datetime_cn(plan.bidding_start),
        "bidding_end": datetime_cn(plan.bidding_end),
        "sale_days": (plan.bidding_end.date() - plan.bidding_start.date()).days,
        "balance_due_on": date_cn(plan.balance_due_on),
        "extension_minutes": plan.extension_minutes,
        "extension_rule": plan.extension_rule(),
        "min_bidding_hours": R.MIN_BIDDING_HOURS,
        "deposit_refund_hours": R.DEPOSIT_REFUND_HOURS,
        "notification_days": R.NOTIFICATION_DAYS_BEFORE_ANNOUNCEMENT,
        "posted_deemed_days": R.POSTED_NOTICE_DEEMED_SERVED_DAYS,
        "bidder_conditions": lot.bidder_conditions,
        "art_announcement": R.FIRST_AUCTION_ANNOUNCEMENT_ART.full(),
        "art_rules_title": R.SOURCE_TITLES[R.ONLINE_AUCTION_RULES],
        "art_offline_title": R.SOURCE_TITLES[R.AUCTION_AND_SALE_RULES],
        "art_notification": R.NOTIFICATION_ART.full(),
        "art_warnings": R.MANDATORY_WARNINGS_ART.full(),
        "art_priority": R.PRIORITY_PURCHASE_ART.full(),
        "art_waiver": R.PRIORITY_PURCHASER_WAIVER_ART.full(),
        "art_barred": R.BARRED_BIDDERS_ART.full(),
        "art_housing": R.HOUSING_PURCHASE_QUALIFICATION_ART.full(),
        "art_housing_review": R.HOUSING_QUALIFICATION_REVIEW_ART.full(),
        "art_transfer": R.OWNERSHIP_TRANSFER_ART.full(),
        "art_taxes": R.TAXES_ART.full(),
        "art_reneged": R.RENEGED_DEPOSIT_FORFEITED_ART.full(),
        "art_confirmation": R.SALE_CONFIRMATION_ART.full(),
        "art_online_required": R.ONLINE_AUCTION_REQUIRED_ART.full(),
        "art_seized_sold": str(R.SEIZED_PROPERTY_SOLD_ART).removeprefix(R.AUCTION_AND_SALE_RULES),
        "art_auction_first": str(R.AUCTION_FIRST_ART).removeprefix(R.AUCTION_AND_SALE_RULES),
        "art_offline_transfer": str(R.OFFLINE_OWNERSHIP_TRANSFER_ART).removeprefix(R.AUCTION_AND_SALE_RULES),
        "art_extinguished": str(R.ENCUMBRANCES_EXTINGUISHED_ART).removeprefix(R.AUCTION_AND_SALE_RULES),
        "art_transfer_short": str(R.OWNERSHIP_TRANSFER_ART).removeprefix(R.ONLINE_AUCTION_RULES),
        "art_online_required_short": str(R.ONLINE_AUCTION_REQUIRED_ART).removeprefix(R.ONLINE_AUCTION_RULES),
        "art_quality": R.QUALITY_DISCLAIMER_ART.full(),
        "art_fixed_sale": R.FIXED_PRICE_SALE_ARTS[0].full() + "、" + R.SOURCE_TITLES[R.AUCTION_AND_SALE_RULES]
        + "、".join(str(c).removeprefix(R.AUCTION_AND_SALE_RULES) for c in R.FIXED_PRICE_SALE_ARTS[1:]),
        "art_fixed_sale_short": str(R.FIXED_PRICE_SALE_ARTS[0]).removeprefix(R.ONLINE_AUCTION_RULES),
        "art_fixed_sale_offline": "、".join(str(c).removeprefix(R.AUCTION_AND_SALE_RULES)
                                            for c in R.FIXED_PRICE_SALE_ARTS[1:]),
        "art_panel": R.COLLEGIAL_PANEL_ART.full(),
        "art_balance": R.BALANCE_DUE_ART.full(),
        "art_reauction_reneged": R.REAUCTION_AFTER_RENEGING_ART.full(),
        "art_shortfall": R.SHORTFALL_BORNE_BY_RENEGER_ART.full(),
        "art_handover": R.HANDOVER_ART.full(),
        "art_ruling_service": R.SALE_RULING_SERVICE_ART.full(),
        "art_suspension": R.SUSPENSION_ART.full(),
        "art_suspension_notice": R.SUSPENSION_NOTICE_ART.full(),
        "art_resume": R.RESUME_ART.full(),
        "art_registry": R.OFFLINE_OWNERSHIP_TRANSFER_ART.full(),
        "seal_text": court.seal_text,
    }
    # dates: the event a document records, else the planned day, never before the lot was entered
    def not_before_lot(day: date) -> date:
        return max(day, created_on) if created_on else day

    announce_day = issued_on or (life.announced_on if life and life.announced_on else not_before_lot(plan.announce_on))
    # notices go out at least 3 days before the announcement (网拍规定 art. 16); with a lifecycle they and the
    # ruling ordering the sale are dated by the collegial panel's decision (网拍规定 art. 27)
    order_day = issued_on or (life.panel_on if life and life.panel_on else not_before_lot(plan.notify_parties_by))
    ctx.update({
        "issued_on": date_cn(announce_day),
        "notice_issued_on": date_cn(order_day),
        "issued_on_capitals": date_capitals(order_day),
        "order_on": date_cn(order_day),
    })
    if life is not None:
        _lifecycle_fields(ctx, lot, plan, life, issued_on)
    account = court.account
    ctx["account_bank"] = account.bank if account else BLANK
    ctx["account_name"] = account.account_name if account else BLANK
    ctx["account_number"] = account.account_number if account else BLANK
    titles = ["审判长"] + ["审判员"] * max(0, len(court.judges) - 1)
    ctx["judges"] = [{"title": t, "name": n} for t, n in zip(titles, court.judges, strict=False)]
    ctx["clerk"] = court.clerk or BLANK
    ctx["panel_members"] = "、".join(court.judges) or BLANK

    ctx["notice_states"] = [_notice_state(p.role.label, p.name, p.notified_on, p.notice_method,
                                          p.unreachable_reason, p.waived, p.posted_on) for p in lot.parties] + [
        _notice_state("优先购买权人", p.name, p.notified_on, "", p.unreachable_reason, p.waived, p.posted_on)
        for p in (lot.priority_purchasers or [])
    ]
    ctx["priority_purchasers"] = [
        {"name": p.name, "right": p.right, "rank": _rank(p.rank)} for p in (lot.priority_purchasers or [])
    ]
    ctx["has_priority"] = bool(lot.priority_purchasers)
    occ = lot.occupancy
    if occ is None:
        ctx["occupancy_text"] = BLANK
        ctx["vacated_text"] = BLANK
    else:
        ctx["occupancy_text"] = occ.status.label + (f"（{occ.occupant}）" if occ.occupant else "") + (
            f"；{occ.handover}" if occ.handover else "") + (f"；{occ.note}" if occ.note else "")
        ctx["vacated_text"] = {None: "不详", True: "已腾空", False: "未腾空"}[occ.vacated]
    ctx["leases"] = [
        "承租人{}，租期{}至{}，租金{}{}{}".format(
            lease.tenant, date_cn(lease.start) if lease.start else "不详", date_cn(lease.end) if lease.end else "不详",
            lease.rent or "不详", f"，租金已付至{date_cn(lease.rent_paid_until)}" if lease.rent_paid_until else "",
            f"（{lease.note}）" if lease.note else "")
        for lease in (lot.leases or [])
    ]
    ctx["leases_text"] = "；".join(ctx["leases"]) if lot.leases else ("无" if lot.leases == [] else BLANK)
    ctx["encumbrances"] = [
        "{}：{}{}{}{}".format(
            e.type.label, e.holder, f"（{e.reference}）" if e.reference else "",
            f"，债权数额{format_yuan(e.amount_fen)}" if e.amount_fen is not None else "",
            f"，{e.note}" if e.note else "")
        for e in (lot.encumbrances or [])
    ]
    ctx["defects"] = list(lot.known_defects or [])
    ctx["defects_text"] = "；".join(ctx["defects"]) if lot.known_defects else "未发现"
    taxes = lot.taxes
    ctx["taxes_summary"] = _sentence(taxes.summary) if taxes and taxes.summary.strip() else BLANK
    ctx["tax_items"] = [
        f"{t.name}：{t.payer}" + (f"（预估{format_yuan(t.estimate_fen)}）" if t.estimate_fen else "")
        + (f"，{t.note}" if t.note else "")
        for t in (taxes.items if taxes else [])
    ]
    ctx["arrears"] = taxes.arrears if taxes and taxes.arrears else ""
    view = lot.viewing
    ctx["viewing_text"] = _viewing_text(view) if view else BLANK
    ctx["photos_count"] = len(lot.photos)
    ctx["attachments"] = [a.title for a in lot.attachments]

    s = lot.survey
    ctx["has_survey"] = s is not None
    if s is not None:
        floors = f"{s.floor}/{s.total_floors}" if s.floor is not None and s.total_floors else BLANK
        lifts = BLANK
        if s.lifts_per_unit is not None:
            lifts = "无电梯" if s.lifts_per_unit == 0 else f"{s.lifts_per_unit}梯"
            if s.households_per_floor:
                lifts += f"{s.households_per_floor}户"
        land = s.remaining_land_term or BLANK
        if s.land_term_end:
            land = f"{land}（土地使用权终止日期{date_cn(s.land_term_end)}）" if s.remaining_land_term else (
                f"土地使用权终止日期{date_cn(s.land_term_end)}")
        ctx["survey"] = {
            "nature": _or_blank(s.property_nature),
            "certificate": _or_blank(s.certificate_number),
            "use": _or_blank(s.use),
            "building_area": f"{s.building_area_m2}平方米" if s.building_area_m2 is not None else BLANK,
            "inner_area": f"{s.inner_area_m2}平方米" if s.inner_area_m2 is not None else BLANK,
            "floors": floors,
            "year_built": f"{s.year_built}年" if s.year_built else BLANK,
            "orientation": _or_blank(s.orientation),
            "layout": _or_blank(s.layout),
            "lifts": lifts,
            "land_use_type": _or_blank(s.land_use_type),
            "land_term": land,
            "decoration": _or_blank(s.decoration),
            "household_registration": _or_blank(s.household_registration),
            "reminders": "；".join(s.special_reminders) or "无",
            "inspected_on": date_cn(s.inspected_on) if s.inspected_on else BLANK,
            "inspectors": "、".join(s.inspectors) or BLANK,
            "findings": _or_blank(s.inspection_findings),
        }
    v = lot.vehicle
    ctx["has_vehicle"] = v is not None
    if v is not None:
        ctx["vehicle"] = {
            "plate": _or_blank(v.plate_number),
            "vin": _or_blank(v.vin),
            "model": _or_blank(v.brand_model),
            "first_registered": date_cn(v.first_registered_on) if v.first_registered_on else BLANK,
            "registration": (f"{v.registration_status}（{date_cn(v.registration_checked_on)}核查）"
                             if v.registration_checked_on else _or_blank(v.registration_status)),
            "emission": _or_blank(v.emission_standard),
            "mileage": f"{v.mileage_km:,}公里" if v.mileage_km is not None else BLANK,
            "violations": ("未查询" if v.violations is None else ("无" if not v.violations else "；".join(v.violations)))
            + (f"，罚款合计{format_yuan(v.violation_fines_fen)}" if v.violation_fines_fen else ""),
            "inspection_valid": date_cn(v.inspection_valid_until) if v.inspection_valid_until else BLANK,
            # not "keys": a Jinja lookup of ``vehicle.keys`` finds the dict's method before the item
            "key_count": f"{v.keys}把" if v.keys is not None else BLANK,
            "documents": _or_blank(v.documents),
            "storage": _or_blank(v.storage_location),
        }
    sale = lot.sale
    if life is not None:
        sale = _sale_of(life)
    ctx["has_sale"] = sale is not None
    if sale is not None:
        ctx.update(_money("sale_price", sale.price_fen))
        ctx["buyer_name"] = sale.buyer_name
        ctx["buyer_id_number"] = _or_blank(sale.buyer_id_number)
        # public documents (the confirmation on the platform) show the ID number masked (网拍规定 art. 22 shows
        # the buyer's real identity: the name; the full number stays in the court's own ruling)
        ctx["buyer_id_masked"] = mask_id_number(sale.buyer_id_number) if sale.buyer_id_number else BLANK
        ctx["bidder_code"] = _or_blank(sale.bidder_code)
        ctx["sold_at"] = datetime_cn(sale.sold_at) if sale.sold_at else BLANK
        ctx["sold_on"] = date_cn(sale.sold_at.date()) if sale.sold_at else BLANK
        ctx["paid_in_full_on"] = date_cn(sale.paid_in_full_on) if sale.paid_in_full_on else BLANK
        ctx["by_priority_purchaser"] = sale.by_priority_purchaser
        if sale.sold_at:
            ctx["confirmation_issued_on"] = date_cn(issued_on or sale.sold_at.date())
        ruling_day = issued_on or (life.ruled_on if life is not None else None) or sale.paid_in_full_on or (
            sale.sold_at.date() if sale.sold_at else None)
        ctx["sale_ruling_on_capitals"] = date_capitals(ruling_day) if ruling_day else BLANK
    return ctx


def _sale_of(life: Lifecycle):
    """The lifecycle's sale as the documents' SaleResult."""
    if life.sale is None:
        return None
    s = life.sale
    return SaleResult(s.buyer_name, s.buyer_id_number, s.bidder_code, s.price_fen, s.sold_at, life.paid_on,
                      by_priority_purchaser=bool(s.by_priority_purchaser))


def _lifecycle_fields(ctx: dict[str, Any], lot: Lot, plan: ListingPlan, life: Lifecycle,
                      issued_on: date | None) -> None:
    """The fields of the documents after the listing, each from the event it records."""
    ctx["panel_on"] = date_cn(life.panel_on) if life.panel_on else BLANK
    ctx["panel_on_capitals"] = date_capitals(life.panel_on) if life.panel_on else BLANK
    ctx["panel_members_recorded"] = "、".join(life.panel_members) or BLANK
    review = life.review
    ctx["has_review"] = review is not None and review.qualified
    if review is not None:
        ctx["review_on"] = date_cn(review.on)
        ctx["review_by"] = review.reviewer
        ctx["review_evidence"] = review.evidence
    ctx["balance_due_on"] = date_cn(life.sale.balance_due_on) if life.sale and life.sale.balance_due_on else \
        ctx["balance_due_on"]
    if life.sale is not None:
        ctx.update(_money("balance", max(0, life.sale.price_fen - (0 if life.is_fixed_price_sale else plan.deposit_fen))))
    ctx["buyer_word"] = "买受人"
    if life.sale is None and life.taken_in_payment_on and life.offer:
        # 以物抵债: the creditor who took the property (承受人, 拍卖变卖规定 arts. 16, 26, 27)
        ctx["buyer_word"] = "承受人"
        ctx["buyer_name"] = life.offer["to"]
        ctx["buyer_id_number"] = ""
        ctx["offer_answered_on"] = date_cn(life.taken_in_payment_on)
        ctx["offer_article_full"] = R.SOURCE_TITLES[R.AUCTION_AND_SALE_RULES] + life.offer["article"].removeprefix(
            R.AUCTION_AND_SALE_RULES)
        if life.ruled_on:
            ctx["sale_ruling_on_capitals"] = date_capitals(issued_on or life.ruled_on)
    ctx["has_difference"] = bool(life.difference_fen and life.difference_paid_on)
    ctx["art_difference"] = R.TAKE_IN_PAYMENT_DIFFERENCE_ART.full()
    ctx["art_ruling_service"] = R.SALE_RULING_SERVICE_ART.full()
    if life.difference_fen:  # 补交差价 (拍卖变卖规定 art. 16 para. 2)
        ctx.update(_money("claim", life.offer["claim_fen"]))
        ctx.update(_money("difference", life.difference_fen))
        ctx["difference_due_on"] = date_cn(date.fromisoformat(life.offer["difference_due_on"]))
        ctx["offer_answered_on"] = date_cn(life.taken_in_payment_on)
        ctx["difference_paid_on"] = date_cn(life.difference_paid_on) if life.difference_paid_on else BLANK
    if life.ruled_on:
        ctx["ruled_on"] = date_cn(life.ruled_on)
        notices = life.registry_notices
        day = date.fromisoformat(notices[-1]["on"]) if notices else life.ruled_on
        ctx["registry_on"] = date_cn(issued_on or day)
        ctx["registry_on_capitals"] = date_capitals(issued_on or day)
        ctx["registry"] = notices[-1]["registry"] if notices else (REGISTRY_BY_KIND.get(lot.kind) or BLANK)
        ctx["in_payment"] = life.taken_in_payment_on is not None
    if life.delivered_on:
        event = [e for e in life.events if e.kind.value == "deliver"][-1]
        ctx["delivered_on"] = date_cn(life.delivered_on)
        ctx["receiver"] = str(event.data.get("receiver") or BLANK)
        ctx["handover_place"] = str(event.data.get("place") or lot.address or BLANK)
        ctx["handover_note"] = str(event.data.get("note") or "")
        ctx["handover_items"] = str(event.data.get("items") or "")
    if life.eviction_started_on:
        ctx["eviction_started_on"] = date_cn(life.eviction_started_on)
    if life.reneged_on:
        ctx["reneged_on"] = date_cn(life.reneged_on)
        ctx["reneged_on_capitals"] = date_capitals(issued_on or life.reneged_on)
        ctx.update(_money("forfeited", life.forfeited_deposit_fen or 0))
    if life.offer:
        day = date.fromisoformat(life.offer["on"])
        ctx["offer_on"] = date_cn(issued_on or day)
        ctx["offer_to"] = life.offer["to"]
        ctx["offer_article"] = life.offer["article"]
        ctx.update(_money("offer_price", life.offer["price_fen"]))
    if life.suspended:
        sus = life.suspended
        ctx["suspension_mode"] = sus.get("mode") or "暂缓"
        ctx["suspension_on"] = date_cn(issued_on or date.fromisoformat(sus["on"]))
        ctx["suspension_on_capitals"] = date_capitals(issued_on or date.fromisoformat(sus["on"]))
        ctx["suspension_reason"] = sus.get("reason") or BLANK
        ctx["suspension_until"] = date_cn(date.fromisoformat(sus["until"])) if sus.get("until") else ""
    if life.unsold_on:
        ctx["unsold_on"] = date_cn(life.unsold_on)


def party_recipients(lot: Lot) -> list[Recipient]:
    return [Recipient(p.name, p.role.label, p.address) for p in lot.parties if not p.waived]


def priority_recipients(lot: Lot) -> list[Recipient]:
    return [Recipient(p.name, f"优先购买权人（{p.right}，{_rank(p.rank)}）", p.address)
            for p in (lot.priority_purchasers or []) if not p.waived]


def _sentence(text: str) -> str:
    """A clause as the sentence it stands for in the document: trimmed, ending with one 。."""
    return text.strip().rstrip("。；;，,.") + "。"


def _viewing_text(view) -> str:
    """看样安排: the arrangement, then contact and place, as separate clauses (they ran together before:
    “周三下午统一看样联系人： 0576-…”)."""
    contact = person_text(view.contact, view.phone)
    parts = [view.arrangement.strip().rstrip("。；;，,.")] if view.arrangement.strip() else []
    parts += [f"联系人：{contact}" if not contact.startswith("电话") else f"联系{contact}"] if contact else []
    parts += [f"地点：{view.address.strip()}"] if view.address and view.address.strip() else []
    return "；".join(parts) + "。" if parts else BLANK
