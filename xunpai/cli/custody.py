"""``xunpai custody ...`` (保管: intake, moves, tasks, costs, viewing, release) and ``xunpai firms ...``
(辅助机构: registry, public lottery, tasks and reminders)."""

from __future__ import annotations

from pathlib import Path

import click

from auction import lottery
from auction.custody import INSPECTION_CHECKLISTS, CustodyError, DebtorCosts, missing_checklist
from tax_baseline.money import InvalidAmount, format_yuan, to_fen
from xunpai import config
from xunpai.cli.publishing import _lot_id
from xunpai.cli.support import echo_json, fail, unit_of_work
from xunpai.cli.support import required_datetime as _datetime
from xunpai.cli.support import typed_date as _date
from xunpai.services import custody as custody_service  # also registers the ledger kinds' Chinese names
from xunpai.services import providers
from xunpai.services.providers import SERVICES, ProviderError
from xunpai.storage import ledger

ACTOR = click.option("--actor", default=config.login_name, help="操作人")


def _fen(text: str | None, what: str) -> int:
    if not text:
        return 0
    try:
        return to_fen(text)
    except InvalidAmount as exc:
        fail(f"{what}：{exc}")


def _run(action):
    """Run ``action(uow)`` in one transaction; a user error is reported in Chinese and changes nothing."""
    try:
        return action(unit_of_work())
    except (CustodyError, ProviderError) as exc:
        fail(str(exc))


@click.group("custody")
def custody_group() -> None:
    """保管：入库、移库、清洗检测任务、费用、预约看样、出库交付。"""


@custody_group.command("intake")
@click.option("--court", "court_code", required=True, help="法院代字，如 浙1081")
@click.option("--case-number", required=True, help="案号")
@click.option("--kind", required=True, type=click.Choice(["vehicle", "movable"]), help="vehicle 车辆 / movable 动产")
@click.option("--description", required=True, help="保管物描述")
@click.option("--location", required=True, help="存放位置")
@click.option("--condition", required=True, help="入库状况")
@click.option("--tariff", help="日保管费（元/日，精确到分）；缺省取法院配置的标准")
@click.option("--intake-on", required=True, help="入库日期 YYYY-MM-DD")
@click.option("--photo", "photos", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="入库照片（可多次），按 SHA-256 登记")
@click.option("--check", "checks", multiple=True,
              help="检查项 key=结果，key 可用英文或中文名，如 mileage=30001 或 里程表读数=30001（可多次）")
@click.option("--id", "identifiers", multiple=True, help="识别信息 key=值，如 plate=浙J00001")
@click.option("--debtor", default="", help="被执行人")
@click.option("--lot", "lot_id", type=int, help="关联的标的（数据库编号）")
@ACTOR
def intake(court_code, case_number, kind, description, location, condition, tariff, intake_on, photos, checks,
           identifiers, debtor, lot_id, actor) -> None:
    """保管物入库：照片、状况、入库检查清单、存放位置与保管费标准。"""
    def pairs(values, what):
        out = {}
        for value in values:
            key, sep, text = value.partition("=")
            if not sep:
                fail(f"{what}“{value}”应写成 key=值。")
            out[key.strip()] = text.strip()
        return out

    # The checklist items by their key (mileage) or their Chinese name (里程表读数); a missing item is named
    # with the key to type, since the key is what --check takes.
    items = INSPECTION_CHECKLISTS[kind]
    by_name = {name: key for key, name in items}
    checklist = {by_name.get(k, k): v for k, v in pairs(checks, "检查项").items()}
    unknown = [k for k in checklist if k not in dict(items)]
    if unknown:
        fail(f"检查项“{'、'.join(unknown)}”不是{'车辆' if kind == 'vehicle' else '动产'}的入库检查项；应为："
             + "、".join(f"{key}（{name}）" for key, name in items) + "。")
    missing = missing_checklist(kind, checklist)
    if missing:
        fail("入库检查清单未填完：" + "、".join(f"{name}（--check {key}=…）" for key, name in missing) + "。")
    item_id = _run(lambda s: custody_service.intake(
        s, court_code=court_code, case_number=case_number, kind=kind, description=description, location=location,
        condition=condition, checklist=checklist, tariff_daily_fen=_fen(tariff, "日保管费") if tariff else None,
        intake_on=_date(intake_on, "入库日期"), photos=[(p.name, p.read_bytes()) for p in photos],
        identifiers=pairs(identifiers, "识别信息"), debtor=debtor, lot_id=lot_id, actor=actor).id)
    click.echo(f"已入库，保管物编号 {item_id}")


