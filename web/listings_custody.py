"""Clerks' pages, continued: custody of seized goods and the viewing calendar, outcome statistics with charts
(routes of the ``listings`` blueprint). Fees, checklists, capacity and the statistics are the custody and
outcomes engines' (``auction.custody``, ``xunpai.services.custody``, ``xunpai.services.outcomes``)."""

from __future__ import annotations

import io
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from auction import custody as custody_rules
from auction.outcomes import OUTCOMES
from tax_baseline.money import parse_yuan
from tax_baseline.typed_dates import parse_date, parse_datetime
from web.database import uow
from web.listings import bp
from web.security import authorize_court, roles_required
from xunpai.services import custody as custody_service
from xunpai.services import outcomes as outcomes_service
from xunpai.services.outcome_report import export_statistics_xlsx
from xunpai.storage import ledger

# ---------------------------------------------------------------- custody and viewing

def custody_items(lot_id: int | None = None):
    return custody_service.court_items(uow(), current_user.court_code, lot_id=lot_id)


@bp.route("/custody", methods=["GET", "POST"])
@roles_required("clerk")
def custody():
    error = ""
    if request.method == "POST":
        try:
            _custody_action()
        except (ValueError, custody_rules.CustodyError) as exc:
            error = str(exc)  # the page again with what was typed (nothing is lost; photos are chosen again)
        else:
            flash("已记录。", "success")
            return redirect(url_for("listings.custody"))
    today = ledger.now_local().date()
    items = custody_items()
    costs = {}
    for item in items:
        try:
            costs[item.id] = custody_service.costs(uow(), item.id, today)
        except custody_rules.CustodyError:
            costs[item.id] = None
    slots, bookings = custody_service.viewing_schedule(uow(), [i.id for i in items],
                                                       since=datetime.combine(today, datetime.min.time()))
    by_day: dict[date, list] = {}
    for slot in slots:
        by_day.setdefault(slot.starts_at.date(), []).append(slot)
    item_by_id = {i.id: i for i in items}
    kinds = custody_rules.CUSTODY_KINDS
    checklists = {k: list(custody_rules.INSPECTION_CHECKLISTS.get(k, ())) for k in kinds}
    return render_template("listings/custody.html", items=items, costs=costs, by_day=sorted(by_day.items()),
                           bookings=bookings, item_by_id=item_by_id, kinds=kinds, checklists=checklists,
                           today=today, item_statuses=custody_rules.ITEM_STATUSES, error=error,
                           form=request.form if error else {}), (422 if error else 200)


def _count(name: str, label: str, low: int, high: int, default: int | None) -> int | None:
    """A whole number typed into the custody forms, within its range (a Chinese reason otherwise)."""
    text = (request.form.get(name) or "").strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(f"“{label}”应为 {low} 至 {high} 之间的整数，收到“{text[:30]}”。")
    return int(text)


def _tariff() -> int:
    fen = parse_yuan(request.form.get("tariff", "0")) or 0
    if not 0 <= fen <= 100_000_00:
        raise ValueError("“日保管费”应在 0 至 100,000 元之间。")
    return fen


def _custody_action() -> None:
    form = request.form
    action = form.get("action")
    if action == "intake":
        kind = form.get("kind", "")
        photos = [(f.filename, f.read()) for f in request.files.getlist("photos") if f and f.filename]
        checklist = {k[len("check_"):]: v for k, v in form.items() if k.startswith("check_") and v.strip()}
        custody_service.intake(uow(), court_code=current_user.court_code, case_number=form.get("case_number", ""),
                               kind=kind, description=form.get("description", ""),
                               location=form.get("location", ""), condition=form.get("condition", ""),
                               checklist=checklist, tariff_daily_fen=_tariff(),
                               intake_on=parse_date(form.get("intake_on") or ledger.now_local().date(), "入库日期"),
                               photos=photos, debtor=form.get("debtor", ""),
                               lot_id=_count("lot_id", "标的", 1, 2**31 - 1, None), actor=current_user.username)
    elif action == "slot":
        item = custody_service.get_item(uow(), _count("item_id", "保管物", 1, 2**31 - 1, 0))
        if item is None:
            abort(404)
        authorize_court(item.court_code)
        starts = parse_datetime(form.get("starts_at", ""), "看样开始时间")
        ends = starts + timedelta(minutes=_count("minutes", "看样时长（分钟）", 15, 480, 60))
        custody_service.open_slot(uow(), item.id, starts, ends, _count("capacity", "名额", 1, 100, 5),
                                  place=form.get("place", ""), actor=current_user.username)
    else:
        abort(400)


# ---------------------------------------------------------------- outcomes

def _period() -> tuple[date, date]:
    today = ledger.now_local().date()
    try:
        date_from = parse_date(request.args.get("from") or date(today.year, 1, 1))
        date_to = parse_date(request.args.get("to") or today)
    except ValueError:
        flash("日期格式不正确，应为 年-月-日。已显示本年度。", "error")
        date_from, date_to = date(today.year, 1, 1), today
    return date_from, date_to


@bp.route("/outcomes")
@roles_required("clerk")
def outcomes():
    date_from, date_to = _period()
    _per_court, total, lots_ = outcomes_service.statistics(uow(), current_user.court_code, date_from, date_to)
    bars = [(OUTCOMES[k], v) for k, v in total.counts.items()]
    by_month: dict[str, list[int]] = {}
    for lot in lots_:
        month = lot.outcome_on.strftime("%Y-%m")
        sold, ended = by_month.get(month, [0, 0])
        by_month[month] = [sold + (lot.outcome == "sold"), ended + 1]
    return render_template("listings/outcomes.html", total=total, bars=bars, by_month=sorted(by_month.items()),
                           lots=lots_, date_from=date_from, date_to=date_to, outcomes=OUTCOMES)


@bp.route("/outcomes.xlsx")
@roles_required("clerk")
def outcomes_export():
    date_from, date_to = _period()
    per_court, total, lots_ = outcomes_service.statistics(uow(), current_user.court_code, date_from, date_to)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stats.xlsx"
        export_statistics_xlsx(path, per_court, total, lots_, date_from=date_from, date_to=date_to)
        data = path.read_bytes()
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"成交统计-{date_from}-{date_to}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
