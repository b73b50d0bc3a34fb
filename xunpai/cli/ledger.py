"""``xunpai ledger verify|export``: check the hash chain, write the 台账 as a spreadsheet."""

from __future__ import annotations

from pathlib import Path

import click

from auction.case_number import InvalidCaseNumber, validate
from xunpai.cli.inquiry import writable_output
from xunpai.cli.support import fail, stop_on, unit_of_work
from xunpai.services import receipts


@click.group("ledger")
def ledger_group() -> None:
    """台账：校验哈希链、导出信息查询台账。"""


@ledger_group.command("verify")
def verify() -> None:
    """校验台账：找出第一条被修改、删除或调换顺序的记录。"""
    uow = unit_of_work()
    result = receipts.verify_ledger(uow)
    if not result.ok:
        fail(result.message().removeprefix("台账校验失败："), code=1)
    click.echo(result.message())


@ledger_group.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--case-number", help="只导出该案号的记录")
@click.option("--court", "court_code", help="只导出该法院的记录")
def export(out: Path, case_number: str | None, court_code: str | None) -> None:
    """导出台账为 Excel（.xlsx）。"""
    if out.suffix.lower() != ".xlsx":
        fail(f"导出文件应以 .xlsx 结尾，收到“{out.name}”。")
    if case_number:
        with stop_on(InvalidCaseNumber):
            case_number = validate(case_number)
    writable_output(out, "导出文件")
    uow = unit_of_work()
    try:
        count = receipts.export_ledger(uow, out, case_number=case_number, court_code=court_code)
    except OSError as exc:
        fail(f"导出文件“{out}”无法写入（{exc.strerror or exc}）；请关闭占用该文件的程序或换一个路径。")
    click.echo(f"已导出 {count} 条台账记录到 {out}")


commands = [ledger_group]
