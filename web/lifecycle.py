"""The lot's life after its listing, for clerks: the state, the next step and its deadline, the events (合议庭评议,
公告, 竞价, 成交 / 流拍, 余款, 购房资格审核, 成交裁定, 协助执行, 交付, 悔拍, 以物抵债, 暂缓 / 中止), the next round
(二拍 / 变卖 / 悔拍后重新拍卖) in one step, the documents, the court's agenda; and for administrators the court
profile (法院信息) every document uses.

The rules are ``auction.lifecycle``'s and the services' (``xunpai.services.lifecycle``); a view parses the form,
calls one service and shows its Chinese refusal with the form as filled in (nothing is lost, nothing changed)."""

from __future__ import annotations

import io
from datetime import date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from auction.documents import DocumentError
from auction.lifecycle import EventKind, LotState, TransitionRefused
from tax_baseline.money import parse_yuan
from tax_baseline.typed_dates import parse_date
from web.database import uow
from web.security import deny, roles_required
from xunpai.services import accounts as accounts_service
from xunpai.services import lifecycle as service
from xunpai.storage import ledger

bp = Blueprint("lifecycle", __name__, url_prefix="/lifecycle")


@bp.app_template_filter("lifecycle_event")
def _event_name(kind: str) -> str:
    try:
        return EventKind(kind).label
    except ValueError:
        return kind


@bp.app_template_filter("lifecycle_state")
def _state_name(state: str) -> str:
    try:
        return LotState(state).label
    except ValueError:
        return state

#: the form fields each event reads (besides its date and time)
EVENT_FIELDS: dict[EventKind, tuple[str, ...]] = {
    EventKind.PANEL_DECISION: ("members",),
    EventKind.NO_SURPLUS_NOTICE: ("applicant", "continue_requested_on"),
    EventKind.ANNOUNCE: (),
    EventKind.OPEN_BIDDING: ("at",),
    EventKind.SOLD: ("at", "buyer_name", "buyer_id_number", "bidder_code", "price", "by_priority_purchaser"),
    EventKind.CORRECT_SALE: ("at", "buyer_name", "buyer_id_number", "bidder_code", "price", "reason"),
    EventKind.UNSOLD: (),
    EventKind.WITHDRAW: ("reason",),
    EventKind.SUSPEND: ("mode", "reason", "until"),
    EventKind.RESUME: ("cause_removed",),
    EventKind.REVIEW_QUALIFICATION: ("reviewer", "evidence", "qualified"),
    EventKind.PAY_BALANCE: (),
    EventKind.RENEGE: ("written_refusal",),
    EventKind.RULE: (),
    EventKind.NOTIFY_REGISTRY: ("registry",),
    EventKind.START_EVICTION: ("note",),
    EventKind.DELIVER: ("receiver", "place", "items", "note"),
    EventKind.OFFER_IN_PAYMENT: ("to",),
    EventKind.ACCEPT_IN_PAYMENT: ("claim", "difference_due_on"),
    EventKind.DECLINE_IN_PAYMENT: (),
    EventKind.PAY_DIFFERENCE: ("amount",),
    EventKind.DEFAULT_DIFFERENCE: (),
}
FIELD_LABELS = {
    "at": "时刻", "members": "合议庭成员（每行一人，审判长在前）", "buyer_name": "买受人", "buyer_id_number": "身份证号码或统一社会信用代码",
    "bidder_code": "竞买号", "price": "成交价（元）", "by_priority_purchaser": "以优先购买权竞得的优先购买权人（无则留空）",
    "reason": "原因或理由", "mode": "方式（暂缓或中止）", "until": "暂缓至", "cause_removed": "事由已消失",
    "reviewer": "审核人", "evidence": "审核的证明材料", "qualified": "具备购房资格", "written_refusal": "买受人书面表示不再付款",
    "registry": "登记机关", "applicant": "受通知的申请执行人", "continue_requested_on": "申请执行人申请继续拍卖的日期", "receiver": "接收人", "place": "交付地点", "items": "移交物品", "note": "说明", "to": "受询问的债权人",
    "claim": "承受人应受清偿的债权额（元，低于抵债价的须补交差价）", "difference_due_on": "补交差价期限",
    "amount": "补交的差价（元）",
}
CHECKBOXES = {"cause_removed", "qualified", "written_refusal"}
DATES = {"until", "continue_requested_on", "difference_due_on"}
MONEY = {"price": "price_fen", "claim": "claim_fen", "amount": "amount_fen"}  # yuan fields → exact fen


def _court() -> str:
    return current_user.court_code


def _view(lot_id: int):
    try:
        return service.lot_view(uow(), lot_id, court_code=_court())
    except service.NotAllowed:
        deny("court", detail=f"标的 {lot_id} 不属于本院")
    except service.LifecycleError:
        abort(404)


def _page(lot_id: int, *, error: str = "", form=None, status: int = 200):
    view = _view(lot_id)
    return render_template("lifecycle/lot.html", view=view, life=view.life, row=view.row, error=error,
                           form=form or {}, fields=EVENT_FIELDS, labels=FIELD_LABELS, checkboxes=CHECKBOXES,
                           dates=DATES, today=ledger.now_local().date()), status


@bp.route("/lots/<int:lot_id>")
@roles_required("clerk")
def lot(lot_id: int):
    return _page(lot_id)


