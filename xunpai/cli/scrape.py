"""``xunpai scrape SOURCE --since DATE -o FILE``: collect public market data with the system Chromium;
``xunpai auction-results RESULTS --reference-prices FILE``: scraped results against our reference prices."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pandas as pd

from scrapers import DEFAULT_CONTACT
from scrapers.auction_results import join_reference_prices, read_reference_prices
from scrapers.errors import ScrapeError
from scrapers.mappings import CALIBRATION_MAPPINGS, mapping_path
from scrapers.politeness import Politeness
from tax_baseline.cells import neutralize_frame
from xunpai import config
from xunpai.cli.support import echo_json, fail, required_date, stop_on, unit_of_work
from xunpai.services.scraping import reference_prices_in_force

PLAYWRIGHT_MISSING = ("网页采集需要可选组件 Playwright，当前未安装。请运行：pip install 'xunpai[scrapers]'，"
                      "并安装系统的 Chromium 浏览器（Debian/Ubuntu：apt-get install chromium）。")


@click.command("scrape")
@click.argument("source", type=click.Choice(["auction", "housing", "land"]))
@click.option("--since", required=True, help="只采集该日期（含）以后的记录，格式 YYYY-MM-DD")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件（.csv 或 .parquet）；旁边会生成 .rejects.csv（拒收记录及原因）和断点文件")
@click.option("--base-url", help="网站地址；默认取环境变量 XUNPAI_SCRAPER_<来源>_URL")
@click.option("--rate", type=float, default=1.0, show_default=True, help="每秒最多打开的页面数")
@click.option("--timeout", type=float, default=15.0, show_default=True, help="单个页面的超时（秒）")
@click.option("--max-attempts", type=int, default=5, show_default=True, help="每个页面最多尝试次数")
@click.option("--contact", help="写进 User-Agent 的联系方式（网址或 mailto:）")
def scrape_command(source: str, since: str, output: Path, base_url: str | None, rate: float, timeout: float,
                   max_attempts: int, contact: str | None) -> None:
    """采集公开网页：auction（司法拍卖结果）、housing（二手房成交）、land（土地出让结果）。

    中断后用同一命令重新运行，从中断处继续，不会重复；页面结构变化时停止并说明原因。
    """
    try:  # optional: Playwright (the extra ``xunpai[scrapers]``); only the collectors need it
        from scrapers.browser import PageFetcher, launch_browser
    except ModuleNotFoundError as exc:
        if exc.name != "playwright":
            raise
        fail(PLAYWRIGHT_MISSING)
    from scrapers.run import scrape  # optional: Playwright (the collectors drive the browser)
    from scrapers.sources import SOURCES  # optional: Playwright

    since_date = required_date(since, "--since")
    base_url = base_url or config.scraper_url(source)
    if not base_url or not base_url.startswith(("http://", "https://")):
        fail(f"未指定网站地址：请用 --base-url http(s)://… 或设置环境变量 XUNPAI_SCRAPER_{source.upper()}_URL。")
    if output.suffix.lower() not in (".csv", ".parquet"):
        fail(f"输出文件应以 .csv 或 .parquet 结尾，收到“{output.name}”。")
    with stop_on(ValueError):
        politeness = Politeness(rate=rate, timeout=timeout, max_attempts=max_attempts,
                                contact=contact or DEFAULT_CONTACT)
    collector_class = SOURCES[source]

    def on_page(progress) -> None:
        click.echo(f"第 {progress.page} 页：新增 {progress.accepted} 条，拒收 {progress.rejected} 条"
                   f"（累计 {progress.total_accepted} 条，拒收 {progress.total_rejected} 条）")

    def on_retry(url: str, attempt: int, problem: str, delay: float) -> None:
        click.echo(f"  {url} 第 {attempt} 次失败（{problem}），{delay:g} 秒后重试", err=True)

    click.echo(f"开始采集{collector_class.title}：{base_url}，{since_date} 起，每秒最多 {rate:g} 页，"
               f"User-Agent：{politeness.user_agent}")
    try:
        with launch_browser() as browser, PageFetcher(browser, politeness, on_retry=on_retry) as fetcher:
            result = scrape(collector_class(fetcher, base_url), since_date, output, on_page=on_page)
    except ScrapeError as exc:
        fail(str(exc), code=1)
    except KeyboardInterrupt:
        click.echo("已中断。已完成的记录和断点已保存，重新运行同一命令即从中断处继续。", err=True)
        sys.exit(130)
    resumed = "（续采）" if result.resumed else ""
    click.echo(f"完成{resumed}：{result.output} 共 {result.accepted} 条记录（本次新增 {result.new_accepted} 条）；"
               f"拒收 {result.rejected} 条，原因见 {result.rejects}")
    if source in CALIBRATION_MAPPINGS and output.suffix.lower() == ".csv":
        click.echo(f"校准：xunpai calibrate --sales {output} --mapping {mapping_path(CALIBRATION_MAPPINGS[source])} "
                   f"--as-of YYYY-MM-DD")


@click.command("auction-results")
@click.argument("results", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reference-prices", "reference_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="我方参考价文件（CSV/XLSX，列：case_number、lot（可空）、reference_price_fen）；"
                   "不指定时取数据库中各标的现行参考价")
@click.option("--court", "court_code", help="只取该法院的参考价（取自数据库时）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="逐个标的的结果（.csv）")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出汇总")
def auction_results_command(results: Path, reference_file: Path | None, court_code: str | None, output: Path | None,
                            as_json: bool) -> None:
    """司法拍卖结果与我方参考价对照：逐个标的的参考价折扣率、溢价率及汇总（成交率、溢价率、折扣率）。"""

    def read(path: Path) -> pd.DataFrame:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=object)
        return pd.read_csv(path, dtype=str, keep_default_na=False)

    scraped = read(results)
    missing = {"key", "case_number", "status", "starting_price_fen", "final_price_fen"} - set(scraped.columns)
    if missing:
        fail(f"{results.name} 不是司法拍卖采集结果：缺少列 {', '.join(sorted(missing))}。"
             f"应为 xunpai scrape auction 的输出。")
    if reference_file is None:
        uow = unit_of_work()
        reference_rows = reference_prices_in_force(uow, court_code=court_code)
    else:
        references = read(reference_file)
        if not {"case_number", "reference_price_fen"} <= set(references.columns):
            fail(f"{reference_file.name} 应有列 case_number、reference_price_fen（lot 可选）。")
        reference_rows = references.to_dict("records")
    prices, problems = read_reference_prices(reference_rows)
    if problems:
        fail("参考价文件有误，未作对照：\n" + "\n".join(problems))
    joined = join_reference_prices(scraped.to_dict("records"), prices)
    if output:
        neutralize_frame(pd.DataFrame([{**lot.__dict__, "discount_to_reference": lot.discount_to_reference,
                                        "premium_over_start": lot.premium_over_start} for lot in joined.lots])
                         ).to_csv(output, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    summary = {"results": len(joined.lots), "matched": len(joined.matched), "unmatched": len(joined.unmatched),
               "unmatched_reasons": [f"{lot.key}：{lot.unmatched_reason}" for lot in joined.unmatched],
               "platform_reference_differs": [lot.key for lot in joined.matched if lot.platform_reference_differs],
               **joined.statistics.as_dict()}
    if as_json:
        echo_json(summary)
        return
    s = joined.statistics
    click.echo(f"采集结果 {summary['results']} 条，对上我方参考价 {summary['matched']} 条，未对上 {summary['unmatched']} 条")
    for line in summary["unmatched_reasons"]:
        click.echo(f"  未对上：{line}")

    def pct(rate) -> str:
        return "—" if rate is None else f"{rate * 100:.2f}%"

    click.echo(f"成交率 {pct(s.success_rate)}，溢价率 {pct(s.premium_rate)}，参考价折扣率 {pct(s.discount_to_reference)}")


commands = [scrape_command, auction_results_command]
