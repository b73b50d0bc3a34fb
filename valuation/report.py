"""The ratio-study report (比率研究报告): one printable HTML page with the figures, plots and coefficient tables.

Plots are drawn by matplotlib and embedded as PNG (no external files, no network), so the page can be
archived or printed to PDF by any browser. Text is Chinese; the plots use the Noto CJK font when present.
"""

from __future__ import annotations

import base64
import html
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from tax_baseline.tables import SPEC_BY_NAME, BaselineTables
from valuation import iaao_standard as std
from valuation.ratio_study import RatioStudy

CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    for path in CJK_FONTS:
        try:
            font_manager.fontManager.addfont(path)
            plt.rcParams["font.family"] = font_manager.FontProperties(fname=path).get_name()
            break
        except (OSError, RuntimeError):
            continue
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def ratio_vs_price(frame: pd.DataFrame) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    r = frame["estimate"] / frame["sale_price"]
    ax.scatter(frame["sale_price"], r, s=4, alpha=0.3)
    ax.set_xscale("log")
    ax.axhline(np.median(r), color="C3", lw=1, label=f"中位数 {np.median(r):.3f}")
    ax.axhspan(*std.MEDIAN_RATIO_RANGE, color="C2", alpha=0.08, label="IAAO 水平区间 0.90–1.10")
    ax.set_xlabel("成交价（对数刻度）")
    ax.set_ylabel("估价 / 成交价")
    ax.set_ylim(max(0, float(r.quantile(0.001)) - 0.05), float(r.quantile(0.999)) + 0.05)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title("比率与成交价")
    return _png(fig)


def ratio_by_zone(frame: pd.DataFrame, zone: str = "zone_code") -> str:
    plt = _pyplot()
    r = frame["estimate"] / frame["sale_price"]
    groups = [(z, r[frame[zone] == z].to_numpy()) for z in sorted(frame[zone].dropna().unique())]
    fig, ax = plt.subplots(figsize=(7, max(3, 0.25 * len(groups) + 1)))
    ax.boxplot([g for _, g in groups], orientation="horizontal", showfliers=False)
    ax.set_yticks(range(1, len(groups) + 1), [str(z) for z, _ in groups], fontsize=7)
    ax.axvline(1.0, color="C3", lw=1)
    ax.set_xlabel("估价 / 成交价")
    ax.set_title("各估价分区的比率")
    return _png(fig)


def index_curve(tables: BaselineTables) -> str | None:
    pi = tables["price_index"]
    if pi.empty:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for zone, group in pi.groupby("zone_code"):
        group = group.sort_values("month")
        level = 100 * np.cumprod(group["index"].to_numpy(dtype=float) / 100)
        is_all = zone == "全部"
        ax.plot(pd.PeriodIndex(group["month"], freq="M").to_timestamp(), level,
                lw=2.2 if is_all else 0.6, alpha=1 if is_all else 0.35, color="C0" if is_all else None,
                label="全部（全市）" if is_all else None)
    ax.set_ylabel("定基指数（首月 = 100）")
    ax.set_title("交易价格指数（环比链式）")
    ax.legend(fontsize=8)
    return _png(fig)


def _table_html(frame: pd.DataFrame, spec_name: str | None = None, limit: int = 60) -> str:
    if frame is None or frame.empty:
        return "<p>（无）</p>"
    shown = frame.head(limit)
    if spec_name:
        headers = {c.name: c.header for c in SPEC_BY_NAME[spec_name].columns}
        shown = shown.rename(columns=headers)
    note = f"<p class='note'>仅显示前 {limit} 行，共 {len(frame)} 行。</p>" if len(frame) > limit else ""
    return shown.to_html(index=False, border=0, classes="t", float_format=lambda v: f"{v:,.2f}") + note


def _floor_pivot(tables: BaselineTables) -> pd.DataFrame:
    fc = tables["floor_coefficients"]
    if fc.empty:
        return fc
    pivot = fc.pivot_table(index=["elevator_class", "total_floors"], columns="floor", values="percent",
                           aggfunc="first")
    pivot.columns = [f"{c}层" for c in pivot.columns]
    return pivot.reset_index().rename(columns={"elevator_class": "电梯类别", "total_floors": "总层数"})


