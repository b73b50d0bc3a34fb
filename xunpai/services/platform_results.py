"""Results back from the platforms (成交 / 流拍 / 悔拍, the price, the buyer) into each lot's outcome: from a
platform's results file (a sheet a clerk downloads from the platform) or from a platform with an interface (the
local platform). Each row or answer is recorded by ``xunpai.services.outcomes.record_outcome`` with its own checks;
the report counts what really happened, row by row."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import load_workbook

from auction.lifecycle import LotState
from auction.platforms import Platform, PlatformError
from tax_baseline.money import InvalidAmount, parse_yuan
from tax_baseline.typed_dates import InvalidDate, parse_date
from xunpai.services import lifecycle as lifecycle_service
from xunpai.services import outcomes as outcomes_service
from xunpai.services.publishing import PublishingError
from xunpai.storage import ledger
from xunpai.storage.models.lots import Lot
from xunpai.storage.repositories import lots as lots_repo
from xunpai.storage.unit_of_work import UnitOfWork

RESULT_COLUMNS = ("标的编号", "结果", "成交价（元）", "买受人", "买受人证件号码", "竞买号", "结束日期")
OUTCOME_WORDS = {"成交": "sold", "已成交": "sold", "流拍": "unsold", "悔拍": "reneged"}
MAX_ROWS = 5000


@dataclass
class ResultLine:
    row: int | str
    lot_code: str
    outcome: str  # the Chinese word
    ok: bool
    message: str = ""


@dataclass
class ResultsReport:
    lines: list[ResultLine] = field(default_factory=list)

    @property
    def recorded(self) -> int:
        return sum(1 for line in self.lines if line.ok)

    @property
    def refused(self) -> int:
        return sum(1 for line in self.lines if not line.ok)

    @property
    def summary(self) -> str:
        if not self.lines:
            return "没有可登记的结果。"
        return f"登记 {self.recorded} 个结果，{self.refused} 个未登记（原因见下表）。"


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            out = [(n, dict(zip(header, (c.strip() for c in cells), strict=False)))
                   for n, cells in enumerate(reader, start=2) if any(c.strip() for c in cells)]
    else:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
            out = []
            for n, values in enumerate(rows, start=2):
                cells = ["" if v is None else (v.date().isoformat() if hasattr(v, "date") and callable(v.date)
                                               else str(v)).strip() for v in values]
                if any(cells):
                    out.append((n, dict(zip(header, cells, strict=False))))
        finally:
            workbook.close()
    missing = [c for c in ("标的编号", "结果") if c not in header]
    if missing:
        raise ValueError(f"结果文件缺少列：{'、'.join(missing)}；应有的列：{'、'.join(RESULT_COLUMNS)}。")
    return out[:MAX_ROWS + 1]


def _record(uow: UnitOfWork, lot: Lot, outcome: str, *, price_fen: int | None, on: date, buyer_name: str,
            bidder_code: str, actor: str, buyer_id_number: str = "") -> None:
    """A lot the lifecycle follows (bidding recorded there) gets the lifecycle's event, checked by its state machine
    (``xunpai.services.lifecycle.record_event``); any other lot the outcome as recorded before the lifecycle."""
    life = lifecycle_service.lot_view(uow, lot.id).life
    if life.state is LotState.BIDDING and outcome in ("sold", "unsold"):
        data: dict = {}
        at = None
        if outcome == "sold":
            end = lot.lot.plan.bidding_end
            at = end if on == end.date() else datetime.combine(on, time(23, 59))
            data = {"buyer_name": buyer_name, "buyer_id_number": buyer_id_number, "bidder_code": bidder_code,
                    "price_fen": price_fen}
        lifecycle_service.record_event(uow, lot.id, outcome, on, at=at, data=data, actor=actor,
                                       court_code=lot.court_code)
    else:
        outcomes_service.record_outcome(uow, lot.id, outcome, sale_price_fen=price_fen, on=on, actor=actor,
                                        buyer_name=buyer_name, bidder_code=bidder_code,
                                        buyer_id_number=buyer_id_number)
    with uow:
        now = ledger.now_local()
        for pub in uow.session.get(Lot, lot.id).publications:
            if pub.stage in ("ready", "submitted", "live"):
                pub.stage, pub.stage_at, pub.stage_by = "ended", now, actor or None
        uow.commit()


def import_results(uow: UnitOfWork, path: str | Path, *, court_code: str, actor: str = "") -> ResultsReport:
    """A platform's results file: one row per lot (标的编号, 结果 成交/流拍/悔拍, 成交价（元）, 买受人, 竞买号,
    结束日期); each row is the court's lot of that number in its latest round. A bad row is reported and
    changes nothing; the others are recorded."""
    report = ResultsReport()
    try:
        rows = _rows(Path(path))
    except (ValueError, OSError, KeyError) as exc:
        message = str(exc) if isinstance(exc, ValueError) and "结果文件" in str(exc) else \
            "无法读取结果文件：应为 .xlsx 或 .csv，第一行为列名。"
        report.lines.append(ResultLine(1, "", "", False, message))
        return report
    if len(rows) > MAX_ROWS:
        report.lines.append(ResultLine(1, "", "", False, f"结果文件超过 {MAX_ROWS} 行，请分批导入。"))
        return report
    for number, cells in rows:
        code = cells.get("标的编号", "")[:60]
        word = cells.get("结果", "")
        try:
            outcome = OUTCOME_WORDS.get(word)
            if outcome is None:
                raise ValueError(f"结果“{word[:20]}”应为成交、流拍或悔拍。")
            price = parse_yuan(cells.get("成交价（元）", "")) if outcome == "sold" else None
            if price is not None and not 0 < price <= 100_000_000_000 * 100:
                raise ValueError("成交价应在 0.01 元至 1,000 亿元之间。")
            on = parse_date(cells["结束日期"], "结束日期") if cells.get("结束日期") else ledger.now_local().date()
            with uow:
                lot = lots_repo.latest_lot_with_code(uow.session, court_code, code)
            if lot is None:
                raise ValueError(f"本院没有标的编号为“{code}”的标的。")
            _record(uow, lot, outcome, price_fen=price, on=on, buyer_name=cells.get("买受人", "")[:100],
                    bidder_code=cells.get("竞买号", "")[:40], actor=actor,
                    buyer_id_number=cells.get("买受人证件号码", "")[:30])
        except (ValueError, InvalidAmount, InvalidDate, PublishingError) as exc:
            report.lines.append(ResultLine(number, code, word[:20], False, str(exc)))
        else:
            report.lines.append(ResultLine(number, code, word, True, "已登记"))
    return report


def fetch_results(uow: UnitOfWork, platforms: Callable[[str], Platform], *, court_code: str,
                  actor: str = "") -> ResultsReport:
    """Ask every platform with an interface for the results of the court's lots live there."""
    report = ResultsReport()
    with uow:
        live = [(p.lot_id, p.platform, p.remote_id, p.lot.lot_code)
                for p in lots_repo.publications_with_stage(uow.session, ("live", "submitted"), court_code)]
    names = {"sold": "成交", "unsold": "流拍", "reneged": "悔拍"}
    for lot_id, code, remote_id, lot_code in live:
        platform = platforms(code)
        ask = getattr(platform, "result", None)
        if ask is None or getattr(platform, "package_only", False) or not remote_id:
            continue
        try:
            answer = ask(remote_id)
        except PlatformError as exc:
            report.lines.append(ResultLine(remote_id, lot_code, "", False, str(exc)))
            continue
        if answer is None:
            continue
        outcome = answer.get("outcome", "")
        try:
            on = parse_date(answer.get("ended_on") or ledger.now_local().date(), "结束日期")
            with uow:
                lot = uow.session.get(Lot, lot_id)
            _record(uow, lot, outcome, price_fen=answer.get("price_fen"), on=on,
                    buyer_name=str(answer.get("buyer_name") or ""), bidder_code=str(answer.get("bidder_code") or ""),
                    actor=actor)
        except (ValueError, InvalidDate, PublishingError) as exc:
            report.lines.append(ResultLine(remote_id, lot_code, names.get(outcome, ""), False, str(exc)))
        else:
            report.lines.append(ResultLine(remote_id, lot_code, names.get(outcome, ""), True, "已登记"))
    return report
