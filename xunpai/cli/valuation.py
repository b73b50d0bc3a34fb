"""``xunpai calibrate`` and ``xunpai ratio-study``: market data in, a checked table version out.

The work is done by ``valuation`` (plain pandas); here files are read, the version is stored as a draft
through ``xunpai.services.baseline`` (activation stays explicit: ``xunpai tables activate``), and results are
printed in Chinese or as JSON.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click

from tax_baseline.parsing import FloorParseError, OrientationParseError, parse_floor, parse_orientation
from tax_baseline.scale_out import DaskMissing
from tax_baseline.workbook import WorkbookError
from valuation import report
from valuation.calibration import roll_forward
from valuation.comparables import Subject, find_comparables
from valuation.mapping import MappingError, load_mapping
from valuation.pipeline import run_calibration, study_version
from valuation.registry import read_register
from valuation.scale_out import (
    ClusterError,
    SalesFileError,
    calibrate_dataset,
    cluster,
    import_files,
    sales_files,
    study_version_dataset,
)
from valuation.screening import screen
from valuation.transactions import import_transactions
from xunpai import config
from xunpai.cli.support import echo_json, fail, unit_of_work
from xunpai.cli.support import required_date as _parse_date
from xunpai.services import baseline as baseline_store


def _read_sales(sales: Path, mapping: Path):
    try:
        result = import_transactions(sales, load_mapping(mapping))
    except MappingError as exc:
        fail(str(exc))
    except FileNotFoundError as exc:
        fail(str(exc))
    if result.errors:
        click.echo(f"有 {result.rows_refused} 行无法读取，未纳入（共读取 {result.rows_read} 行）：", err=True)
        for error in result.errors[:20]:
            click.echo(f"  {error}", err=True)
        if len(result.errors) > 20:
            click.echo(f"  …… 另有 {len(result.errors) - 20} 处", err=True)
    if result.sales.empty:
        fail("文件中没有可用的成交记录。")
    return result


def _read_register(register: Path, mapping: Path):
    try:
        result = read_register(register, load_mapping(mapping, purpose="register"))
    except (MappingError, FileNotFoundError) as exc:
        fail(str(exc))
    if result.errors:
        click.echo(f"楼盘表有 {result.rows_refused} 行无法读取，未纳入（共读取 {result.rows_read} 行）：", err=True)
        for error in result.errors[:20]:
            click.echo(f"  {error}", err=True)
        if len(result.errors) > 20:
            click.echo(f"  …… 另有 {len(result.errors) - 20} 处", err=True)
    if result.buildings.empty:
        fail("楼盘表中没有可用的楼幢。")
    return result


SCHEDULER_HELP = ("Dask 调度器地址，如 tcp://10.0.0.5:8786：在集群上按文件导入、按分区筛选和估价（成交数据和 --work-dir "
                  "须为各工作节点都能访问的同一路径）")
WORKERS_HELP = "本机 LocalCluster 的工作进程数（默认每个 CPU 核一个）"
WORK_DIR_HELP = "存放导入后成交数据的临时文件夹（用完即删；默认在数据目录下，指定 --scheduler 时在成交数据旁）"
SMALL_DATASET_BYTES = 64 * 2 ** 20  # a folder smaller than this is imported and screened in process


def _dataset_mode(sales: Path, scheduler: str | None, workers: int | None) -> bool:
    """A folder of files, or a cluster asked for: imported file by file, screened and valued by parts on Dask."""
    return sales.is_dir() or bool(scheduler) or workers is not None


@contextmanager
def _sales_dataset(sales: Path, mapping_file: Path, scheduler: str | None, workers: int | None,
                   work_dir: Path | None):
    """The sales of a file or folder imported through the mapping into canonical Parquet files, one task per file,
    on the cluster every later step runs on: yields (the folder of canonical sales, the import, the scheduler's
    address). A small folder without --scheduler/--workers runs in process ("sync"). The folder is removed at
    the end."""
    if not sales.exists():
        fail(f"成交数据“{sales}”不存在；应为 CSV、XLSX 或 Parquet 文件，或存放这些文件的文件夹。")
    files = sales_files(sales)
    if not files:
        fail(f"文件夹“{sales}”中没有成交数据文件（.csv、.xlsx、.parquet）。")
    try:
        mapping = load_mapping(mapping_file)
    except (MappingError, FileNotFoundError) as exc:
        fail(str(exc))
    small = not scheduler and workers is None and sum(f.stat().st_size for f in files) < SMALL_DATASET_BYTES
    parent = work_dir or (sales.parent if scheduler else config.data_dir())
    try:
        work = Path(tempfile.mkdtemp(prefix=".xunpai-sales-", dir=parent))
    except OSError as exc:
        fail(f"无法在“{parent}”建立临时文件夹（{exc.strerror or exc}）；请用 --work-dir 指定一个可写的文件夹。")
    try:
        with _steps(scheduler, workers, small) as address:
            try:
                imported = import_files(sales, mapping, work, scheduler=address)
            except (SalesFileError, DaskMissing) as exc:
                fail(str(exc))
            if imported.errors:
                click.echo(f"有 {imported.rows_refused} 行无法读取，未纳入（{imported.files} 个文件共读取 "
                           f"{imported.rows_read} 行）：", err=True)
                for error in imported.errors[:20]:
                    click.echo(f"  {error}", err=True)
                if len(imported.errors) > 20:
                    click.echo(f"  …… 另有 {len(imported.errors) - 20} 处", err=True)
            if imported.sales == 0:
                fail("文件中没有可用的成交记录。")
            yield work, imported, address
    finally:
        shutil.rmtree(work, ignore_errors=True)


class _PartsBar:
    """A progress bar of the partitions finished on the cluster (its length known when the first finishes)."""

    def __init__(self, label: str):
        self.label, self.bar = label, None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=click.get_text_stream("stderr"),
                                         show_pos=True)
            self.bar.__enter__()
        self.bar.update(1)
        if done == total:
            self.bar.__exit__(None, None, None)


@contextmanager
def _steps(scheduler: str | None, workers: int | None, small: bool):
    if small:
        click.echo("数据量小，在本机进程内按文件导入、按分区筛选。", err=True)
        yield "sync"
        return
    with ExitStack() as stack:
        try:
            address = stack.enter_context(cluster(scheduler, workers,
                                                  on_start=lambda text: click.echo(text, err=True)))
        except (DaskMissing, ClusterError) as exc:
            fail(str(exc))
        yield address


def _coverage_line(study) -> str:
    return "" if study.coverage is None else "；" + study.coverage.describe()


@click.command("calibrate")
@click.option("--sales", "sales_file", required=True, type=click.Path(path_type=Path),
              help="成交数据文件（CSV、XLSX 或 Parquet），或存放这些文件的文件夹（按文件导入、按分区筛选）")
@click.option("--mapping", "mapping_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="列映射文件（YAML/JSON，格式见 valuation/MAPPING.md）")
@click.option("--as-of", "as_of", required=True, help="估价基准日 YYYY-MM-DD：新基准价的执行日期")
@click.option("--version", "version_name", help="新版本名（默认 calib-估价基准日）")
@click.option("--prior", "prior_name", help="以哪个已有版本的楼幢、分段为底（默认不用）")
@click.option("--register", "register_file", type=click.Path(dir_okay=False, path_type=Path),
              help="楼盘表（楼幢登记）文件：每幢楼的分区、小区、总层数、电梯、结构、建成年份；无成交的楼幢也得到基准价")
@click.option("--register-mapping", "register_mapping_file", type=click.Path(dir_okay=False, path_type=Path),
              help="楼盘表的列映射（默认用 --mapping，只读其中的楼幢字段）")
@click.option("--forecast-until", "forecast_until",
              help="把价格指数按最近 6 个月的趋势延至该月 YYYY-MM（预测值，税务部门应以公布的指数替换）")
@click.option("--no-holdouts", is_flag=True, help="不做样本外检验（快，但结论只有样本内）")
@click.option("--user", default=lambda: config.user("admin"), show_default="admin")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出拟合统计")
@click.option("--scheduler", help=SCHEDULER_HELP)
@click.option("--workers", type=click.IntRange(1, 512), help=WORKERS_HELP)
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path), help=WORK_DIR_HELP)
def calibrate_command(sales_file: Path, mapping_file: Path, as_of: str, version_name: str | None,
                      prior_name: str | None, register_file: Path | None, register_mapping_file: Path | None,
                      forecast_until: str | None, no_holdouts: bool, user: str, as_json: bool,
                      scheduler: str | None, workers: int | None, work_dir: Path | None) -> None:
    """由成交数据校准基准表，保存为草稿版本（需另行启用）。

    成交数据为文件夹（或用 --scheduler、--workers 指定 Dask 集群）时：按文件导入、按估价分区筛选、首轮模型和校准的
    设计矩阵按分区构建在 Dask 上进行，稀疏求解在本机（见 docs/scale_out.md）。"""
    as_of_date = _parse_date(as_of, "估价基准日")
    name = version_name or f"calib-{as_of_date.isoformat()}"
    if forecast_until is not None and not _is_month(forecast_until):
        fail(f"--forecast-until“{forecast_until}”不是月份；应为 YYYY-MM，如 2016-12。")
    if register_mapping_file is not None and register_file is None:
        fail("--register-mapping 需与 --register（楼盘表文件）一起使用。")
    register = _read_register(register_file, register_mapping_file or mapping_file) if register_file else None
    prior = None
    if prior_name:
        uow = unit_of_work()
        try:
            prior = baseline_store.load_version(uow, prior_name)
        except baseline_store.VersionError as exc:
            fail(str(exc))
    buildings = None if register is None else register.buildings
    if _dataset_mode(sales_file, scheduler, workers):
        with _sales_dataset(sales_file, mapping_file, scheduler, workers, work_dir) as (folder, imported, address):
            try:
                run = calibrate_dataset(folder, as_of_date, prior=prior, name=name, holdouts=not no_holdouts,
                                        register=buildings, scheduler=address, progress=_PartsBar("按分区筛选"))
            except ValueError as exc:
                fail(str(exc))
    else:
        imported = _read_sales(sales_file, mapping_file)
        try:
            run = run_calibration(imported.sales, as_of_date, prior=prior, name=name, holdouts=not no_holdouts,
                                  register=buildings)
        except ValueError as exc:
            fail(str(exc))
    stats = run.fit_statistics()
    stats["import"] = {"rows_read": imported.rows_read, "rows_refused": imported.rows_refused,
                       "rows_skipped": imported.rows_skipped}
    if register is not None:
        stats["register"] = {"file": register_file.name, "rows_read": register.rows_read,
                             "rows_refused": register.rows_refused, "buildings": int(len(register.buildings))}
    if forecast_until is not None:
        run.calibration.tables = roll_forward(run.calibration.tables, forecast_until)
        stats["forecast_until"] = forecast_until
    uow = unit_of_work()
    try:
        baseline_store.save_version(uow, run.calibration.tables, name,
                                    source=f"校准：{sales_file.name}（映射 {mapping_file.name}）",
                                    created_by=user, fit_statistics=stats)
    except baseline_store.VersionError as exc:
        fail(str(exc))
    except WorkbookError as exc:  # a coefficient outside the table's limits: nothing is stored
        fail(f"校准结果未通过基准表校验，未保存：{exc}")
    if as_json:
        echo_json({"version": name, "status": "draft", **stats})
        return
    s = run.in_sample
    click.echo(f"已保存草稿版本“{name}”（尚未启用；确认后用 xunpai tables activate {name} 启用）")
    click.echo(f"成交 {stats['screening']['n']} 笔，纳入 {stats['screening']['kept']} 笔；剔除："
               + ("、".join(f"{k} {v} 笔" for k, v in stats["screening"]["excluded"].items()) or "无"))
    b = stats["buildings"]
    click.echo(f"楼幢 {b['total']} 幢：有成交 {b.get('楼幢', 0)} 幢；无成交、由小区 {b.get('小区', 0)} 幢、分区 "
               f"{b.get('分区', 0)} 幢、全市 {b.get('全市', 0)} 幢推算（基准价依据已标注）；总层数由成交推断 "
               f"{stats['total_floors_inferred']} 幢（不据以拒绝估价）")
    click.echo(f"样本内：中位数比率 {s.median_ratio:.4f}，COD {s.cod:.2f}，PRD {s.prd:.4f}，PRB {s.prb:.4f}"
               + _coverage_line(s))
    for label, study in (("随机留出 10%", run.holdout_random), ("最近 10%（样本外时间）", run.holdout_recent)):
        if study is not None:
            verdict = {None: "样本不足", True: "合格", False: "不合格"}[study.verdict.passed]
            click.echo(f"{label}：n {study.n}，中位数比率 {study.median_ratio:.4f}，COD {study.cod:.2f}，"
                       f"PRD {study.prd:.4f}，PRB {study.prb:.4f}，PPE10 {study.ppe10:.1f}%"
                       + _coverage_line(study) + f" —— {verdict}")
    for warning in run.warnings:
        click.echo(f"提示：{warning}")


@click.command("ratio-study")
@click.option("--sales", "sales_file", required=True, type=click.Path(path_type=Path),
              help="成交数据文件（CSV、XLSX 或 Parquet），或存放这些文件的文件夹（按分区筛选、估价）")
@click.option("--mapping", "mapping_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="列映射文件（YAML/JSON）")
@click.option("--version", "version_name", help="基准表版本（默认当前启用版本）")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path), help="输出 HTML 报告")
@click.option("--prior", "prior_name", help="上一版本：比较售出与未售出楼幢的价值变动（追逐成交价检验）")
@click.option("--keep-outliers", is_flag=True, help="不剔除异常比率（默认按 IAAO 附录 B 剔除 ±3×IQR 以外的比率）")
@click.option("--bootstrap", default=500, show_default=True, type=click.IntRange(0, 100_000),
              help="自助法重抽样次数（置信区间）")
@click.option("--json", "as_json", is_flag=True)
@click.option("--scheduler", help=SCHEDULER_HELP)
@click.option("--workers", type=click.IntRange(1, 512), help=WORKERS_HELP)
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path), help=WORK_DIR_HELP)
def ratio_study_command(sales_file: Path, mapping_file: Path, version_name: str | None, report_file: Path | None,
                        prior_name: str | None, keep_outliers: bool, bootstrap: int, as_json: bool,
                        scheduler: str | None, workers: int | None, work_dir: Path | None) -> None:
    """用成交数据检验基准表版本：IAAO 比率研究（中位数比率、COD、PRD、PRB、PPE、MdAPE）。

    成交数据为文件夹（或用 --scheduler、--workers 指定 Dask 集群）时：按文件导入，按估价分区筛选、逐笔估价在 Dask
    上进行，统计和自助法在本机（见 docs/scale_out.md）。"""
    if report_file is not None and report_file.suffix.lower() not in (".html", ".htm"):
        fail(f"报告文件应以 .html 结尾，收到“{report_file.name}”。")
    dataset = _dataset_mode(sales_file, scheduler, workers)
    imported = None if dataset else _read_sales(sales_file, mapping_file)
    prior = None
    uow = unit_of_work()
    try:
        tables = baseline_store.load_version(uow, version_name)
        if prior_name:
            prior = baseline_store.load_version(uow, prior_name)
    except baseline_store.VersionError as exc:
        fail(str(exc))
    if dataset:
        with _sales_dataset(sales_file, mapping_file, scheduler, workers, work_dir) as (folder, done, address):
            try:
                result = study_version_dataset(tables, folder, bootstrap=bootstrap, prior=prior,
                                               trim=not keep_outliers, scheduler=address,
                                               progress=_PartsBar("按分区筛选、估价"))
            except ValueError as exc:
                fail(str(exc))
        n_sales = done.sales
    else:
        try:
            result = study_version(tables, imported.sales, bootstrap=bootstrap, prior=prior, trim=not keep_outliers)
        except ValueError as exc:
            fail(str(exc))
        n_sales = len(imported.sales)
    s = result.study
    chasing = result.sales_chasing
    if report_file is not None:
        notes = [chasing.message] if chasing is not None else []
        html = report.render(s, result.frame, tables=tables, strata=result.strata,
                             title=f"比率研究报告：基准表版本 {tables.name}", notes=notes, refused=result.refused_frame)
        report_file.write_text(html, encoding="utf-8")
    if as_json:
        echo_json({"version": tables.name, **result.to_dict()})
        return
    verdict = {None: "样本不足，不作判断", True: "通过", False: "未通过"}[s.verdict.passed]
    c = result.coverage
    click.echo(f"成交 {n_sales} 笔：规则筛选剔除 {n_sales - c.given} 笔，"
               + c.describe() + f"，纳入统计 {s.n} 笔")
    for reason, count in sorted(c.refused.items(), key=lambda kv: -kv[1]):
        click.echo(f"  无法估价：{reason} {count} 笔")
    click.echo(f"基准表版本“{tables.name}”：n {s.n}，中位数比率 {s.median_ratio:.4f}，COD {s.cod:.2f}，"
               f"PRD {s.prd:.4f}，PRB {s.prb:.4f}，KI {s.ki:.4f}，MKI {s.mki:.4f}，PPE10 {s.ppe10:.1f}%，"
               f"MdAPE {s.mdape:.2f}%，覆盖率 {100 * c.share:.1f}% —— IAAO {verdict}")
    for warning in s.verdict.warnings:
        click.echo(f"提示：{warning}")
    if chasing is not None:
        click.echo(f"追逐成交价检验：{chasing.message}")
    if report_file is not None:
        click.echo(f"报告已写入 {report_file}")


@click.command("comparables")
@click.option("--sales", "sales_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="成交数据文件（CSV 或 XLSX）")
@click.option("--mapping", "mapping_file", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--building-id", required=True, help="估价对象的楼幢编号")
@click.option("--floor", required=True, help="所在层：5、07 TO 09 …")
@click.option("--area", required=True, type=float, help="建筑面积（㎡）")
@click.option("--orientation", help="朝向：南、南北 …")
@click.option("--valuation-date", required=True, help="估价时点 YYYY-MM-DD")
@click.option("--version", "version_name", help="基准表版本（默认当前启用版本）")
@click.option("-k", "count", default=5, show_default=True, help="参照样本数")
@click.option("--months", default=24, show_default=True, help="取样窗口（估价时点前的月数）")
@click.option("--json", "as_json", is_flag=True)
def comparables_command(sales_file: Path, mapping_file: Path, building_id: str, floor: str, area: float,
                        orientation: str | None, valuation_date: str, version_name: str | None, count: int,
                        months: int, as_json: bool) -> None:
    """为估价对象找参照样本：同楼幢或同小区的近期正常成交，逐笔按基准表修正（参考价规定第十一条）。"""
    on = _parse_date(valuation_date, "估价时点")
    try:
        reading = parse_floor(floor)
        facing = parse_orientation(orientation) if orientation else None
    except (FloorParseError, OrientationParseError) as exc:
        fail(str(exc))
    imported = _read_sales(sales_file, mapping_file)
    uow = unit_of_work()
    try:
        tables = baseline_store.load_version(uow, version_name)
    except baseline_store.VersionError as exc:
        fail(str(exc))
    kept = screen(imported.sales, as_of=on, outliers=False).kept
    try:
        result = find_comparables(Subject(building_id, reading.low, reading.high, area, on, facing), kept, tables,
                                  k=count, months=months)
    except ValueError as exc:
        fail(str(exc))
    if as_json:
        echo_json({"version": tables.name, **result.to_dict()})
        return
    click.echo(f"方法：{result.method}")
    click.echo(f"基准表单价（估价对象）：{result.subject_unit_value:,.2f} 元/㎡")
    for row in result.samples.itertuples():
        click.echo(f"  {row.scope} {row.building_id} {pd_date(row.date)} {row.floor_low}-{row.floor_high}层 "
                   f"{row.area:g}㎡ 成交单价 {row.unit_price:,.2f} × 修正 {row.adjustment:.4f} = "
                   f"{row.adjusted_unit_price:,.2f} 元/㎡")
    if result.indicated_unit_price is None:
        click.echo("取样窗口内没有同楼幢或同小区的成交。")
    else:
        click.echo(f"比较法单价（中位数）：{result.indicated_unit_price:,.2f} 元/㎡")


def _is_month(text: str) -> bool:
    parts = text.split("-")
    return len(parts) == 2 and len(parts[0]) == 4 and parts[0].isdigit() and parts[1].isdigit() and \
        1 <= int(parts[1]) <= 12 and len(parts[1]) == 2


def pd_date(value) -> str:
    return str(value)[:10]


commands = [calibrate_command, ratio_study_command, comparables_command]
