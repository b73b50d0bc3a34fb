"""The price-history chart of a vehicle quote (历史价格曲线), drawn by matplotlib as a PNG from the quote's ledger
entry: on the left the value of this series at this age in each month of the table's price index, on the
right the value by age (depreciation) with the series' records and the vehicle itself. Served by the app and
embedded in the PDF (no CDN, no script: the CSP forbids both). Matplotlib's object API (no pyplot state), so
requests in several threads each draw their own figure."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

CJK_FONTS = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
             Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"))
RED, GREY, BLUE = "#8f1d21", "#9a9a9a", "#1f4e79"


def _font_family() -> str | None:
    for path in CJK_FONTS:
        if path.exists():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    return None


_FAMILY = _font_family()


def curve_png(result: dict, *, width: float = 9.0, height: float = 3.6, dpi: int = 120) -> bytes:
    """The chart of one quote's ``result`` (as recorded in the ledger) as PNG bytes."""
    curve = result.get("curve") or {}
    history, by_age, observed = curve.get("history", []), curve.get("by_age", []), curve.get("observed", [])
    style = {"axes.unicode_minus": False, "font.size": 9}
    if _FAMILY:
        style["font.family"] = _FAMILY
    with matplotlib.rc_context(style):
        figure = Figure(figsize=(width, height), dpi=dpi)
        FigureCanvasAgg(figure)
        left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        if history:
            months = [h["month"] for h in history]
            values = [h["value"] / 10000 for h in history]
            left.plot(range(len(months)), values, color=RED, marker="o", markersize=3, linewidth=1.6)
            step = max(1, len(months) // 6)
            ticks = list(range(0, len(months), step))
            left.set_xticks(ticks, [months[i] for i in ticks], rotation=30, ha="right")
            left.annotate(f"{values[-1]:.2f} 万元", (len(months) - 1, values[-1]), textcoords="offset points",
                          xytext=(-8, 12), ha="right", color=RED,
                          bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85})
        else:
            left.text(0.5, 0.5, "车辆表没有价格指数", ha="center", va="center", transform=left.transAxes)
        left.set_title(f"历史价格曲线：{result.get('series_name', '')}，车龄 {result.get('age_months', 0)} 个月")
        left.set_ylabel("价值（万元）")
        left.grid(alpha=0.3)
        if observed:
            right.scatter([o["age_years"] for o in observed], [o["price"] / 10000 for o in observed], s=8,
                          color=GREY, alpha=0.6, label=f"同车系记录（{curve.get('observed_total', len(observed))} 条）")
        if by_age:
            right.plot([a["age_years"] for a in by_age], [a["value"] / 10000 for a in by_age], color=BLUE,
                       linewidth=1.6, label="按车龄折旧（本车里程强度）")
        value = float(result.get("value") or 0) / 10000
        right.scatter([result.get("age_months", 0) / 12], [value], marker="*", s=140, color=RED, zorder=5,
                      label=f"本车 {value:.2f} 万元")
        right.set_title("按车龄的折旧曲线")
        right.set_xlabel("车龄（年）")
        right.set_ylabel("价值（万元）")
        right.grid(alpha=0.3)
        right.legend(fontsize=7.5, loc="upper right")
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
    return out.getvalue()
