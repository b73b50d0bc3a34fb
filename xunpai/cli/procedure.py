"""``xunpai deadline``, ``xunpai agenda`` and ``xunpai calendar set-year|show``: legal deadlines counted on the
调休 calendar, the court's open steps, and the administrator's entry of a later year's holiday notice."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import click

from auction import periods
from xunpai.cli.support import echo_json, fail, unit_of_work
from xunpai.cli.support import required_date as _parse_date
from xunpai.services import agenda as agenda_service
from xunpai.services import procedure as service
from xunpai.storage.ledger import now_local


def _parse_dates(text: str | None, what: str) -> set[date]:
    """Comma-separated dates and ranges: ``2027-02-05..2027-02-11,2027-05-01``."""
    out: set[date] = set()
    for part in (text or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if ".." in part:
            first, last = (_parse_date(p, what) for p in part.split("..", 1))
            if last < first:
                fail(f"{what}的区间“{part}”起止颠倒，应为 起始日..结束日。")
            while first <= last:
                out.add(first)
                first += timedelta(days=1)
        else:
            out.add(_parse_date(part, what))
    return out


@click.command("deadline")
@click.option("--from", "start", required=True, help="期间起算的事件日（当日不计入），YYYY-MM-DD")
@click.option("--days", type=click.IntRange(min=0), required=True, help="期间天数 N")
@click.option("--working-days", is_flag=True, help="按工作日计算（仅规则明确规定“N个工作日”时）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def deadline(start: str, days: int, working_days: bool, as_json: bool) -> None:
    """计算期间届满日（民诉法第八十五条：首日不计，末日遇休息日顺延，至二十四时止）。"""
    begin = _parse_date(start, "起算日")
    uow = unit_of_work()
    calendar = service.load_calendar(uow)
    if working_days:
        result = periods.working_days(begin, days, calendar)
    else:
        result = periods.calendar_days(begin, days, calendar)
    if as_json:
        echo_json({**result.as_dict(), "days": days, "working_days": working_days})
        return
    unit = "个工作日" if working_days else "日"
    click.echo(f"自 {begin.isoformat()} 起 {days}{unit}，届满：{result.label()}（{result.article}）")
    if result.provisional:
        click.echo("暂定：是")
    if result.reason:
        click.echo(f"说明：{result.reason}")


@click.command("agenda")
@click.option("--court", "court_code", help="法院代字，如 浙1081；不填则列出全部法院")
@click.option("--today", help="以该日为今天（YYYY-MM-DD），默认为北京时间今天")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def agenda(court_code: str | None, today: str | None, as_json: bool) -> None:
    """待办期限：每个未完成步骤的届满日，是否逾期、是否暂定。"""
    day = _parse_date(today, "今天") if today else now_local().date()
    uow = unit_of_work()
    try:
        items = agenda_service.court_agenda(uow, today=day, court_code=court_code)
    except service.ProcedureError as exc:
        fail(str(exc))
    if as_json:
        echo_json({"today": day.isoformat(), "court": court_code, "items": [i.as_dict() for i in items]})
        return
    if not items:
        click.echo("没有未完成的步骤。")
        return
    for item in items:
        d = item.as_dict()
        flags = "".join(["【已逾期】" if item.overdue else "", "【暂定】" if item.provisional else ""])
        click.echo(f"{d['due_label']:<22} {flags}{d['case_number']} {d['subject']}：{d['step']}"
                   + (f"（{d['article']}）" if d["article"] else ""))
        if item.note:
            click.echo(f"    {item.note}")


@click.group("calendar")
def calendar_group() -> None:
    """工作日历：录入国务院年度放假安排（chinesecalendar 未收录的年份）。"""


@calendar_group.command("set-year")
@click.argument("year", type=int)
@click.option("--holidays", help="放假日期，逗号分隔，可用区间：2027-02-05..2027-02-11,2027-05-01")
@click.option("--workdays", help="调休上班日期（周末上班），逗号分隔")
@click.option("--csv", "csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV 文件，两列：date,type（type 为 放假/holiday 或 上班/workday）")
@click.option("--source", required=True, help="放假通知文号或来源，如 国办发明电〔2026〕X号")
@click.option("--by", "actor", default="管理员", show_default=True, help="录入人")
def set_year(year: int, holidays: str | None, workdays: str | None, csv_path: Path | None, source: str,
             actor: str) -> None:
    """录入某年的放假安排；此后该年的期限按录入的安排计算，不再标为暂定。"""
    rest = _parse_dates(holidays, "放假日期")
    work = _parse_dates(workdays, "调休上班日期")
    if csv_path:
        with csv_path.open(encoding="utf-8-sig", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                kind = (row.get("type") or "").strip().lower()
                day = _parse_date(row.get("date") or "", f"第 {line} 行日期")
                if kind in ("放假", "holiday"):
                    rest.add(day)
                elif kind in ("上班", "workday"):
                    work.add(day)
                else:
                    fail(f"CSV 第 {line} 行的 type 为“{row.get('type')}”，应为 放假/holiday 或 上班/workday。")
    try:
        uow = unit_of_work()
        service.set_calendar_year(uow, year, rest, work, source=source, actor=actor, now=now_local())
    except service.ProcedureError as exc:
        fail(str(exc))
    click.echo(f"已录入 {year} 年放假安排：放假 {len(rest)} 天，调休上班 {len(work)} 天（{source}）。")


@calendar_group.command("show")
@click.argument("year", type=int)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def show(year: int, as_json: bool) -> None:
    """列出某年的休息日（周末和节假日，除去调休上班日）及其来源。"""
    uow = unit_of_work()
    calendar = service.load_calendar(uow)
    source = calendar.source_for(year)
    rest = calendar.rest_days(year)
    weekend_work = [d for d in (date(year, 1, 1) + timedelta(days=i) for i in range(366))
                    if d.year == year and d.weekday() >= 5 and calendar.is_working_day(d)]
    names = {"chinesecalendar": "chinesecalendar 收录的国务院通知", "administrator": "管理员录入的放假通知",
             "provisional": "无通知，暂按周末和固定日期节日推算"}
    if as_json:
        echo_json({"year": year, "source": source, "provisional": source == "provisional",
                   "rest_days": rest, "weekend_workdays": weekend_work})
        return
    click.echo(f"{year} 年：{names[source]}；休息日 {len(rest)} 天；调休上班 "
               f"{'、'.join(d.isoformat() for d in weekend_work) or '无'}")


commands = [deadline, agenda, calendar_group]
