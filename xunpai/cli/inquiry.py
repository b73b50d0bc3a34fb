"""``xunpai tables …``, ``xunpai quote``, ``xunpai quote-batch``, ``xunpai demo``: the instant inquiry."""

from __future__ import annotations

import os
from pathlib import Path

import click

from tax_baseline.batch import BatchFileError, read_units, write_results
from tax_baseline.quote import QuoteRequest
from tax_baseline.scale_out import check_output, is_dataset, open_source
from tax_baseline.tables import SPEC_BY_NAME
from tax_baseline.workbook import WorkbookError, write_template, write_xlsx
from xunpai import config
from xunpai.cli.support import echo_json, fail, required_date, stop_on, unit_of_work
from xunpai.cli.support import typed_date as _date
from xunpai.demo.build import build_demo
from xunpai.services import baseline as baseline_store
from xunpai.services.accounts import active_user
from xunpai.services.inquiry import CONTRACT_DATE_NOTE, InquiryRefused, quote_batch_for_user, quote_for_user
from xunpai.services.scale_out import quote_dataset_for_user
from xunpai.services.scale_out import revalue as revalue_register


def writable_output(path: Path, label: str) -> None:
    """Refuse, before any work is done, an output path whose folder is missing or not writable."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        fail(f"{label}“{path}”是一个文件夹；应为文件路径，如 {path / ('结果' + (path.suffix or '.xlsx'))}。")
    if not folder.is_dir():
        fail(f"{label}所在的文件夹“{folder}”不存在；请先建立该文件夹或换一个路径。")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        fail(f"{label}“{path}”没有写入权限；请换一个路径。")


def _user(uow, username: str | None):
    if not username:
        fail("请用 --user 指定操作人（或设置环境变量 XUNPAI_USER）。")
    user = active_user(uow, username)
    if user is None:
        fail(f"用户“{username}”不存在或已停用。")
    return user


@click.group("tables")
def tables_group() -> None:
    """基准表：导入、导出、列出版本、启用版本。"""


@tables_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", "name", help="新版本名，默认取文件名")
@click.option("--base", "base", help="导入单张表的 CSV 时，以哪个版本为底（默认：当前启用版本）")
@click.option("--user", default=lambda: config.user("admin"), show_default="admin")
def tables_import(file: Path, name: str | None, base: str | None, user: str) -> None:
    """导入基准表（.xlsx 全套，或 .csv 单张表）。先校验全部单元格，有任何错误则不导入。

    导入后为草稿版本，须经 `xunpai tables activate` 启用。"""
    name = name or file.stem
    with stop_on(WorkbookError, baseline_store.VersionError):
        version = baseline_store.import_file(unit_of_work(), file, name, actor=user, source=file.name, base=base)
    counts = "，".join(f"{SPEC_BY_NAME[k].sheet if k in SPEC_BY_NAME else k} {v}"
                       for k, v in version.row_counts.items() if v)
    click.echo(f"已导入草稿版本“{name}”（{counts}）。启用请运行：xunpai tables activate {name}")


@tables_group.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--version", "version_name", help="版本名，默认当前启用版本")
@click.option("--template", is_flag=True, help="只导出空白模板（含填表说明）")
def tables_export(out: Path, version_name: str | None, template: bool) -> None:
    """导出基准表为 Excel（每张表一个工作表，中文表头，另附“说明”表）。"""
    if out.suffix.lower() != ".xlsx":
        fail(f"导出文件应以 .xlsx 结尾，收到“{out.name}”。")
    writable_output(out, "导出文件")
    if template:
        write_template(out)
        click.echo(f"已导出空白模板到 {out}")
        return
    uow = unit_of_work()
    with stop_on(baseline_store.VersionError):
        tables = baseline_store.load_version(uow, version_name)
    write_xlsx(tables, out)
    click.echo(f"已导出版本“{tables.name}”到 {out}")


@tables_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def tables_list(as_json: bool) -> None:
    """列出全部基准表版本。"""
    status_names = {"draft": "草稿", "active": "启用中", "retired": "已停用"}
    uow = unit_of_work()
    versions = [{"name": v.name, "status": v.status, "source": v.source, "created_at": v.created_at,
                 "created_by": v.created_by, "activated_at": v.activated_at, "rows": v.row_counts}
                for v in baseline_store.list_versions(uow)]
    if as_json:
        echo_json(versions)
        return
    if not versions:
        click.echo("还没有任何基准表版本。")
    for v in versions:
        click.echo(f"{v['name']:<20} {status_names.get(v['status'], v['status']):<4} "
                   f"导入 {v['created_at']:%Y-%m-%d %H:%M} {v['created_by']:<8} 楼幢 {v['rows'].get('buildings', 0)}"
                   f"  来源 {v['source']}")


@tables_group.command("activate")
@click.argument("version_name")
@click.option("--user", default=lambda: config.user("admin"), show_default="admin")
def tables_activate(version_name: str, user: str) -> None:
    """启用一个版本（之后的询价都用它；启用记入台账）。"""
    uow = unit_of_work()
    with stop_on(baseline_store.VersionError):
        baseline_store.activate(uow, version_name, actor=user)
    click.echo(f"已启用版本“{version_name}”。")


def _print_result(inquiry) -> None:
    r = inquiry.result
    click.echo(f"询价结果（{r.method}）")
    click.echo(f"  坐落：{r.address}（楼幢 {r.building_id}，分区 {r.zone_code}）")
    floor = f"{r.floor_low}" if r.floor_low == r.floor_high else f"{r.floor_low}-{r.floor_high}"
    click.echo(f"  所在层：{floor}/{r.total_floors}  朝向：{r.orientation or '未填'}  建筑面积：{r.area} ㎡")
    click.echo(f"  立契时间：{r.contract_date}  估价时点：{r.valuation_date}  基准表版本：{r.version}")
    click.echo(f"  说明：{CONTRACT_DATE_NOTE}")
    click.echo("  计算明细：")
    for f in r.breakdown:
        row = "，".join(f"{k} {v}" for k, v in f.row.items())
        unit = {"基价": "元/㎡", "元/㎡": "元/㎡"}.get(f.method, "%")
        click.echo(f"    {f.name:<6} {f.value} {unit}（{f.method}；{f.table}表：{row}）")
    click.echo(f"  单价：{r.unit_price} 元/㎡")
    click.echo(f"  总价：{r.total_price} 元")
    click.echo(f"  取整规则：{r.rounding_rule}")
    for w in r.warnings:
        click.echo(f"  提示：{w}")
    click.echo(f"  案号：{inquiry.case_number}  台账序号：{inquiry.ledger_seq}  校验码：{inquiry.verification_code}")


@click.command("quote")
@click.option("--building-id", help="楼幢编号（与 --address 二选一）")
@click.option("--address", help="坐落地址，如：示范市城东街道东辉公寓1幢2单元302室")
@click.option("--floor", required=True, help="所在层：5、5/18、中楼层(共18层)、地下一层 …")
@click.option("--orientation", help="朝向：南、南北、东南 …")
@click.option("--area", required=True, help="建筑面积（㎡），最多两位小数")
@click.option("--contract-date", required=True, help="立契时间 YYYY-MM-DD")
@click.option("--valuation-date", help="估价时点 YYYY-MM-DD（默认为询价当日，与网页一致）")
@click.option("--factor", "factors", multiple=True, help="其他修正，如 边套=是（可多次）")
@click.option("--case-number", required=True, help="案号，如（2026）浙1099执1234号")
@click.option("--purpose", default="执行案件财产处置询价", show_default=True)
@click.option("--user", default=config.user, help="操作人（执行法官）用户名")
@click.option("--json", "as_json", is_flag=True, help="输出稳定的 JSON")
def quote(building_id, address, floor, orientation, area, contract_date, valuation_date, factors, case_number,
          purpose, user, as_json) -> None:
    """即时询价：按计税基准价计算单价、总价和计算明细，并记入台账。"""
    if not building_id and not address:
        fail("请用 --building-id 或 --address 指定房产。")
    extra = {}
    for item in factors:
        if "=" not in item:
            fail(f"修正因素“{item}”格式不对；应为 因素=等级，如 边套=是。")
        key, value = item.split("=", 1)
        extra[key.strip()] = value.strip()
    request = QuoteRequest(building_id=building_id, address=address, floor=floor, orientation=orientation,
                           area=area, contract_date=_date(contract_date, "立契时间"),
                           valuation_date=_date(valuation_date, "估价时点"), factors=extra)
    uow = unit_of_work()
    account = _user(uow, user)
    try:
        inquiry = quote_for_user(uow, account, request, case_number=case_number, purpose=purpose)
    except InquiryRefused as exc:
        if as_json:
            echo_json({"status": "refused", "reason": exc.reason, "limit": exc.limit,
                       "candidates": [c.__dict__ for c in exc.candidates], "ledger_seq": exc.ledger_seq})
        fail(exc.reason + (f"（已记入台账，序号 {exc.ledger_seq}）" if exc.ledger_seq else "（已记入台账）"), code=3)
    if as_json:
        echo_json({"status": "ok", "case_number": inquiry.case_number, "ledger_seq": inquiry.ledger_seq,
                   "verification_code": inquiry.verification_code, "result": inquiry.result.to_dict()})
    else:
        _print_result(inquiry)


SCHEDULER_HELP = "Dask 调度器地址，如 tcp://10.0.0.5:8786（在集群上按分区估价；输入和结果文件夹须为各工作节点都能访问的同一路径）"
WORKERS_HELP = "本机 LocalCluster 的工作进程数（默认每个 CPU 核一个）"


def _dataset_mode(infile: Path, outfile: Path, scheduler: str | None) -> bool:
    """By parts on Dask (or in process when small): a Parquet input, a scheduler named, or a folder as output."""
    return is_dataset(infile) or bool(scheduler) or outfile.suffix.lower() not in (".xlsx", ".csv")


def _open_dataset(infile: Path, outfile: Path):
    try:
        check_output(outfile)  # before any work: the batch is counted and recorded, its results must not be lost
        return open_source(infile)
    except BatchFileError as exc:
        fail(str(exc))


def _print_dataset(batch, label: str) -> None:
    result = batch.result
    click.echo(f"{label}：共 {result.rows} 行，成功 {result.ok} 行，拒绝 {result.refused} 行，"
               f"总价合计 {result.total_value} 元（基准表 {batch.version}；{result.mode}）。")
    for status, reason, n in result.by_reason[:10]:
        click.echo(f"  {status} {n} 行：{reason}")
    if len(result.by_reason) > 10:
        click.echo(f"  …… 另有 {len(result.by_reason) - 10} 种原因，见 {result.out / '_summary.json'}")
    click.echo(f"结果已写入 Parquet 数据集 {result.out}（{len(result.files)} 个文件，内容哈希 {result.sha256}）。")
    click.echo(f"台账序号 {batch.ledger_seq}，校验码 {batch.verification_code}")


def _run_dataset(call, source, label: str):
    err = click.get_text_stream("stderr")
    with click.progressbar(length=max(source.rows, 1), label=label, file=err, show_pos=True) as bar:
        try:
            return call(progress=bar.update, on_start=lambda text: click.echo(f"\n{text}", err=True))
        except InquiryRefused as exc:
            fail(exc.reason + (f"（已记入台账，序号 {exc.ledger_seq}）" if exc.ledger_seq else ""), code=3)
        except BatchFileError as exc:
            fail(str(exc))


@click.command("quote-batch")
@click.argument("infile", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--out", "outfile", required=True, type=click.Path(path_type=Path),
              help="结果文件（.xlsx/.csv），或 Parquet 数据集的文件夹（输入为 Parquet 数据集时）")
@click.option("--case-number", required=True)
@click.option("--purpose", default="执行案件财产处置批量询价", show_default=True)
@click.option("--user", default=config.user)
@click.option("--scheduler", help=SCHEDULER_HELP)
@click.option("--workers", type=click.IntRange(1, 512), help=WORKERS_HELP)
def quote_batch(infile: Path, outfile: Path, case_number: str, purpose: str, user: str | None,
                scheduler: str | None, workers: int | None) -> None:
    """批量询价：每行给出单价、总价，或拒绝的原因。列：楼幢编号或坐落、所在层、朝向、建筑面积、立契时间、估价时点
    （估价时点留空的行按询价当日估价）。立契时间为不动产权证或买卖合同上的取得日期，决定适用哪一期基准价。

    输入为 Parquet 文件或数据集文件夹（或用 --scheduler 指定 Dask 调度器）时按分区估价：结果为同样分区的
    Parquet 数据集，附 _summary.json（各状态、原因的行数和内容哈希）；小文件在本机进程内完成。"""
    if _dataset_mode(infile, outfile, scheduler):
        source = _open_dataset(infile, outfile)
        uow = unit_of_work()
        account = _user(uow, user)
        batch = _run_dataset(lambda **kw: quote_dataset_for_user(
            uow, account, source, outfile, case_number=case_number, purpose=purpose, scheduler=scheduler,
            workers=workers, **kw), source, "批量询价")
        _print_dataset(batch, "批量询价")
        return
    if infile.is_dir():
        fail(f"“{infile}”是文件夹：按分区批量询价时结果应为文件夹，-o 不能以 .xlsx 或 .csv 结尾。")
    # Checked before pricing: the batch is counted and recorded in the ledger, its results must not be lost.
    writable_output(outfile, "结果文件")
    with stop_on(BatchFileError):
        units = read_units(infile)
    uow = unit_of_work()
    account = _user(uow, user)
    with click.progressbar(length=len(units), label="批量询价", file=click.get_text_stream("stderr"),
                           show_pos=True) as bar:
        try:
            batch = quote_batch_for_user(uow, account, units, case_number=case_number, purpose=purpose,
                                         source_name=infile.name, progress=bar.update)
        except InquiryRefused as exc:
            fail(exc.reason + (f"（已记入台账，序号 {exc.ledger_seq}）" if exc.ledger_seq else "（已记入台账）"),
                 code=3)
        except BatchFileError as exc:
            fail(str(exc))
    try:
        write_results(batch.results, outfile)
    except OSError as exc:
        fail(f"结果文件“{outfile}”无法写入（{exc.strerror or exc}）；本次批量询价已记入台账"
             f"（序号 {batch.ledger_seq}），请关闭占用该文件的程序或换一个路径后重新运行。")
    click.echo(f"共 {len(batch.results)} 行：成功 {batch.ok} 行，拒绝 {batch.refused} 行。结果已写入 {outfile}。"
               f"台账序号 {batch.ledger_seq}，校验码 {batch.verification_code}")


@click.command("revalue")
@click.argument("register", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--out", "outfile", required=True, type=click.Path(path_type=Path),
              help="结果 Parquet 数据集的文件夹（须不存在或为空）")
@click.option("--valuation-date", required=True, help="估价时点，如 2026-01-01：每套房都按这一天估价")
@click.option("--version", "version_name", help="基准表版本（默认当前启用版本）")
@click.option("--user", default=lambda: config.user("admin"), show_default="admin")
@click.option("--scheduler", help=SCHEDULER_HELP)
@click.option("--workers", type=click.IntRange(1, 512), help=WORKERS_HELP)
def revalue(register: Path, outfile: Path, valuation_date: str, version_name: str | None, user: str,
            scheduler: str | None, workers: int | None) -> None:
    """批量重估：登记簿（Parquet 文件或数据集文件夹、CSV）的每一套房，按同一估价时点和一个基准表版本估价。

    立契时间和估价时点都取 --valuation-date（该日执行的基准价，价格指数滚动到该日）；登记簿自己的日期列原样保留。
    结果为同样分区的 Parquet 数据集，附 _summary.json；记入台账一条（含结果的内容哈希）。"""
    on = required_date(valuation_date, "估价时点")
    source = _open_dataset(register, outfile)
    uow = unit_of_work()
    account = _user(uow, user)
    batch = _run_dataset(lambda **kw: revalue_register(
        uow, account, source, outfile, valuation_date=on, version_name=version_name, scheduler=scheduler,
        workers=workers, **kw), source, "批量重估")
    _print_dataset(batch, f"批量重估（估价时点 {on.isoformat()}）")


@click.command("demo")
@click.option("--seed", default=20261127, show_default=True, type=int)
def demo(seed: int) -> None:
    """建立演示数据库：示范市的基准表、法院、账户和各类演示数据。"""
    info = build_demo(unit_of_work(), seed=seed)
    for line in info.lines():
        click.echo(line)


commands = [tables_group, quote, quote_batch, revalue, demo]