STRATA_HEADERS = {"n": "样本数", "median_ratio": "中位数比率", "cod": "COD(%)", "prd": "PRD", "prb": "PRB",
                  "ppe10": "PPE10(%)", "mdape": "MdAPE(%)", "judged": "样本≥30", "verdict": "结论"}


def _strata_view(table: pd.DataFrame, label: str) -> pd.DataFrame:
    view = table.copy()
    for column, digits in (("median_ratio", 4), ("prd", 4), ("prb", 4), ("cod", 2), ("ppe10", 1), ("mdape", 2)):
        if column in view:
            view[column] = view[column].map(lambda v, d=digits: _fmt(float(v), d))
    if "judged" in view:
        view["judged"] = view["judged"].map({True: "是", False: "否"})
    first = view.columns[0]
    return view.rename(columns={**STRATA_HEADERS, first: label})


def _fmt(value, digits=4) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    return f"{value:.{digits}f}"


REFUSED_COLUMNS = {"row": "行号", "building_id": "楼幢", "date": "成交日期", "floor_text": "所在楼层", "area": "建筑面积(㎡)",
                   "sale_price": "成交价", "reason": "无法估价的原因"}


def _coverage_html(study: RatioStudy, refused: pd.DataFrame | None) -> str:
    """Every sale accounted for: the counts, the refusals by reason, and the refused sales themselves."""
    c = study.coverage
    if c is None:
        return ""
    rows = [("给定成交（通过规则筛选）", c.given), ("估价", c.priced), ("覆盖率", f"{100 * c.share:.1f}%"),
            ("无法估价", c.n_refused), ("剔除的异常比率（IAAO 附录 B）", c.trimmed), ("纳入统计", study.n)]
    parts = ["<h2>样本去向（覆盖率）</h2><table class='t'>"
             + "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows) + "</table>"]
    if c.screened_out:
        parts.append("<p>规则筛选剔除（不计入覆盖率）：" + "；".join(
            f"{html.escape(k)} {v} 笔" for k, v in c.screened_out.items()) + "</p>")
    if c.refused:
        reasons = pd.DataFrame(sorted(c.refused.items(), key=lambda kv: -kv[1]), columns=["无法估价的原因", "笔数"])
        parts.append("<h3>无法估价的成交：按原因</h3>" + _table_html(reasons))
        if refused is not None and len(refused):
            shown = refused[[k for k in REFUSED_COLUMNS if k in refused]].copy()
            if "date" in shown:
                shown["date"] = pd.to_datetime(shown["date"]).dt.strftime("%Y-%m-%d")
            parts.append("<h3>无法估价的成交：逐笔</h3>" + _table_html(shown.rename(columns=REFUSED_COLUMNS),
                                                                 limit=200))
    return "\n".join(parts)


def render(study: RatioStudy, frame: pd.DataFrame, *, tables: BaselineTables | None = None,
           strata: dict[str, pd.DataFrame] | None = None, title: str = "比率研究报告",
           notes: list[str] | None = None, generated: datetime | None = None,
           refused: pd.DataFrame | None = None) -> str:
    """The whole report as one HTML document (figures, coverage and refusals, plots, strata, coefficient
    tables)."""
    v = study.verdict
    checks = {"median_ratio": "水平（中位数比率）", "cod": "均匀度（COD）", "prd": "垂直公平（PRD）",
              "prb": "垂直公平（PRB）", "coverage": "覆盖率（≥ 95%）"}
    ci = study.ci
    rows = [
        ("样本数 n", str(study.n), ""),
        ("中位数比率", _fmt(study.median_ratio), "95% 区间 " + " – ".join(_fmt(x) for x in ci.get("median_ratio", ()))),
        ("COD（%）", _fmt(study.cod, 2), "95% 区间 " + " – ".join(_fmt(x, 2) for x in ci.get("cod", ()))),
        ("PRD", _fmt(study.prd), "95% 区间 " + " – ".join(_fmt(x) for x in ci.get("prd", ()))),
        ("PRB", _fmt(study.prb), "95% 区间 " + " – ".join(_fmt(x) for x in study.prb_ci)),
        ("KI / MKI", f"{_fmt(study.ki)} / {_fmt(study.mki)}", "卡克瓦尼指数及其修正（Quintos 2020）：KI < 0、MKI < 1 为累退"),
        ("覆盖率", "—" if study.coverage is None else f"{100 * study.coverage.share:.1f}%",
         "" if study.coverage is None else study.coverage.describe()),
        ("PPE5 / PPE10 / PPE20（%）", f"{study.ppe5:.1f} / {study.ppe10:.1f} / {study.ppe20:.1f}", "估价在成交价 ±5%/10%/20% 内的占比"),
        ("MdAPE（%）", _fmt(study.mdape, 2), "绝对百分比误差的中位数"),
    ]
    verdict = {None: "样本不足，不作判断", True: "通过", False: "未通过"}[v.passed]
    parts = [f"<h1>{html.escape(title)}</h1>",
             f"<p class='meta'>生成时间：{(generated or datetime.now(ZoneInfo('Asia/Shanghai'))):%Y-%m-%d %H:%M}；标准：IAAO《比率研究标准》"
             f"（水平 0.90–1.10，COD ≤ {std.COD_MAX['homogeneous']:g}，PRD 0.98–1.03，|PRB| ≤ 0.05，每层至少 "
             f"{std.MIN_STRATUM_SALES} 笔）</p>",
             f"<h2>结论：<span class='{'ok' if v.passed else 'bad'}'>{verdict}</span></h2>",
             "<table class='t'><tr><th>指标</th><th>数值</th><th>说明</th></tr>"
             + "".join(f"<tr><td>{a}</td><td>{b}</td><td>{html.escape(c)}</td></tr>" for a, b, c in rows)
             + "</table>",
             "<ul>" + "".join(f"<li>{checks[k]}：{html.escape(s)}</li>" for k, s in v.checks.items()) + "</ul>"]
    warnings = list(v.warnings) + list(notes or [])
    if warnings:
        parts.append("<div class='warn'><b>提示</b><ul>" + "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
                     + "</ul></div>")
    coverage = _coverage_html(study, refused)
    if coverage:
        parts.append(coverage)
    parts.append(f"<h2>比率与成交价</h2><img src='{ratio_vs_price(frame)}'>")
    if "zone_code" in frame and frame["zone_code"].notna().any():
        parts.append(f"<h2>各分区比率</h2><img src='{ratio_by_zone(frame)}'>")
    for name, table in (strata or {}).items():
        parts.append(f"<h2>分层：{html.escape(name)}</h2>" + _table_html(_strata_view(table, name), limit=200))
    if tables is not None:
        curve = index_curve(tables)
        if curve:
            parts.append(f"<h2>价格指数</h2><img src='{curve}'>")
        parts.append("<h2>系数表</h2><h3>楼层系数（%）</h3>" + _table_html(_floor_pivot(tables), limit=80))
        parts.append("<h3>朝向系数（%）</h3>" + _table_html(tables["other_factors"], "other_factors"))
        parts.append("<h3>面积修正（%）</h3>" + _table_html(tables["area_bands"], "area_bands"))
        parts.append("<h3>成新修正（%）</h3>" + _table_html(tables["age_bands"], "age_bands"))
    style = ("body{font-family:'Noto Sans CJK SC','Noto Sans CJK',sans-serif;max-width:960px;margin:24px auto;"
             "color:#222}table.t{border-collapse:collapse;font-size:12px;margin:8px 0}table.t td,table.t th"
             "{border:1px solid #bbb;padding:2px 6px;text-align:right}h1{font-size:22px}h2{font-size:17px;"
             "margin-top:22px}.ok{color:#1a7f37}.bad{color:#b42318}.warn{background:#fff6e0;padding:6px 12px;"
             "border:1px solid #e8c46a}.meta,.note{color:#666;font-size:12px}img{max-width:100%}"
             "@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}img,table{page-break-inside:"
             "avoid}}")
    return ("<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{style}</style></head><body>"
            + "\n".join(parts) + "</body></html>")