@custody_group.command("link")
@click.argument("item_id", type=int)
@click.option("--lot", "lot", required=True, help="标的（数据库编号或标的编号），须属于同一案件")
@ACTOR
def link(item_id, lot, actor) -> None:
    """保管物关联标的（入库时标的尚未建立的，挂拍后关联，成交后方可交付买受人）。"""
    lot_id = _lot_id(lot)
    code = _run(lambda s: custody_service.link_lot(s, item_id, lot_id, actor=actor).lot_id)
    click.echo(f"保管物 {item_id} 已关联标的 {lot}（数据库编号 {code}）")


@custody_group.command("move")
@click.argument("item_id", type=int)
@click.option("--to", "location", required=True)
@click.option("--on", "on_text", required=True)
@click.option("--reason", default="")
@ACTOR
def move(item_id, location, on_text, reason, actor) -> None:
    """移库。"""
    _run(lambda s: custody_service.move(s, item_id, location, on=_date(on_text, "日期"), reason=reason, actor=actor))
    click.echo(f"保管物 {item_id} 已移至 {location}")


@custody_group.command("task")
@click.argument("item_id", type=int)
@click.option("--kind", required=True, help="cleaning 清洗 / inspection 检测 / transport 运输 / maintenance 保养 / other")
@click.option("--due", required=True, help="完成期限 YYYY-MM-DD")
@ACTOR
def task(item_id, kind, due, actor) -> None:
    """布置清洗、检测等保管任务。"""
    task_id = _run(lambda s: custody_service.add_task(s, item_id, kind, _date(due, "完成期限"), actor=actor).id)
    click.echo(f"已布置任务 {task_id}")


@custody_group.command("task-done")
@click.argument("task_id", type=int)
@click.option("--on", "on_text", required=True)
@click.option("--result", required=True)
@click.option("--cost", help="产生的费用（元）")
@ACTOR
def task_done(task_id, on_text, result, cost, actor) -> None:
    """登记任务完成（及其费用）。"""
    _run(lambda s: custody_service.complete_task(s, task_id, done_on=_date(on_text, "完成日期"), result=result,
                                                 cost_fen=_fen(cost, "费用"), actor=actor))
    click.echo(f"任务 {task_id} 已完成")


@custody_group.command("cost")
@click.argument("item_id", type=int)
@click.option("--kind", required=True, help="cleaning / inspection / transport / towing / other")
@click.option("--amount", required=True, help="金额（元）")
@click.option("--on", "on_text", required=True)
@click.option("--note", default="")
@ACTOR
def cost(item_id, kind, amount, on_text, note, actor) -> None:
    """登记保管相关费用（由被执行人承担，网拍规定第七条）。"""
    _run(lambda s: custody_service.add_cost(s, item_id, kind, _fen(amount, "金额"), incurred_on=_date(on_text, "日期"),
                                            note=note, actor=actor))
    click.echo("已登记费用")


@custody_group.command("slot")
@click.argument("item_id", type=int)
@click.option("--start", required=True, help="开始时间 YYYY-MM-DDTHH:MM")
@click.option("--end", required=True, help="结束时间 YYYY-MM-DDTHH:MM")
@click.option("--capacity", required=True, type=int, help="名额")
@click.option("--place", default="")
@ACTOR
def slot(item_id, start, end, capacity, place, actor) -> None:
    """开放看样时段。"""
    slot_id = _run(lambda s: custody_service.open_slot(s, item_id, _datetime(start, "开始时间"), _datetime(end, "结束时间"),
                                                       capacity, place=place, actor=actor).id)
    click.echo(f"已开放看样时段 {slot_id}")


