"""``xunpai lots plan|documents``: plan a round by the rules, render a lot's document set.

Other modules add their subcommands (publish, bulk-publish ...) to ``lots_group``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from auction import case_number as case_numbers
from auction.amounts import amount_text, datetime_cn
from auction.documents import DocumentError, applicable_kinds, court_gaps, render_document_set
from auction.listing_plan import DEFAULT_POLICY, PlanRefused, plan_listing, policy_from_dict
from auction.lot import CourtInfo, LotDataError, court_from_dict, lot_from_dict
from xunpai.cli.support import echo_json, fail, unit_of_work
from xunpai.cli.support import required_date as _parse_date
from xunpai.services.lifecycle import court_info
from xunpai.services.procedure import load_calendar


@click.group("lots")
def lots_group() -> None:
    """标的物：拍卖方案、拍卖文书、发布。"""


@lots_group.command("plan")
@click.option("--reference-price", required=True, help="参考价（元，精确到分），如 1200000")
@click.option("--kind", required=True, help="real_estate / vehicle / movable / equity / other_right")
@click.option("--round", "round_", required=True, help="first / second / fixed_price_sale（一拍/二拍/变卖）")
@click.option("--announce-on", required=True, help="公告日期 YYYY-MM-DD")
@click.option("--previous-starting-price", help="前次起拍价（元），二拍、变卖必填")
@click.option("--failed-on", help="前次流拍日期 YYYY-MM-DD（二拍核对三十日期限）")
@click.option("--starting-price", help="自定起拍价（元），按规定核对")
@click.option("--deposit", help="自定保证金（元），按规定核对")
@click.option("--bid-increment", help="自定加价幅度（元）")
@click.option("--policy", "policy_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="法院拍卖政策 JSON（起拍比例、降价比例、保证金比例、加价比例、取整位数、开拍时刻等）")
@click.option("--working-days", is_flag=True,
              help="按工作日历（含调休与管理员录入的放假安排）使竞价起止日、尾款截止日落在工作日")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def plan(reference_price: str, kind: str, round_: str, announce_on: str, previous_starting_price: str | None,
         failed_on: str | None, starting_price: str | None, deposit: str | None, bid_increment: str | None,
         policy_file: Path | None, working_days: bool, as_json: bool) -> None:
    """按网拍规定计算起拍价、保证金、加价幅度和时间安排；违反规定的方案被拒绝并列明条款。"""
    policy = DEFAULT_POLICY
    if policy_file is not None:
        try:
            policy = policy_from_dict(json.loads(policy_file.read_text(encoding="utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
            fail(f"拍卖政策文件 {policy_file} 无法读取：{exc}")
    calendar = None
    if working_days:
        uow = unit_of_work()
        calendar = load_calendar(uow)
    try:
        result = plan_listing(
            reference_price, kind, round_, _parse_date(announce_on, "公告日期"), policy,
            previous_starting_price=previous_starting_price,
            failed_on=_parse_date(failed_on, "流拍日期") if failed_on else None,
            starting_price=starting_price, deposit=deposit, bid_increment=bid_increment,
            is_working_day=calendar.is_working_day if calendar else None,
        )
    except PlanRefused as exc:
        if as_json:
            echo_json({"refused": True, "violations": [
                {"code": v.code, "article": str(v.citation), "message": v.message} for v in exc.violations]})
        fail(str(exc), code=1)
        return
    except ValueError as exc:
        fail(str(exc))
        return
    warnings = []
    if calendar is not None:  # RULES.md section 5: a guess about an unannounced year must say so
        days = sorted({result.bidding_start.date(), result.bidding_end.date(), result.balance_due_on})
        reasons = {calendar.status(day).reason for day in days if calendar.is_provisional(day)}
        warnings = [f"注意：{reason}" for reason in sorted(reasons)]
    if as_json:
        echo_json({**result.to_dict(), "calendar_warnings": warnings})
        return
    sale = result.advance_payment_fen is not None  # 变卖: a price, an advance of the full price, a sale period
    lines = [
        f"{result.kind.label}　{result.round.label}",
        f"参考价　　{amount_text(result.reference_price_fen)}",
        f"{'变卖价　　' if sale else '起拍价　　'}{amount_text(result.starting_price_fen)}",
        *([f"变卖预缴款　{amount_text(result.advance_payment_fen)}（竞买人须预缴全部变卖价款）"] if sale else []),
        *([] if sale else [f"保证金　　{amount_text(result.deposit_fen)}",
                           f"加价幅度　{amount_text(result.bid_increment_fen)}"]),
        f"通知当事人不晚于　{result.notify_parties_by.isoformat()}（无法通知的公示不晚于 {result.post_unreachable_by.isoformat()}）",
        f"公告日期　{result.announce_on.isoformat()}（距{'变卖' if sale else '竞价'} {result.announcement_days} 日）",
        f"{'变卖期　' if sale else '竞价时间'}　{datetime_cn(result.bidding_start)} 至 {datetime_cn(result.bidding_end)}",
        f"{'竞价规则' if sale else '延时规则'}　{result.extension_rule()}",
        *([] if sale else [f"尾款截止　{result.balance_due_on.isoformat()}"]),
    ]
    if result.latest_bidding_start:
        lines.append(f"最迟开拍　{result.latest_bidding_start.isoformat()}（流拍后三十日内，末日遇休息日顺延）")
    if result.next_round_deadline:  # only after a first auction (网拍规定 art. 26); no period after the second
        lines.append(f"如流拍，第二次拍卖最迟于 {result.next_round_deadline.isoformat()} 开始")
    click.echo("\n".join(lines + warnings))


@lots_group.command("documents")
@click.argument("lot_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出目录")
@click.option("--court", "court_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="法院信息 JSON（替代本院保存的法院信息）；缺省时用管理员在“法院信息”页保存的本院信息")
def documents(lot_file: Path, out_dir: Path, court_file: Path | None) -> None:
    """由标的物 JSON 生成全套拍卖文书（DOCX 与 PDF），法院信息取本院保存的法院信息（账户、合议庭、书记员、监督电话、印章）。

    缺少某项法院信息的文书不制作，并列明该文书缺少哪些法院信息。"""
    try:
        data = json.loads(lot_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"文件 {lot_file} 不是 UTF-8 编码的 JSON：{exc}")
        return
    try:
        lot = lot_from_dict(data.get("lot", data) if isinstance(data, dict) else data)
        if lot.plan is None:
            fail("标的物没有拍卖方案（plan），请先用 xunpai lots plan 计算并写入。")
        court, source = None, ""
        if court_file is not None:  # an explicit override
            court, source = court_from_dict(json.loads(court_file.read_text(encoding="utf-8"))), f"文件 {court_file}"
        elif isinstance(data, dict) and "court" in data:
            court, source = court_from_dict(data["court"]), f"文件 {lot_file} 中的法院信息"
        else:  # the default: the court profile its administrator stored (xunpai.services.lifecycle)
            code = _court_code(lot.case_number)
            court = court_info(unit_of_work(), code) if code else None
            source = f"本院（{code}）保存的法院信息" if court is not None else ""
        if court is None:
            court = CourtInfo(name=lot.court_name, contacts=lot.contacts)
            source = "标的物中的法院名称和联系人（本院尚未保存法院信息）"
        gaps = court_gaps(lot, court)
        kinds = [k for k in applicable_kinds(lot) if k not in gaps]
        paths = render_document_set(lot, lot.plan, court, out_dir, kinds=kinds) if kinds else []
    except (LotDataError, DocumentError) as exc:
        fail(str(exc))
        return
    for path in paths:
        click.echo(str(path))
    click.echo(f"已生成 {len(paths)} 个文件到 {out_dir}（法院信息：{source}）")
    if lot.sale is not None and not lot.sale.paid_in_full_on:
        click.echo("提示：尚未登记价款付清日期，未制作成交裁定书（拍卖变卖规定第二十条）；付清后用 "
                   "xunpai lots outcome … --paid-on 登记，再导出并重新生成。", err=True)
    for kind, missing in gaps.items():  # never a "—" where the account, the panel or the clerk belongs
        click.echo(f"未制作{kind.label_for(lot.plan)}：法院信息缺少{'、'.join(missing)}。", err=True)
    if gaps:
        click.echo("请本院管理员在网页“法院信息”页填写后重新生成（或用 --court 提供法院信息 JSON）。", err=True)
        if not paths:
            raise SystemExit(1)


def _court_code(case_number: str) -> str:
    try:
        return case_numbers.parse(case_number).court_code
    except ValueError:
        return ""


commands = [lots_group]
