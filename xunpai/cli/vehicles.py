"""``xunpai vehicle calibrate|activate|list|quote|batch|ratio-study``: vehicle valuation (车辆估价)."""

from __future__ import annotations

from pathlib import Path

import click

from tax_baseline.batch import write_results
from vehicles.batch import read_vehicle_file
from vehicles.records import bundled_vehicle_mapping
from vehicles.subject import VehicleQuery
from xunpai import config
from xunpai.cli.inquiry import writable_output
from xunpai.cli.support import echo_json, fail, typed_date, unit_of_work
from xunpai.services import accounts as accounts_service
from xunpai.services import vehicles as vehicle_service
from xunpai.services.inquiry import InquiryRefused
from xunpai.storage import ledger


def _mapping(mapping: str) -> Path:
    """A mapping file, or the name of one shipped in vehicles/mappings (guazi, sample)."""
    path = Path(mapping)
    if path.exists():
        return path
    shipped = bundled_vehicle_mapping(mapping)
    if shipped.exists():
        return shipped
    fail(f"找不到列映射“{mapping}”：应为映射文件的路径，或随附映射的名称（guazi、sample）。")
    raise AssertionError  # unreachable


def _account(uow, username: str | None):
    if not username:
        fail("请用 --user 指定操作人（或设置环境变量 XUNPAI_USER）。")
    user = accounts_service.active_user(uow, username)
    if user is None:
        fail(f"用户“{username}”不存在或已停用。")
    return user


def _refused(exc: InquiryRefused, as_json: bool = False) -> None:
    if as_json:
        echo_json({"status": "refused", "reason": exc.reason, "code": exc.code, "limit": exc.limit,
                   "candidates": list(exc.candidates), "ledger_seq": exc.ledger_seq})
    fail(exc.reason + (f"（已记入台账，序号 {exc.ledger_seq}）" if exc.ledger_seq else "（已记入台账）"), code=3)


@click.group("vehicle")
def vehicle_group() -> None:
    """车辆估价：校准车辆表、启用版本、估价（含历史价格曲线）、批量估价、比率研究。"""


@vehicle_group.command("calibrate")
@click.argument("records", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", required=True, help="列映射文件路径，或随附映射名（guazi、sample）")
@click.option("--name", "name", required=True, help="新版本名，如 车辆-2026-10")
@click.option("--as-of", "as_of", help="车辆表截止日期（默认：记录中最晚的日期）")
@click.option("--user", default=lambda: config.user("admin"), show_default="admin", help="操作人（系统管理员）")
@click.option("--json", "as_json", is_flag=True, help="输出稳定的 JSON")
def calibrate(records: Path, mapping: str, name: str, as_of: str | None, user: str, as_json: bool) -> None:
    """按列映射读取车辆成交/挂牌记录，拟合折旧模型，保存为草稿版本（须经 activate 启用）。"""
    uow = unit_of_work()
    try:
        result = vehicle_service.calibrate(uow, records, _mapping(mapping), name=name, actor=user,
                                           as_of=typed_date(as_of, "车辆表截止日期"))
    except vehicle_service.VehicleError as exc:
        fail(str(exc))
    stats = result.table.statistics
    if as_json:
        echo_json({"status": "ok", "version": name, "rows_read": result.rows_read, "records": result.records,
                   "rows_refused": len({e.row for e in result.errors}),
                   "errors": [str(e) for e in result.errors[:200]],
                   "statistics": stats})
        return
    for error in result.errors[:20]:
        click.echo(f"  {error}")
    if len(result.errors) > 20:
        click.echo(f"  ……另有 {len(result.errors) - 20} 处错误未列出")
    click.echo(f"已校准草稿版本“{name}”：读取 {result.rows_read} 行，拒绝 {len({e.row for e in result.errors})} 行，"
               f"去重后 {result.records} 条记录；车系 {stats['series']} 个，款型 {stats['models']} 个，"
               f"价格指数 {len(stats['months'])} 个月，样本内 MdAPE {stats['in_sample_mdape']:.2f}%。")
    click.echo(f"启用请运行：xunpai vehicle activate {name}")


@vehicle_group.command("activate")
@click.argument("version_name")
@click.option("--user", default=lambda: config.user("admin"), show_default="admin", help="操作人（系统管理员）")
def activate(version_name: str, user: str) -> None:
    """启用一个车辆表版本（之后的车辆估价都用它；启用记入台账）。"""
    uow = unit_of_work()
    try:
        vehicle_service.activate(uow, version_name, actor=user)
    except vehicle_service.VehicleError as exc:
        fail(str(exc))
    click.echo(f"已启用车辆表版本“{version_name}”。")


@vehicle_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="输出稳定的 JSON")
def list_versions(as_json: bool) -> None:
    """列出全部车辆表版本。"""
    versions = [{"name": v.name, "status": v.status, "source": v.source, "created_at": v.created_at,
                 "created_by": v.created_by, "activated_at": v.activated_at, "rows": v.row_counts,
                 "as_of": v.statistics.get("as_of")}
                for v in vehicle_service.list_versions(unit_of_work())]
    if as_json:
        echo_json(versions)
        return
    if not versions:
        click.echo("还没有任何车辆表版本。")
    for v in versions:
        click.echo(f"{v['name']:<20} {vehicle_service.STATUS_NAMES.get(v['status'], v['status']):<4} "
                   f"截止 {v['as_of']}  校准 {v['created_at']:%Y-%m-%d %H:%M} {v['created_by']:<8} "
                   f"记录 {v['rows'].get('records', 0)} 条  来源 {v['source']}")


