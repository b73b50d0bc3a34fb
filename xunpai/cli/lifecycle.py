"""``xunpai lots status|event|next-round|papers``: the lot's process after its listing (``auction.lifecycle``) from
the command line: its state and next steps, an event recorded, the next round started, its documents made with the
stored court profile. The ``lots`` group lives in ``xunpai.cli.lots``; this module adds subcommands to it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from auction.documents import DocumentError
from auction.lifecycle import EventKind, TransitionRefused
from tax_baseline.money import InvalidAmount, to_fen
from xunpai.cli.lots import lots_group
from xunpai.cli.support import fail, unit_of_work
from xunpai.cli.support import required_date as _parse_date
from xunpai.services import lifecycle as service

commands: list = []  # subcommands of ``lots`` only


@lots_group.command("status")
@click.argument("lot_id", type=int)
def status(lot_id: int) -> None:
    """标的的处置流程：当前状态、下一步事项与期限、已登记事项。"""
    try:
        view = service.lot_view(unit_of_work(), lot_id)
    except service.LifecycleError as exc:
        fail(str(exc))
        return
    click.echo(f"{view.row.lot_code}　{view.life.plan.round.label}　状态：{view.life.state.label}")
    for step in view.steps:
        due = step.deadline.label() if step.deadline else "无法定期限"
        click.echo(f"待办：{step.step}　期限 {due}　依据 {step.citation or ''}")
    for event in view.events:
        click.echo(f"{event.seq}. {EventKind(event.kind).label}　{event.on.isoformat()}　{event.actor}")
    if view.next_round:
        click.echo(f"可启动：{view.next_round.label}（xunpai lots next-round {lot_id} --announce-on …）")


@lots_group.command("event")
@click.argument("lot_id", type=int)
@click.argument("kind", type=click.Choice([k.value for k in EventKind]))
@click.option("--on", "on_text", required=True, help="日期 YYYY-MM-DD（不得晚于今天）")
@click.option("--at", "at_text", help="时刻 YYYY-MM-DDTHH:MM（成交、开始竞价）")
@click.option("--set", "values", multiple=True, metavar="字段=值",
              help="事项内容，如 buyer_name=周某某、price=912300.00、members=张审判长,王法官,陈法官、qualified=1、"
                   "claim=500000（承受人债权额）、difference_due_on=2026-12-20、amount=172000（补交的差价）")
@click.option("--actor", default="", help="操作人")
def event(lot_id: int, kind: str, on_text: str, at_text: str | None, values: tuple[str, ...], actor: str) -> None:
    """登记一项处置流程事项（合议庭评议、公告、成交、余款、裁定、交付、悔拍、以物抵债、暂缓……），按规定核对。"""
    data: dict = {}
    try:
        for item in values:
            name, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"“{item}”应为 字段=值。")
            if name in ("price", "claim", "amount"):  # yuan → exact fen (补交差价: claim=债权额, amount=差价)
                data[f"{name}_fen"] = to_fen(value)
            elif name == "members":
                data["members"] = [m.strip() for m in value.replace("，", ",").replace("、", ",").split(",") if m.strip()]
            elif name in ("qualified", "written_refusal", "cause_removed"):
                data[name] = value.strip() in ("1", "是", "yes", "true")
            else:
                data[name] = value.strip()
        at = datetime.fromisoformat(at_text) if at_text else None
        life = service.record_event(unit_of_work(), lot_id, kind, _parse_date(on_text, "日期"), at=at, data=data,
                                    actor=actor)
    except (TransitionRefused, service.LifecycleError, InvalidAmount, ValueError) as exc:
        fail(str(exc))
        return
    click.echo(f"已登记：{EventKind(kind).label}。当前状态：{life.state.label}。")


@lots_group.command("next-round")
@click.argument("lot_id", type=int)
@click.option("--announce-on", required=True, help="公告日期 YYYY-MM-DD")
@click.option("--starting-price", help="起拍价或变卖价（元）；不填按规则计算")
@click.option("--notified-on", help="当事人、优先购买权人通知日期 YYYY-MM-DD（应在公告三日前）")
@click.option("--posted-on", help="无法通知的当事人、优先购买权人在平台公示的日期 YYYY-MM-DD（公示满五日视为已经通知）")
@click.option("--actor", default="", help="操作人")
def next_round(lot_id: int, announce_on: str, starting_price: str | None, notified_on: str | None,
               posted_on: str | None, actor: str) -> None:
    """流拍后启动第二次拍卖或变卖，悔拍后重新拍卖（原买受人不得竞买）。"""
    try:
        new = service.start_next_round(unit_of_work(), lot_id, announce_on=_parse_date(announce_on, "公告日期"),
                                       starting_price=starting_price, actor=actor,
                                       notified_on=_parse_date(notified_on, "通知日期") if notified_on else None,
                                       posted_on=_parse_date(posted_on, "公示日期") if posted_on else None)
    except (service.LifecycleError, ValueError) as exc:
        fail(str(exc))
        return
    click.echo(f"已启动{new.lot.plan.round.label}：标的 {new.lot_code}（编号 {new.id}）。")


@lots_group.command("papers")
@click.argument("lot_id", type=int)
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹")
def papers(lot_id: int, out_dir: Path) -> None:
    """按已登记事项制作标的的全部文书（DOCX 与 PDF），使用本院保存的法院信息。"""
    try:
        view = service.lot_view(unit_of_work(), lot_id)
        out_dir.mkdir(parents=True, exist_ok=True)
        for kind in view.documents:
            for fmt in ("docx", "pdf"):
                data, name = service.lot_document(unit_of_work(), lot_id, kind.value, fmt)
                (out_dir / name).write_bytes(data)
                click.echo(str(out_dir / name))
    except (service.LifecycleError, DocumentError) as exc:
        fail(str(exc))