def _event_data(kind: EventKind, form) -> tuple[date, datetime | None, dict]:
    at = None
    text = (form.get("at") or "").strip() if "at" in EVENT_FIELDS[kind] else ""
    if text:
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"时刻“{text}”无效，应为 年-月-日 时:分，如 2026-09-03 10:05。") from None
    # the day of the moment when only the moment is given (成交时刻, 竞价开始)
    on = at.date() if at is not None and not (form.get("on") or "").strip() else parse_date(form.get("on", ""), "日期")
    data: dict = {}
    for name in EVENT_FIELDS[kind]:
        value = (form.get(name) or "").strip()
        if name == "at":
            continue
        if name in MONEY:
            if value:
                data[MONEY[name]] = parse_yuan(value)
        elif name == "members":
            data["members"] = [m.strip() for m in value.replace("、", "\n").splitlines() if m.strip()]
        elif name in CHECKBOXES:
            data[name] = bool(value)
        elif name in DATES:
            if value:
                data[name] = parse_date(value, FIELD_LABELS[name]).isoformat()
        elif value:
            data[name] = value
    return on, at, data


@bp.route("/lots/<int:lot_id>/events", methods=["POST"])
@roles_required("clerk")
def event(lot_id: int):
    form = request.form
    try:
        kind = EventKind(form.get("kind", ""))
    except ValueError:
        return _page(lot_id, error="请选择要登记的事项。", form=form, status=422)
    try:
        on, at, data = _event_data(kind, form)
        service.record_event(uow(), lot_id, kind.value, on, at=at, data=data, actor=current_user.username,
                             court_code=_court())
    except service.NotAllowed:
        deny("court", detail=f"标的 {lot_id} 不属于本院")
    except (TransitionRefused, service.LifecycleError, ValueError) as exc:
        return _page(lot_id, error=str(exc), form=form, status=422)
    flash(f"已登记：{kind.label}。", "success")
    return redirect(url_for("lifecycle.lot", lot_id=lot_id))


@bp.route("/lots/<int:lot_id>/next-round", methods=["POST"])
@roles_required("clerk")
def next_round(lot_id: int):
    form = request.form
    try:
        announce_on = parse_date(form.get("announce_on", ""), "公告日期")
        notified = form.get("notified_on", "").strip()
        new = service.start_next_round(
            uow(), lot_id, announce_on=announce_on, actor=current_user.username, court_code=_court(),
            starting_price=form.get("starting_price", "").strip() or None,
            notified_on=parse_date(notified, "通知日期") if notified else None,
            notice_method=form.get("notice_method", "").strip(),
            posted_on=parse_date(posted, "公示日期") if (posted := form.get("posted_on", "").strip()) else None)
    except service.NotAllowed:
        deny("court", detail=f"标的 {lot_id} 不属于本院")
    except (service.LifecycleError, ValueError) as exc:
        return _page(lot_id, error=str(exc), form=form, status=422)
    flash(f"已启动{new.lot.plan.round.label}：标的 {new.lot_code}。", "success")
    return redirect(url_for("lifecycle.lot", lot_id=new.id))


@bp.route("/lots/<int:lot_id>/documents/<kind>.<fmt>")
@roles_required("clerk")
def document(lot_id: int, kind: str, fmt: str):
    if fmt not in ("pdf", "docx"):
        abort(404)
    try:
        data, name = service.lot_document(uow(), lot_id, kind, fmt, court_code=_court())
    except service.NotAllowed:
        deny("court", detail=f"标的 {lot_id} 不属于本院")
    except service.LifecycleError:
        abort(404)
    except DocumentError as exc:
        return _page(lot_id, error=str(exc), status=422)
    mimetype = "application/pdf" if fmt == "pdf" else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=fmt == "docx", download_name=name)


@bp.route("/agenda")
@roles_required("clerk")
def agenda():
    today = ledger.now_local().date()
    items = service.court_agenda(uow(), _court(), today)
    return render_template("lifecycle/agenda.html", items=items, today=today)


# ---------------------------------------------------------------- the court profile (administrators)

PROFILE_FIELDS = (("address", "法院地址"), ("supervision_phone", "监督电话"), ("bank", "开户银行"),
                  ("account_name", "账户名称"), ("account_number", "账号"), ("clerk", "书记员"),
                  ("seal_text", "印章文字"))


@bp.route("/court-profile", methods=["GET", "POST"])
@roles_required("admin")
def court_profile():
    courts = accounts_service.list_courts(uow())
    codes = [c.code for c in courts]
    code = request.values.get("court") or current_user.court_code or (codes[0] if codes else "")
    if current_user.court_code and code != current_user.court_code:
        deny("court", detail=f"本院管理员只能编辑本院（{current_user.court_code}）的法院信息")
    if code and code not in codes:
        abort(404)
    error = ""
    form = request.form
    if request.method == "POST":
        try:
            service.save_court_profile(
                uow(), code, actor=current_user.username, actor_role=current_user.role,
                actor_court=current_user.court_code, judges=form.get("judges", ""), contacts=form.get("contacts", ""),
                **{name: form.get(name, "") for name, _label in PROFILE_FIELDS})
        except service.NotAllowed:
            deny("court", detail="无权编辑该法院的法院信息")
        except service.LifecycleError as exc:
            error = str(exc)
        else:
            flash("法院信息已保存，之后制作的文书将使用这些信息。", "success")
            return redirect(url_for("lifecycle.court_profile", court=code))
    info = service.court_info(uow(), code) if code else None
    values = dict(form) if error else _profile_values(info)
    return render_template("lifecycle/court_profile.html", courts=courts, code=code, values=values, error=error,
                           fields=PROFILE_FIELDS, info=info), (422 if error else 200)


def _profile_values(info) -> dict:
    if info is None:
        return {}
    account = info.account
    return {"address": info.address, "supervision_phone": info.supervision_phone,
            "bank": account.bank if account else "", "account_name": account.account_name if account else "",
            "account_number": account.account_number if account else "", "clerk": info.clerk,
            "seal_text": info.seal_text, "judges": "\n".join(info.judges),
            "contacts": "\n".join(" ".join(x for x in (c.name, c.phone, c.role) if x) for c in info.contacts)}