def _print_quote(answer) -> None:
    q = answer.quote
    click.echo(f"车辆估价结果（{q.method}）")
    click.echo(f"  车型：{q.name}（品牌 {q.brand}，车系 {q.series_name}，年款 {q.model_year or '未注明'}）")
    click.echo(f"  上牌：{q.registration}  车龄：{q.age_months} 个月  里程：{q.mileage_km / 10000:.2f} 万公里  "
               f"城市：{q.city or '未注明'}  估价日期：{q.valuation_date}")
    click.echo(f"  新车含税价：{q.new_price} 元（{q.new_price_source}）")
    click.echo("  计算明细：")
    for f in q.factors:
        click.echo(f"    {f.name}：{f.level}  × {f.multiplier}（{f.source}）")
    click.echo(f"  估价：{q.value} 元（保值率 {q.retention}）")
    if q.interval_low is not None:
        click.echo(f"  估价区间（80%）：{q.interval_low} 元 至 {q.interval_high} 元（{q.interval_source}）")
    click.echo(f"  估价层级：{'车系' if q.level == 'series' else '品牌（车辆表中没有该车系的记录，按品牌与类别水平估价）'}")
    click.echo(f"  取整规则：{q.rounding_rule}")
    if q.comparables:
        click.echo("  可比实例（同车系，车龄与里程最近，已修正到估价对象）：")
        for c in q.comparables:
            click.echo(f"    {c.record_id} {c.name} {c.city} {c.month} 车龄 {c.age_months} 个月 "
                       f"{c.mileage_km / 10000:.2f} 万公里：{c.price} 元 × {c.adjustment} = {c.adjusted_price} 元")
    if q.curve.history:
        first, last = q.curve.history[0], q.curve.history[-1]
        click.echo(f"  历史价格曲线：{first['month']} {first['value']} 元 → {last['month']} {last['value']} 元"
                   f"（{len(q.curve.history)} 个月，同车系同车龄）")
    for w in q.warnings:
        click.echo(f"  提示：{w}")
    click.echo(f"  车辆表版本：{q.table_name}  案号：{answer.case_number}  台账序号：{answer.ledger_seq}  "
               f"校验码：{answer.verification_code}")


@vehicle_group.command("quote")
@click.option("--name", "name", required=True, help="车型名称（登记证书或挂牌名称），如“宝马5系 2020款 530Li 领先型”")
@click.option("--registration", required=True, help="上牌时间：2021-03、2021年3月、2021年、未上牌")
@click.option("--mileage", required=True, help="表显里程：4.5万公里、45000公里")
@click.option("--city", default="", help="所在城市，如 银川")
@click.option("--valuation-date", help="估价日期（默认今天）")
@click.option("--new-price", help="新车含税价，如 43.99万（不填则取车辆表同款型记录）")
@click.option("--gearbox", help="变速箱：自动、手动")
@click.option("--inspection", help="检测结果，如 3处异常、无异常")
@click.option("--case-number", required=True, help="案号，如（2026）宁0122执1234号")
@click.option("--purpose", default="确定财产处置参考价", show_default=True)
@click.option("--user", default=config.user, help="操作人（执行法官）用户名")
@click.option("--json", "as_json", is_flag=True, help="输出稳定的 JSON")
def quote(name, registration, mileage, city, valuation_date, new_price, gearbox, inspection, case_number, purpose,
          user, as_json) -> None:
    """车辆估价：估价及其计算明细、可比实例和历史价格曲线，并记入台账。"""
    on = typed_date(valuation_date, "估价日期") or ledger.now_local().date()
    query = VehicleQuery(name=name, registration=registration, mileage=mileage, valuation_date=on, city=city,
                         new_price=new_price, gearbox=gearbox, inspection=inspection)
    uow = unit_of_work()
    account = _account(uow, user)
    try:
        answer = vehicle_service.quote_for_user(uow, account, query, case_number=case_number, purpose=purpose)
    except InquiryRefused as exc:
        _refused(exc, as_json)
    if as_json:
        echo_json({"status": "ok", "case_number": answer.case_number, "ledger_seq": answer.ledger_seq,
                   "verification_code": answer.verification_code, "result": answer.quote.to_dict()})
    else:
        _print_quote(answer)