@custody_group.command("book")
@click.argument("slot_id", type=int)
@click.option("--name", required=True, help="看样人姓名")
@click.option("--identity", required=True, help="身份证号或手机号（识别重复预约，只保存其哈希）")
@click.option("--phone", default="")
@ACTOR
def book(slot_id, name, identity, phone, actor) -> None:
    """预约看样：名额已满或同一人重复预约的被拒绝。"""
    booking = _run(lambda s: custody_service.book_viewing(s, slot_id, visitor_name=name, identity=identity,
                                                          phone=phone, actor=actor).id)
    click.echo(f"预约成功，预约编号 {booking}")


@custody_group.command("cancel")
@click.argument("booking_id", type=int)
@ACTOR
def cancel(booking_id, actor) -> None:
    """取消看样预约。"""
    _run(lambda s: custody_service.cancel_booking(s, booking_id, actor=actor))
    click.echo(f"已取消预约 {booking_id}")


@custody_group.command("release")
@click.argument("item_id", type=int)
@click.option("--kind", required=True, type=click.Choice(["delivered", "transferred", "returned"]),
              help="delivered 交付买受人 / transferred 移交抵债 / returned 退还被执行人")
@click.option("--on", "on_text", required=True)
@click.option("--to", "recipient", required=True, help="接收人")
@ACTOR
def release(item_id, kind, on_text, recipient, actor) -> None:
    """出库（成交后交付、抵债移交或退还），并结算被执行人应负担的保管费用。"""
    result = _run(lambda s: custody_service.release(s, item_id, kind, on=_date(on_text, "出库日期"), recipient=recipient,
                                                    actor=actor))
    click.echo(f"已出库。保管 {result.storage_days} 日，{_fees(result, '被执行人负担合计')}")


def _fees(costs: DebtorCosts | custody_service.LotCosts, total: str = "合计") -> str:
    return (f"保管费 {format_yuan(costs.storage_fee_fen)}，其他费用 {format_yuan(costs.other_costs_fen)}，"
            f"{total} {format_yuan(costs.total_fen)}")


@custody_group.command("costs")
@click.option("--item", "item_id", type=int, help="保管物编号")
@click.option("--lot", "lot_id", type=int, help="标的编号（合计该标的全部保管物）")
@click.option("--until", required=True, help="计费截止日 YYYY-MM-DD（含当日）")
def costs(item_id, lot_id, until) -> None:
    """被执行人应负担的保管费用（入库日与截止日均计入）。"""
    end = _date(until, "截止日")
    if (item_id is None) == (lot_id is None):
        fail("请指定 --item 或 --lot 之一。")
    if item_id is not None:
        r = _run(lambda s: custody_service.costs(s, item_id, end))
        click.echo(f"保管 {r.storage_days} 日，{_fees(r)}")
    else:
        r = _run(lambda s: custody_service.lot_costs(s, lot_id, end))
        click.echo(f"标的 {lot_id}：{r.items} 件保管物，{_fees(r)}")


# --- service firms ---------------------------------------------------------------------------------------------

@click.group("firms")
def firms_group() -> None:
    """辅助机构：名册、公开摇号、任务与催办。"""


@firms_group.command("register")
@click.argument("name")
@click.option("--service", "services", multiple=True, required=True,
              help="storage / transport / viewing / inspection / cleaning / survey / photography，或其中文名（可多次）")
@click.option("--credit-code", help="统一社会信用代码")
@click.option("--contact", default="")
@click.option("--phone", default="")
@ACTOR
def register(name, services, credit_code, contact, phone, actor) -> None:
    """登记辅助机构。"""
    services = [_service_key(x) for x in services]
    provider_id = _run(lambda s: providers.register(s, name=name, services=services, credit_code=credit_code,
                                                    contact=contact, phone=phone, actor=actor).id)
    click.echo(f"已登记辅助机构 {provider_id}：{name}")


@firms_group.command("list")
def list_firms() -> None:
    """辅助机构名册。"""
    for p in providers.list_providers(unit_of_work()):
        click.echo(f"{p.id}\t{p.name}\t{'、'.join(SERVICES.get(s, s) for s in p.services)}\t"
                   f"{'在册' if p.active else '停用'}")


def _service_key(text: str) -> str:
    """A service type by its key (storage) or its Chinese name as `firms list` prints it (仓储保管)."""
    return {name: key for key, name in SERVICES.items()}.get(text.strip(), text.strip())


