"""The outcome statistics workbook: one row per court and a total, the lots behind them, a bar chart of the
success rate per court and a chart of outcome counts (openpyxl charts, no image rendering needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from auction.lot_kinds import AuctionRound
from auction.outcomes import OUTCOMES, LotOutcome, OutcomeStatistics, outcome_statistics
from tax_baseline.cells import neutralize_row
from tax_baseline.money import to_yuan
from xunpai.storage.models.lots import Lot

SUMMARY_HEADERS = ("法院", "登记结果的标的", "竞价结束", "成交", "流拍", "悔拍", "撤回", "暂缓", "成交率",
                   "起拍价合计（元）", "成交价合计（元）", "溢价率", "平均溢价率", "较参考价折让率", "节省佣金（元）")


def _rate(value: Decimal | None) -> float | None:
    # A spreadsheet cell shows a percentage; the exact Decimal stays in the JSON output and the ledger.
    return None if value is None else float(value)


def export_statistics_xlsx(path: str | Path, per_court: Mapping[str, OutcomeStatistics], total: OutcomeStatistics,
                           lots: Sequence[Lot], *, date_from: date | None = None, date_to: date | None = None) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "统计"
    period = f"{date_from or '最早'} 至 {date_to or '最新'}"
    sheet.append([f"网络司法拍卖结果统计（{period}）；成交率 = 成交 / 竞价结束（成交、流拍、悔拍）；"
                  f"节省佣金按{total.commission_article}的上限计算"])
    sheet.append(list(SUMMARY_HEADERS))
    rows = list(per_court.items()) + [("合计", total)]
    for court, s in rows:
        sheet.append([court, s.lots, s.reached_end, s.sold, s.counts["unsold"], s.counts["reneged"],
                      s.counts["withdrawn"], s.counts["suspended"], _rate(s.success_rate),
                      to_yuan(s.starting_total_fen), to_yuan(s.sale_total_fen), _rate(s.premium_rate),
                      _rate(s.mean_premium_rate), _rate(s.discount_to_reference), to_yuan(s.commission_saved_fen)])
    last = 2 + len(rows)
    for row in sheet.iter_rows(min_row=3, max_row=last):
        for cell in (row[8], row[11], row[12], row[13]):
            cell.number_format = "0.00%"
        for cell in (row[9], row[10], row[14]):
            cell.number_format = "#,##0.00"
    for column, width in zip("ABCDEFGHIJKLMNO", (12, 8, 8, 6, 6, 6, 6, 6, 9, 16, 16, 9, 9, 12, 14), strict=True):
        sheet.column_dimensions[column].width = width

    chart = BarChart()
    chart.title = "各法院成交率"
    chart.y_axis.title = "成交率"
    chart.y_axis.numFmt = "0%"
    chart.add_data(Reference(sheet, min_col=9, min_row=2, max_row=last - 1 if len(rows) > 1 else last),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=last - 1 if len(rows) > 1 else last))
    chart.height, chart.width = 8, 16
    sheet.add_chart(chart, f"A{last + 3}")

    counts = BarChart()
    counts.type = "col"
    counts.grouping = "stacked"
    counts.overlap = 100
    counts.title = "拍卖结果分布"
    counts.add_data(Reference(sheet, min_col=4, max_col=8, min_row=2, max_row=last - 1 if len(rows) > 1 else last),
                    titles_from_data=True)
    counts.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=last - 1 if len(rows) > 1 else last))
    counts.height, counts.width = 8, 16
    sheet.add_chart(counts, f"J{last + 3}")

    monthly = workbook.create_sheet("按月统计")
    monthly.append(["法院", "月份"] + list(SUMMARY_HEADERS[1:]))
    groups: dict[tuple[str, str], list[Lot]] = {}
    for lot in lots:
        groups.setdefault((lot.court_code, f"{lot.outcome_on:%Y-%m}"), []).append(lot)
    for (court, month), group in sorted(groups.items()):
        s = outcome_statistics(LotOutcome(lot.outcome, lot.starting_price_fen, lot.reference_price_fen,
                                          lot.sale_price_fen) for lot in group)
        monthly.append([court, month, s.lots, s.reached_end, s.sold, s.counts["unsold"], s.counts["reneged"],
                        s.counts["withdrawn"], s.counts["suspended"], _rate(s.success_rate),
                        to_yuan(s.starting_total_fen), to_yuan(s.sale_total_fen), _rate(s.premium_rate),
                        _rate(s.mean_premium_rate), _rate(s.discount_to_reference), to_yuan(s.commission_saved_fen)])
        for column in (10, 13, 14, 15):
            monthly.cell(monthly.max_row, column).number_format = "0.00%"

    detail = workbook.create_sheet("标的明细")
    detail.append(["法院", "标的编号", "案号", "标的名称", "轮次", "结果", "结果日期", "参考价（元）", "起拍价（元）",
                   "成交价（元）", "溢价率"])
    for lot in lots:
        premium = None
        if lot.outcome == "sold" and lot.starting_price_fen:
            premium = float(Decimal(lot.sale_price_fen - lot.starting_price_fen) / Decimal(lot.starting_price_fen))
        detail.append(neutralize_row([lot.court_code, lot.lot_code, lot.case_number, lot.title,
                                      _round_label(lot.round), OUTCOMES.get(lot.outcome, lot.outcome), lot.outcome_on,
                                      to_yuan(lot.reference_price_fen) if lot.reference_price_fen is not None else None,
                                      to_yuan(lot.starting_price_fen) if lot.starting_price_fen is not None else None,
                                      to_yuan(lot.sale_price_fen) if lot.sale_price_fen is not None else None,
                                      premium]))
        detail.cell(detail.max_row, 11).number_format = "0.00%"
    workbook.save(path)


def _round_label(value: str) -> str:
    """第一次拍卖 / 第二次拍卖 / 变卖 for the report (the sheet showed the code, first_auction)."""
    try:
        return AuctionRound(value).label
    except ValueError:
        return value
