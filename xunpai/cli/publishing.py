"""Publishing commands on ``xunpai lots`` (import, template, publish, bulk-publish, send-queued, outcome, stats)
and the ``xunpai platform`` group (serve the local platform, list the platform table, build an upload package).

The ``lots`` group itself lives in ``xunpai.cli.lots``; this module only adds subcommands to it, so it
exports ``platform`` alone in ``commands``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from auction.demo_lots import COURT_CODE, COURT_NAME, demo_rows
from auction.documents import DocumentError
from auction.lot_kinds import AuctionRound
from auction.lot_sheet import write_sheet
from auction.off_peak import InvalidWindow, parse_windows
from auction.outcomes import InvalidOutcome
from auction.platforms import LISTING_STATUSES, PlatformError, catalog, get_platform, local_server
from tax_baseline.money import InvalidAmount, format_yuan, to_fen
from xunpai import config
from xunpai.cli.lots import lots_group
from xunpai.cli.support import echo_json, fail, unit_of_work
from xunpai.cli.support import typed_date as _date
from xunpai.cli.support import typed_datetime as _datetime
from xunpai.services.accounts import get_court
from xunpai.services.outcome_report import export_statistics_xlsx
from xunpai.services.outcomes import lot_document_source, record_outcome, statistics
from xunpai.services.publishing import (
    PublishingError,
    SheetInvalid,
    documents_with_court_profile,
    import_sheet,
    lots_with_code,
    publish_lot,
    queue_lots,
    refresh_statuses,
    stored_lot,
    write_results,
)
from xunpai.services.publishing import bulk_publish as run_bulk_publish
from xunpai.services.publishing import reconcile as run_reconcile
from xunpai.services.publishing import send_queued as run_send_queued
from xunpai.storage import ledger


def make_platform(code: str, platform_url: str | None = None, outbox: Path | None = None):
    try:
        return get_platform(code, base_url=platform_url or config.local_platform_url(),
                            outbox=outbox or config.data_dir() / "outbox")
    except PlatformError as exc:
        fail(str(exc))


def _windows(text: str):
    try:
        return parse_windows(text)
    except InvalidWindow as exc:
        fail(str(exc))


def _lot_id(value: str) -> int:
    if value.isdigit():
        return int(value)
    lots = lots_with_code(unit_of_work(), value)
    if not lots:
        fail(f"标的编号“{value}”不存在。")
    if len(lots) > 1:
        # the database number is shown nowhere else: list the lots so the clerk can pick one
        listed = "；".join(f"{lot.id}（{lot.court_code}，{AuctionRound(lot.round).label}，{lot.case_number}）"
                          for lot in lots)
        fail(f"标的编号“{value}”对应 {len(lots)} 个标的（不同法院或轮次），请改用数据库编号：{listed}。")
    return lots[0].id


def _echo_problems(problems) -> None:
    for p in problems:
        code = f"（{p.lot_code}）" if p.lot_code else ""
        click.echo(f"  第 {p.row} 行{code}：{p.reason}", err=True)


@lots_group.command("template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--demo", type=int, default=0, help="填入 N 个演示标的（车辆与房产交替）")
@click.option("--announce-on", help="演示标的的公告日期 YYYY-MM-DD（缺省为明天）")
@click.option("--court", "court_code", help="演示标的的执行法院代字（缺省为示例法院 浙1081）；须是已登记的法院")
def template(out: Path, demo: int, announce_on: str | None, court_code: str | None) -> None:
    """生成批量挂拍表模板（.xlsx）；--demo 时填入演示标的。"""
    start = _date(announce_on, "公告日期") or ledger.now_local().date() + timedelta(days=1)  # the court's tomorrow
    court_name = COURT_NAME
    if court_code:  # the demo database's court (浙1099) rather than the example court nobody registered
        court = get_court(unit_of_work(), court_code.strip())
        if court is None:
            fail(f"法院“{court_code}”未登记；请填写已登记的法院代字（如演示库的 浙1099）。")
        court_code, court_name = court.code, court.name
    write_sheet(out, demo_rows(demo, start, court_code=court_code or COURT_CODE, court_name=court_name)
                if demo else [])
    click.echo(f"已生成 {out}（{demo} 个标的"
               + (f"，执行法院 {court_code or COURT_CODE} {court_name}）" if demo else "）"))


@lots_group.command("import")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--actor", default=config.login_name, help="操作人")
def import_(sheet: Path, actor: str) -> None:
    """导入批量挂拍表：先校验所有行，有任何一行有误则全部不导入。"""
    try:
        ids = import_sheet(unit_of_work(), sheet, actor=actor)
    except SheetInvalid as exc:
        click.echo(f"错误：批量挂拍表有 {len(exc.problems)} 行有误，未导入任何标的：", err=True)
        _echo_problems(exc.problems)
        raise SystemExit(1) from None
    click.echo(f"已导入 {len(ids)} 个标的（编号 {ids[0]}-{ids[-1]}）" if ids else "表中没有标的。")


@lots_group.command("publish")
@click.argument("lot")
@click.option("--platform", "platform_code", default="local", show_default=True,
              help="平台代码：local, ali, jd, rmfysszc, gpai, caa")
@click.option("--platform-url", help="本地平台地址（缺省取 XUNPAI_LOCAL_PLATFORM_URL 或 http://127.0.0.1:8765）")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path), help="外部平台上传包的存放目录")
@click.option("--documents/--no-documents", default=True, show_default=True, help="附上全套拍卖文书（DOCX、PDF）")
@click.option("--off-peak", is_flag=True, help="不立即发送，排入错峰时段")
@click.option("--windows", default=config.off_peak_windows, show_default="22:00-06:00", help="错峰时段")
@click.option("--actor", default=config.login_name, help="操作人")
def publish(lot: str, platform_code: str, platform_url: str | None, outbox: Path | None, documents: bool,
            off_peak: bool, windows: str, actor: str) -> None:
    """一键发布一个标的（LOT 为数据库编号或标的编号）；重试不会重复发布。"""
    lot_id = _lot_id(lot)
    try:
        if off_peak:
            (result,) = queue_lots(unit_of_work(), [lot_id], platform_code, _windows(windows), actor=actor)
        else:
            platform = make_platform(platform_code, platform_url, outbox)
            result = publish_lot(unit_of_work(), lot_id, platform, actor=actor,  # documents: the stored court profile
                                 documents_for=documents_with_court_profile(unit_of_work()) if documents else None)
    except (PublishingError, PlatformError) as exc:
        fail(str(exc), code=1)
        return
    click.echo(f"{result.lot_code}：{result.result_name}" + (f"　{result.remote_id}　{result.url}" if result.url else "")
               + (f"（{result.message}）" if result.message else ""))
    if result.stage == "ready" and hasattr(platform, "package_path"):
        click.echo(f"上传包：{platform.package_path(result.idempotency_key)}（在平台上传后于网页登记上传）")


@lots_group.command("bulk-publish")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--platform", "platform_code", default="local", show_default=True)
@click.option("--platform-url", help="本地平台地址")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path), help="外部平台上传包的存放目录")
@click.option("-o", "--out", "result_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="逐标的结果文件（.xlsx 或 .csv）")
@click.option("--documents/--no-documents", default=False, show_default=True, help="为每个标的附上全套文书")
@click.option("--batch-size", default=50, show_default=True, help="每批记录意图并发送的标的数")
@click.option("--pace", default=0.0, show_default=True, help="两次发送之间至少间隔的秒数（平台限速）")
@click.option("--off-peak", is_flag=True, help="不立即发送，全部排入错峰时段")
@click.option("--windows", default=config.off_peak_windows, show_default="22:00-06:00", help="错峰时段")
@click.option("--actor", default=config.login_name, help="操作人")
def bulk_publish(sheet: Path, platform_code: str, platform_url: str | None, outbox: Path | None, result_path: Path,
                 documents: bool, batch_size: int, pace: float, off_peak: bool, windows: str, actor: str) -> None:
    """批量发布：先校验全部行（有误则一个也不发布），再逐批发布并显示进度，写出逐标的结果文件。

    中断后重新运行同一命令：已发布的不会重复发布，其余继续完成。"""
    if result_path.suffix.lower() not in (".xlsx", ".csv"):
        fail(f"结果文件应以 .xlsx 或 .csv 结尾，收到“{result_path.name}”。")
    platform = make_platform(platform_code, platform_url, outbox)
    queue = _windows(windows) if off_peak else None
    bar_holder: dict[str, Any] = {}

    def on_prepared(total: int) -> None:
        click.echo(f"已校验 {total} 行，全部无误；开始{'排队' if off_peak else '发布'}。", err=True)
        bar_holder["bar"] = click.progressbar(length=total, label="发布进度", file=click.get_text_stream("stderr"))
        bar_holder["bar"].__enter__()

    def on_progress(n: int) -> None:
        bar_holder["bar"].update(n)

    try:
        report = run_bulk_publish(unit_of_work(), sheet, platform, actor=actor, documents_for=documents_with_court_profile(unit_of_work()) if documents else None,
                     batch_size=batch_size, pace=pace, on_progress=on_progress, on_prepared=on_prepared,
                     queue_windows=queue)
    except SheetInvalid as exc:
        write_results(result_path, problems=exc.problems)
        click.echo(f"错误：批量发布表有 {len(exc.problems)} 行有误，未导入、未发布任何标的：", err=True)
        _echo_problems(exc.problems)
        click.echo(f"逐行说明已写入 {result_path}", err=True)
        raise SystemExit(1) from None
    except (PublishingError, PlatformError) as exc:
        fail(str(exc), code=1)
        return
    finally:
        if "bar" in bar_holder:
            bar_holder["bar"].__exit__(None, None, None)
    write_results(result_path, report.results)
    counts = {name: report.count(key) for key, name in (("published", "新发布"), ("already_published", "此前已发布"),
                                                        ("reconciled", "中断后核对"), ("queued", "已排队"),
                                                        ("failed", "失败"), ("blocked", "缺少披露"),
                                                        ("not_sent", "未发送"))}
    click.echo(f"批量任务 {report.job_id}{'（续跑）' if report.resumed else ''}：共 {report.total} 个标的；" +
               "，".join(f"{k} {v}" for k, v in counts.items() if v) + f"。结果已写入 {result_path}")
    if report.stopped:
        fail(f"平台不可用，已停止：{report.stopped}。重新运行同一命令即可继续（不会重复发布）。", code=1)
    if counts["失败"] or counts["缺少披露"]:
        raise SystemExit(1)


@lots_group.command("send-queued")
@click.option("--now", "now_text", help="以该时间为当前时间（YYYY-MM-DDTHH:MM），缺省为北京时间现在")
@click.option("--windows", default=config.off_peak_windows, show_default="22:00-06:00", help="错峰时段")
@click.option("--platform-url", help="本地平台地址")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path), help="外部平台上传包的存放目录")
@click.option("--actor", default=config.login_name, help="操作人")
def send_queued(now_text: str | None, windows: str, platform_url: str | None, outbox: Path | None,
                actor: str) -> None:
    """在错峰时段内发送排队的标的；时段外不发送。"""
    try:
        report = run_send_queued(unit_of_work(), lambda code: make_platform(code, platform_url, outbox), _windows(windows),
                     now=_datetime(now_text, "当前时间"), actor=actor)
    except PublishingError as exc:
        fail(str(exc), code=1)
        return
    sent = report.count("published") + report.count("reconciled")
    click.echo(f"已发送 {sent} 个排队标的" + (f"，失败 {report.count('failed')} 个" if report.count("failed") else "") + "。")
    if report.stopped:
        fail(f"平台不可用，已停止：{report.stopped}", code=1)


@lots_group.command("sync-status")
@click.option("--platform", "platform_code", help="只同步该平台")
@click.option("--platform-url", help="本地平台地址")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path), help="外部平台上传包的存放目录")
@click.option("--actor", default=config.login_name, help="操作人")
def sync_status(platform_code: str | None, platform_url: str | None, outbox: Path | None, actor: str) -> None:
    """向平台查询已发布标的的状态（预告中、进行中、已结束、已撤回、已暂缓、已中止），记录变化。"""
    try:
        changes = refresh_statuses(unit_of_work(), lambda code: make_platform(code, platform_url, outbox), actor=actor,
                                   platform_code=platform_code)
    except PlatformError as exc:
        fail(str(exc), code=1)
        return
    for lot_id, code, old, new in changes:
        click.echo(f"标的 {lot_id}（{code}）：{LISTING_STATUSES.get(old, old or '—')} → {LISTING_STATUSES.get(new, new)}")
    click.echo(f"共 {len(changes)} 个标的状态有变化。")


@lots_group.command("reconcile")
@click.option("--platform-url", help="本地平台地址")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path), help="外部平台上传包的存放目录")
@click.option("--actor", default=config.login_name, help="操作人")
def reconcile(platform_url: str | None, outbox: Path | None, actor: str) -> None:
    """核对并完成中断时处于“发送中”的发布（按幂等键向平台查询或重发，不会重复发布）。"""
    report = run_reconcile(unit_of_work(), lambda code: make_platform(code, platform_url, outbox), actor=actor)
    done = report.count("published") + report.count("reconciled")
    click.echo(f"已核对 {len(report.results)} 个发送中的发布：完成 {done} 个" +
               (f"，失败 {report.count('failed')} 个" if report.count("failed") else "") + "。")
    if report.stopped:
        fail(f"平台不可用，已停止：{report.stopped}", code=1)


@lots_group.command("outcome")
@click.argument("lot")
@click.option("--result", "outcome", required=True,
              type=click.Choice(["sold", "unsold", "reneged", "withdrawn", "suspended"]),
              help="sold 成交 / unsold 流拍 / reneged 悔拍 / withdrawn 撤回 / suspended 暂缓")
@click.option("--price", help="成交价（元，精确到分），成交时必填")
@click.option("--on", "on_text", required=True, help="结果日期 YYYY-MM-DD")
@click.option("--buyer", "buyer_name", default="", help="买受人（成交时，用于成交确认书、成交裁定书）")
@click.option("--buyer-id", "buyer_id_number", default="", help="买受人身份证号")
@click.option("--bidder-code", default="", help="竞买号")
@click.option("--paid-on", help="价款付清日期 YYYY-MM-DD")
@click.option("--sold-at", help="成交时刻（竞价结束时刻）YYYY-MM-DDTHH:MM，写入成交确认书")
@click.option("--correction", default="", help="更正已登记结果的理由（更正记入台账；不填则不覆盖已登记的结果）")
@click.option("--actor", default=config.login_name, help="操作人")
def outcome(lot: str, outcome: str, price: str | None, on_text: str, buyer_name: str, buyer_id_number: str,
            bidder_code: str, paid_on: str | None, sold_at: str | None, correction: str, actor: str) -> None:
    """登记拍卖结果（成交价以元为单位、精确到分；不得晚于今天）。"""
    lot_id = _lot_id(lot)
    try:
        price_fen = to_fen(price) if price else None
        row = record_outcome(unit_of_work(), lot_id, outcome, sale_price_fen=price_fen, on=_date(on_text, "结果日期"),
                             actor=actor, buyer_name=buyer_name, buyer_id_number=buyer_id_number,
                             bidder_code=bidder_code, paid_in_full_on=_date(paid_on, "付清日期"),
                             sold_at=_datetime(sold_at, "成交时刻"), correction_reason=correction)
        code = row.lot_code
    except (InvalidAmount, InvalidOutcome, PublishingError) as exc:
        fail(str(exc))
        return
    click.echo(f"已登记 {code} 的拍卖结果。")


@lots_group.command("export")
@click.argument("lot")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="标的物 JSON 文件")
def export(lot: str, out: Path) -> None:
    """导出标的物 JSON（含已登记的成交信息），供 xunpai lots documents 生成文书（含成交确认书、成交裁定书）。"""
    uow = unit_of_work()
    data = lot_document_source(uow, _lot_id(lot))
    out.write_text(json.dumps({"lot": data}, ensure_ascii=False, indent=2), encoding="utf-8")
    click.echo(f"已导出到 {out}")


@lots_group.command("stats")
@click.option("--court", "court_code", help="法院代字，如 浙1081；缺省为全部")
@click.option("--from", "date_from", help="起始日期 YYYY-MM-DD（含）")
@click.option("--to", "date_to", help="截止日期 YYYY-MM-DD（含）")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), help="导出 Excel（含图表）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def stats(court_code: str | None, date_from: str | None, date_to: str | None, out: Path | None,
          as_json: bool) -> None:
    """成交率、溢价率、较参考价折让率、节省佣金（对照拍卖变卖规定第二十九条）。"""
    start, end = _date(date_from, "起始日期"), _date(date_to, "截止日期")
    if out is not None and out.suffix.lower() != ".xlsx":
        fail(f"导出文件应以 .xlsx 结尾，收到“{out.name}”。")
    uow = unit_of_work()
    per_court, total, lots = statistics(uow, court_code, start, end)
    if out is not None:
        export_statistics_xlsx(out, per_court, total, lots, date_from=start, date_to=end)
    if as_json:
        echo_json({"courts": {c: s.as_dict() for c, s in per_court.items()}, "total": total.as_dict()})
    else:
        def pct(value) -> str:
            return "—" if value is None else f"{value * 100:.2f}%"

        for court, s in list(per_court.items()) + [("合计", total)]:
            click.echo(f"{court}：结束 {s.reached_end} 件，成交 {s.sold} 件，成交率 {pct(s.success_rate)}，"
                       f"溢价率 {pct(s.premium_rate)}，较参考价折让 {pct(s.discount_to_reference)}，"
                       f"节省佣金 {format_yuan(s.commission_saved_fen)}")
    if out is not None:
        click.echo(f"已导出到 {out}")


# --- platform ------------------------------------------------------------------------------------------------

@click.group("platform")
def platform_group() -> None:
    """拍卖平台：运行本地平台、查看平台配置表、生成上传包。"""


@platform_group.command("serve")
@click.option("--port", default=config.DEFAULT_LOCAL_PLATFORM_PORT, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="本地平台的数据目录（缺省为数据目录下的 local_platform）")
def serve(port: int, host: str, data_dir: Path | None) -> None:
    """运行本地拍卖平台（HTTP），供演示与测试发布使用。"""
    data_dir = data_dir or config.data_dir() / "local_platform"
    click.echo(f"本地拍卖平台：http://{host}:{port}/（数据目录 {data_dir}）", err=True)
    local_server.serve(port, data_dir, host=host)


@platform_group.command("list")
def list_platforms() -> None:
    """列出平台配置表（代码、名称、字段）。"""
    for code, spec in catalog().items():
        click.echo(f"{code}\t{spec.name}\t{spec.operator}\t字段：{'、'.join(spec.fields)}")


@platform_group.command("package")
@click.argument("lot")
@click.option("--platform", "platform_code", required=True, help="平台代码：ali, jd, rmfysszc, gpai, caa, local")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="上传包 .zip")
@click.option("--documents/--no-documents", default=True, show_default=True)
def package(lot: str, platform_code: str, out: Path, documents: bool) -> None:
    """生成某平台的上传包（字段映射 + 附件，zip 内含 manifest.json），不发布。"""
    platform = make_platform(platform_code)
    lot_obj = stored_lot(unit_of_work(), _lot_id(lot))
    if lot_obj is None:
        fail(f"标的 {lot} 不存在。")
    try:
        attachments = documents_with_court_profile(unit_of_work())(lot_obj, lot_obj.plan) if documents else None
    except DocumentError as exc:
        fail(str(exc))
        return
    result = platform.build_package(lot_obj, lot_obj.plan, attachments)
    out.write_bytes(result.to_zip())
    click.echo(f"已生成 {out}（{len(result.fields)} 个字段，{len(result.attachments)} 个附件）")


commands = [platform_group]
