"""``xunpai calibrate`` and ``xunpai ratio-study``: market data in, a checked table version out.

The work is done by ``valuation`` (plain pandas); here files are read, the version is stored as a draft
through ``xunpai.services.baseline`` (activation stays explicit: ``xunpai tables activate``), and results are
printed in Chinese or as JSON.
"""

from __future__ import annotations

from pathlib import Path

import click

from xunpai import config
from xunpai.cli.support import echo_json, fail, unit_of_work
from xunpai.cli.support import required_date as _parse_date


def _read_sales(sales: Path, mapping: Path):
    from valuation.mapping import MappingError, load_mapping
    from valuation.transactions import import_transactions

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


@click.command("calibrate")
@click.option("--sales", "sales_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="成交数据文件（CSV 或 XLSX）")
@click.option("--mapping", "mapping_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="列映射文件（YAML/JSON，格式见 valuation/MAPPING.md）")
@click.option("--as-of", "as_of", required=True, help="估价基准日 YYYY-MM-DD：新基准价的执行日期")
@click.option("--version", "version_name", help="新版本名（默认 calib-估价基准日）")
@click.option("--prior", "prior_name", help="以哪个已有版本的楼幢、分段为底（默认不用）")
@click.option("--no-holdouts", is_flag=True, help="不做样本外检验（快，但结论只有样本内）")
@click.option("--user", default=lambda: config.user("admin"), show_default="admin")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出拟合统计")
def calibrate_command(sales_file: Path, mapping_file: Path, as_of: str, version_name: str | None,
                      prior_name: str | None, no_holdouts: bool, user: str, as_json: bool) -> None:
    """由成交数据校准基准表，保存为草稿版本（需另行启用）。"""
    from tax_baseline.workbook import WorkbookError
    from valuation.pipeline import run_calibration
    from xunpai.services import baseline as baseline_store

    as_of_date = _parse_date(as_of, "估价基准日")
    name = version_name or f"calib-{as_of_date.isoformat()}"
    imported = _read_sales(sales_file, mapping_file)
    prior = None
    if prior_name:
        uow = unit_of_work()
        try:
            prior = baseline_store.load_version(uow, prior_name)
        except baseline_store.VersionError as exc:
            fail(str(exc))
    try:
        run = run_calibration(imported.sales, as_of_date, prior=prior, name=name, holdouts=not no_holdouts)
    except ValueError as exc:
        fail(str(exc))
    stats = run.fit_statistics()
    stats["import"] = {"rows_read": imported.rows_read, "rows_refused": imported.rows_refused}
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
    click.echo(f"样本内：中位数比率 {s.median_ratio:.4f}，COD {s.cod:.2f}，PRD {s.prd:.4f}，PRB {s.prb:.4f}")
    for label, study in (("随机留出 10%", run.holdout_random), ("最近 10%（样本外时间）", run.holdout_recent)):
        if study is not None:
            click.echo(f"{label}：n {study.n}，中位数比率 {study.median_ratio:.4f}，COD {study.cod:.2f}，"
                       f"PRD {study.prd:.4f}，PRB {study.prb:.4f}，PPE10 {study.ppe10:.1f}%")
    for warning in run.warnings:
        click.echo(f"提示：{warning}")


@click.command("ratio-study")
@click.option("--sales", "sales_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="成交数据文件（CSV 或 XLSX）")
@click.option("--mapping", "mapping_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="列映射文件（YAML/JSON）")
@click.option("--version", "version_name", help="基准表版本（默认当前启用版本）")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path), help="输出 HTML 报告")
@click.option("--bootstrap", default=500, show_default=True, help="自助法重抽样次数（置信区间）")
@click.option("--json", "as_json", is_flag=True)
def ratio_study_command(sales_file: Path, mapping_file: Path, version_name: str | None, report_file: Path | None,
                        bootstrap: int, as_json: bool) -> None:
    """用成交数据检验基准表版本：IAAO 比率研究（中位数比率、COD、PRD、PRB、PPE、MdAPE）。"""
    from valuation import report
    from valuation.pipeline import study_version
    from xunpai.services import baseline as baseline_store

    if report_file is not None and report_file.suffix.lower() not in (".html", ".htm"):
        fail(f"报告文件应以 .html 结尾，收到“{report_file.name}”。")
    imported = _read_sales(sales_file, mapping_file)
    uow = unit_of_work()
    try:
        tables = baseline_store.load_version(uow, version_name)
    except baseline_store.VersionError as exc:
        fail(str(exc))
    try:
        result = study_version(tables, imported.sales, bootstrap=bootstrap)
    except ValueError as exc:
        fail(str(exc))
    s = result.study
    if report_file is not None:
        notes = []
        if result.refused:
            notes.append(f"{result.refused} 笔成交无法用该版本估价（楼幢不在表中或早于最早的基准价执行日期），未纳入。")
        if result.trimmed:
            notes.append(f"{result.trimmed} 笔比率超出四分位数 ±3×IQR（IAAO 附录 B），已剔除。")
        html = report.render(s, result.frame, tables=tables, strata=result.strata,
                             title=f"比率研究报告：基准表版本 {tables.name}", notes=notes)
        report_file.write_text(html, encoding="utf-8")
    if as_json:
        echo_json({"version": tables.name, **result.to_dict()})
        return
    verdict = {None: "样本不足，不作判断", True: "通过", False: "未通过"}[s.verdict.passed]
    click.echo(f"基准表版本“{tables.name}”：n {s.n}，中位数比率 {s.median_ratio:.4f}，COD {s.cod:.2f}，"
               f"PRD {s.prd:.4f}，PRB {s.prb:.4f}，PPE10 {s.ppe10:.1f}%，MdAPE {s.mdape:.2f}% —— IAAO {verdict}")
    for warning in s.verdict.warnings:
        click.echo(f"提示：{warning}")
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
    from tax_baseline.parsing import FloorParseError, OrientationParseError, parse_floor, parse_orientation
    from valuation.comparables import Subject, find_comparables
    from valuation.screening import screen
    from xunpai.services import baseline as baseline_store

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


def pd_date(value) -> str:
    return str(value)[:10]


commands = [calibrate_command, ratio_study_command, comparables_command]