@vehicle_group.command("batch")
@click.argument("infile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", "outfile", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--valuation-date", help="估价日期（默认今天；文件中的“估价日期”列优先）")
@click.option("--case-number", required=True, help="案号")
@click.option("--purpose", default="确定财产处置参考价（车辆批量估价）", show_default=True)
@click.option("--user", default=config.user, help="操作人（执行法官）用户名")
def batch(infile: Path, outfile: Path, valuation_date: str | None, case_number: str, purpose: str,
          user: str | None) -> None:
    """车辆批量估价：每行给出估价与保值率，或未估价的原因。列：车型名称、上牌时间、表显里程（可选 城市、新车含税价、估价日期）。"""
    if outfile.suffix.lower() not in (".xlsx", ".csv"):
        fail(f"结果文件应以 .xlsx 或 .csv 结尾，收到“{outfile.name}”。")
    writable_output(outfile, "结果文件")
    try:
        vehicles = read_vehicle_file(infile)
    except ValueError as exc:
        fail(str(exc))
    on = typed_date(valuation_date, "估价日期")
    uow = unit_of_work()
    account = _account(uow, user)
    try:
        result = vehicle_service.batch_for_user(uow, account, vehicles, case_number=case_number, purpose=purpose,
                                                valuation_date=on, source_name=infile.name)
    except InquiryRefused as exc:
        _refused(exc)
    try:
        write_results(result.results, outfile)
    except OSError as exc:
        fail(f"结果文件“{outfile}”无法写入（{exc.strerror or exc}）；本次批量估价已记入台账（序号 {result.ledger_seq}）。")
    click.echo(f"共 {len(result.results)} 行：已估价 {result.ok} 行，未估价 {result.refused} 行。结果已写入 {outfile}。"
               f"台账序号 {result.ledger_seq}，校验码 {result.verification_code}")


@vehicle_group.command("ratio-study")
@click.argument("records", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", required=True, help="列映射文件路径，或随附映射名（guazi、sample）")
@click.option("--version", "version_name", help="车辆表版本（默认当前启用版本）")
@click.option("--bootstrap", default=500, show_default=True, type=int, help="置信区间的自助抽样次数")
@click.option("--json", "as_json", is_flag=True, help="输出稳定的 JSON")
def ratio_study(records: Path, mapping: str, version_name: str | None, bootstrap: int, as_json: bool) -> None:
    """比率研究：车辆表对（未参与校准的）记录的 IAAO 统计量、MdAPE、PPE10 与覆盖率。"""
    try:
        study = vehicle_service.ratio_study(unit_of_work(), records, _mapping(mapping), version=version_name,
                                            bootstrap=bootstrap)
    except vehicle_service.VehicleError as exc:
        fail(str(exc))
    d = study.to_dict()
    if as_json:
        echo_json(d)
        return
    click.echo(f"比率研究：记录 {d['records']} 条，无法估价 {d['refused']} 条，剔除离群 {d['trimmed']} 条，"
               f"覆盖率 {d['coverage']:.1f}%")
    for level in d["levels"].values():
        hit = "" if level["in_interval"] is None else f"，落入 80% 估价区间 {level['in_interval']:.1f}%"
        click.echo(f"  {level['name']}水平估价：{level['records']} 条，MdAPE {level['mdape']:.2f}%，"
                   f"PPE10 {level['ppe10']:.1f}%{hit}")
    for key, label in (("median_ratio", "比率中位数"), ("cod", "COD"), ("prd", "PRD"), ("prb", "PRB"),
                       ("mdape", "MdAPE（%）"), ("ppe10", "PPE10（%）")):
        if key in d and d[key] is not None:
            click.echo(f"  {label}：{d[key]:.4f}" if isinstance(d[key], float) else f"  {label}：{d[key]}")
    verdict = d.get("verdict") or {}
    names = {"median_ratio": "比率中位数", "cod": "COD", "prd": "PRD", "prb": "PRB"}
    if verdict.get("checks"):
        click.echo("  IAAO 判断：" + "，".join(f"{names.get(k, k)} {v}" for k, v in verdict["checks"].items()))
    for warning in verdict.get("warnings", []):
        click.echo(f"  提示：{warning}")


commands = [vehicle_group]