@firms_group.command("draw")
@click.option("--service", required=True, help="服务类型：storage（仓储保管）、transport（运输）… 英文或中文名均可")
@click.option("--court", "court_code", required=True)
@click.option("--k", default=1, show_default=True, help="抽取家数")
@click.option("--lot", "lot_id", type=int)
@click.option("--item", "item_id", type=int)
@click.option("--public-value", default="", help="登记后才公布的公开值（如当期开奖号码），与随机种子合并")
@ACTOR
def draw(service, court_code, k, lot_id, item_id, public_value, actor) -> None:
    """公开摇号：先登记候选名单与种子承诺（写入台账），再揭示种子开奖；任何人可复核。"""
    service = _service_key(service)
    secret = lottery.new_seed()
    row = _run(lambda s: providers.commit_lottery(s, court_code=court_code, service=service, k=k,
                                                  seed=secret + public_value, lot_id=lot_id, item_id=item_id,
                                                  actor=actor))
    click.echo(f"摇号 {row.id} 已登记：候选 {len(row.commitment['candidates'])} 家，种子承诺 {row.commitment['seed_digest']}")
    def drawn(s):
        assignments = providers.draw_lottery(s, row.id, secret + public_value, actor=actor)
        names = providers.provider_names(s, [a.provider_id for a in assignments])
        return [(a.id, a.provider_id, names[a.provider_id]) for a in assignments]

    winners = _run(drawn)
    click.echo(f"开奖：种子 {secret + public_value}")
    for assignment_id, provider_id, name in winners:
        # the assignment number is what `xunpai firms task` takes
        click.echo(f"  中选：{name}（机构编号 {provider_id}，委派编号 {assignment_id}）")
    click.echo(f"复核：xunpai firms verify {row.id}；布置任务：xunpai firms task 委派编号 --title … --due …")


@firms_group.command("verify")
@click.argument("lottery_id", type=int)
def verify(lottery_id) -> None:
    """复核摇号：种子与承诺一致、结果可重现。"""
    def check(s):
        if not providers.lottery_exists(s, lottery_id):
            fail(f"摇号 {lottery_id} 不存在。")
        return providers.verify_lottery(s, lottery_id)

    ok = _run(check)
    if not ok:
        fail(f"摇号 {lottery_id} 复核不通过（种子与承诺不符、结果不可重现或尚未开奖）。", code=1)
    click.echo(f"摇号 {lottery_id} 复核通过。")


@firms_group.command("task")
@click.argument("assignment_id", type=int)
@click.option("--title", required=True)
@click.option("--due", required=True)
@ACTOR
def firm_task(assignment_id, title, due, actor) -> None:
    """给中选机构布置任务（含期限）。"""
    task_id = _run(lambda s: providers.add_task(s, assignment_id, title, _date(due, "期限"), actor=actor).id)
    click.echo(f"已布置任务 {task_id}")


@firms_group.command("task-done")
@click.argument("task_id", type=int)
@click.option("--on", "on_text", required=True)
@ACTOR
def firm_task_done(task_id, on_text, actor) -> None:
    """登记任务完成。"""
    _run(lambda s: providers.complete_task(s, task_id, _date(on_text, "完成日期"), actor=actor))
    click.echo(f"任务 {task_id} 已完成")


@firms_group.command("overdue")
@click.option("--today", "today_text", help="以该日为今天 YYYY-MM-DD")
@click.option("--remind", is_flag=True, help="对逾期任务催办（记入台账）")
@click.option("--json", "as_json", is_flag=True)
@ACTOR
def overdue(today_text, remind, as_json, actor) -> None:
    """列出逾期任务；--remind 时逐一催办。"""
    today = _date(today_text, "今天") or ledger.now_local().date()
    rows = _run(lambda s: providers.remind_overdue(s, today, actor=actor) if remind else providers.overdue(s, today))
    if as_json:
        echo_json([r.__dict__ for r in rows])
        return
    for r in rows:
        click.echo(f"任务 {r.task_id}\t{r.provider}\t{r.title}\t期限 {r.due_on}\t逾期 {r.days_overdue} 日\t已催办 {r.reminders} 次")
    click.echo(f"共 {len(rows)} 项逾期任务" + ("，已催办。" if remind and rows else "。"))


commands = [custody_group, firms_group]
