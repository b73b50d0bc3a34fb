"""``xunpai ledger verify|export|keygen|checkpoint|check-codes|verify-export``: check the hash chain against the
signed checkpoints, write the 台账 as a spreadsheet (with its checkpoint), make the signing key, check printed
verification codes in bulk (docs/ledger_anchoring.md)."""

from __future__ import annotations

import re
from pathlib import Path

import click
from openpyxl import load_workbook

from auction.case_number import InvalidCaseNumber, validate
from xunpai import config
from xunpai.cli.inquiry import writable_output
from xunpai.cli.support import fail, stop_on, unit_of_work
from xunpai.services import receipts
from xunpai.storage import anchor

CODE = re.compile(r"\b[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}\b")


@click.group("ledger")
def ledger_group() -> None:
    """台账：校验哈希链与签名校验点、导出信息查询台账、批量核对校验码。"""


@ledger_group.command("verify")
def verify() -> None:
    """校验台账：找出第一条被修改、删除或调换顺序的记录，并逐个核对签名校验点（截短、改写区段、台账头缺失）。"""
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
    """导出台账为 Excel（.xlsx）；配置了校验点时，导出同时写一个签名校验点，附在“校验点”工作表中。"""
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
    except anchor.AnchorError as exc:
        fail(str(exc))
    click.echo(f"已导出 {count} 条台账记录到 {out}")


@ledger_group.command("keygen")
@click.option("--key", "key_path", type=click.Path(dir_okay=False, path_type=Path),
              help="私钥文件（缺省为 XUNPAI_LEDGER_KEY，或数据目录中的 ledger-signing-key.pem）")
def keygen(key_path: Path | None) -> None:
    """生成台账签名密钥（Ed25519）：私钥只有本用户可读（600），公钥写在旁边（.pub）。"""
    key_path = key_path or Path(config.ledger_anchoring()["key"])
    with stop_on(anchor.AnchorError):
        anchor.generate_key(key_path)
    click.echo(f"已生成签名私钥 {key_path}（权限 600，请妥善保管、另行备份）和公钥 {anchor.public_path(key_path)}"
               "（交给核对台账的人）。")


@ledger_group.command("checkpoint")
def checkpoint() -> None:
    """立即写一个签名校验点（台账当前的条数与末条哈希）。"""
    with stop_on(anchor.AnchorError):
        cp = receipts.checkpoint(unit_of_work())
    click.echo(f"已写入第 {cp.number} 个校验点：台账共 {cp.seq} 条，末条哈希 {cp.hash[:16]}…（{cp.at}）")


def _codes_in(path: Path) -> list[str]:
    if path.suffix.lower() == ".xlsx":
        try:
            book = load_workbook(path, read_only=True)
        except Exception:  # openpyxl raises several kinds for a file that is not a workbook
            fail(f"“{path.name}”不是可读取的 .xlsx 文件。")
        cells = (str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v)
        text = "\n".join(cells)
    else:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            text = path.read_text(encoding="gb18030", errors="replace")
    return CODE.findall(text)


@ledger_group.command("check-codes")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_codes(source: Path) -> None:
    """批量核对打印在询价结果等文书上的校验码（文本、CSV 或 .xlsx 中出现的每个 XXXX-XXXX-XXXX）。"""
    codes = _codes_in(source)
    if not codes:
        fail(f"“{source.name}”中没有找到校验码（形如 1A2B-3C4D-5E6F）。")
    results = receipts.check_codes(unit_of_work(), codes)
    for r in results:
        where = f"第 {r.ledger_seq} 条 {r.kind}" if r.ledger_seq else ""
        click.echo(f"{r.code}\t{'通过' if r.ok else '未通过'}\t{where}\t{r.status}")
    bad = sum(1 for r in results if not r.ok)
    click.echo(f"共核对 {len(results)} 个校验码：{len(results) - bad} 个通过，{bad} 个未通过。")
    if bad:
        raise SystemExit(1)


@ledger_group.command("verify-export")
@click.argument("export_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_export(export_file: Path) -> None:
    """核对一份台账导出文件：其校验点的签名、校验点文件中的记录，以及每条记录与数据库是否相符。"""
    ok, message = receipts.verify_export(unit_of_work(), export_file)
    if not ok:
        fail(message, code=1)
    click.echo(message)


commands = [ledger_group]
