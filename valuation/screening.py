"""Sales screening (样本筛选): which sales may calibrate the tables, with a recorded reason for each one left out.

Checks, in order (the first that applies is the reason recorded):

1. price or area not positive, an implausible area, or a unit price far from its zone's median
   (limits in :data:`LIMITS`);
2. dated after the as-of date (估价基准日), or before the sampling window;
3. a floor above the building's total floors as registered (not above a total inferred from sales);
4. an exact duplicate of an earlier record (same building, floor, area, price and date);
5. back-to-back resales: the same unit sold twice within :data:`LIMITS` ``back_to_back_days`` (both
   sales leave the sample: the first may be distressed, the second a flip); the same unit means the same
   ``unit_id``, or the same building, exact floor and area when there is no unit number (floor bands such
   as HDB's "07 TO 09" cannot identify a unit, so they are not matched);
6. non-arm's-length hints: an ``arms_length`` flag of False, or remarks such as 亲友、特殊关系 (the words
   are in :data:`NON_ARMS_LENGTH_WORDS`);
7. statistical outliers: the ratio of a first-pass model's value to the price beyond the quartiles
   ± 3 × IQR (IAAO Standard on Ratio Studies, Appendix B; :mod:`valuation.iaao_standard`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from valuation import iaao_standard as std
from valuation.ratio_study import outlier_bounds

LIMITS = {
    "area_min": 5.0,  # ㎡: below this a "unit" is a storage room or a typing error
    "area_max": 2000.0,
    "unit_price_factor": 4.0,  # unit price below 1/4 or above 4 × the zone's median
    "back_to_back_days": 180,
}
NON_ARMS_LENGTH_WORDS = ("亲友", "亲属", "特殊关系", "关联", "抵债", "赠与", "继承", "离婚", "司法拍卖", "法拍",
                         "内部", "股东", "员工", "拆迁", "分割",
                         # traditional forms, and the special-sale notes of Taiwan's 實價登錄 (備註): a price that
                         # also buys unregistered extensions, land and building registered apart, a government
                         # purchase, a superstition discount (民情風俗), a rushed sale, a defect
                         "親友", "親屬", "特殊關係", "關聯", "抵債", "贈與", "繼承", "離婚", "司法拍賣", "股東", "員工",
                         "拆遷", "增建", "未登記建物", "分次登記", "政府機關", "民情風俗", "急買急賣", "瑕疵",
                         "債權債務", "公共設施保留地")
REASONS = {
    "price_not_positive": "成交价不为正数",
    "area_not_positive": "建筑面积不为正数",
    "area_implausible": f"建筑面积不在 {LIMITS['area_min']:g}–{LIMITS['area_max']:g} ㎡ 的合理范围",
    "unit_price_implausible": f"单价偏离所在分区中位数超过 {LIMITS['unit_price_factor']:g} 倍",
    "after_as_of": "成交日期晚于估价基准日",
    "before_window": "成交日期早于取样窗口",
    "floor_above_total": "所在楼层高于总层数",
    "duplicate": "与前面的成交记录完全重复",
    "back_to_back": f"同一套房 {LIMITS['back_to_back_days']} 天内两次成交（短期转手）",
    "non_arms_length": "非正常交易迹象",
    "outlier": "与首轮模型估价之比超出四分位数 ±3×IQR（IAAO 附录 B）",
}


@dataclass
class Screening:
    sales: pd.DataFrame  # every sale, with ``excluded``, ``reason_code`` and ``reason``
    outlier_fences: tuple[float, float] | None = None

    @property
    def kept(self) -> pd.DataFrame:
        return self.sales[~self.sales["excluded"]].drop(columns=["excluded", "reason_code", "reason"]).reset_index(
            drop=True)

    @property
    def excluded(self) -> pd.DataFrame:
        return self.sales[self.sales["excluded"]].reset_index(drop=True)

    def summary(self) -> dict:
        counts = self.sales.loc[self.sales["excluded"], "reason_code"].value_counts()
        return {"n": int(len(self.sales)), "kept": int((~self.sales["excluded"]).sum()),
                "excluded": {REASONS[k]: int(v) for k, v in counts.items()},
                "outlier_fences": list(self.outlier_fences) if self.outlier_fences else None}


def _remark_hint(remarks: pd.Series) -> pd.Series:
    pattern = re.compile("|".join(NON_ARMS_LENGTH_WORDS))
    text = remarks.fillna("").astype(str)
    return text.map(lambda t: (m.group(0) if (m := pattern.search(t)) else ""))


def screen(sales: pd.DataFrame, *, as_of: date | None = None, window_start: date | None = None,
           register: pd.DataFrame | None = None, outliers: bool = True, calibration_config=None) -> Screening:
    """Screen canonical sales (see :mod:`valuation.transactions`); nothing is dropped, only marked."""
    s = sales.reset_index(drop=True).copy()
    for optional in ("unit_id", "remarks", "arms_length", "zone_code", "floor_text", "row"):
        if optional not in s.columns:
            s[optional] = None if optional != "row" else np.arange(len(s)) + 2
    n = len(s)
    code = np.full(n, "", dtype=object)
    detail = np.full(n, "", dtype=object)

    def mark(mask, reason_code: str, extra=None) -> None:
        mask = np.asarray(mask, dtype=bool) & (code == "")
        code[mask] = reason_code
        if extra is not None:
            detail[mask] = np.asarray(extra, dtype=object)[mask]

    price = s["price"].to_numpy(dtype=float)
    area = s["area"].to_numpy(dtype=float)
    mark(~(price > 0), "price_not_positive")
    mark(~(area > 0), "area_not_positive")
    mark((area < LIMITS["area_min"]) | (area > LIMITS["area_max"]), "area_implausible")
    unit = np.where((price > 0) & (area > 0), price / np.where(area > 0, area, 1), np.nan)
    zone = s["zone_code"].fillna("") if "zone_code" in s else pd.Series("", index=s.index)
    median = pd.Series(unit).groupby(zone.to_numpy()).transform("median").to_numpy()
    factor = LIMITS["unit_price_factor"]
    mark((unit < median / factor) | (unit > median * factor), "unit_price_implausible")
    day = pd.to_datetime(s["date"]).dt.date
    if as_of is not None:
        mark((day > as_of).to_numpy(), "after_as_of")
    if window_start is not None:
        mark((day < window_start).to_numpy(), "before_window")
    if register is not None:
        # an inferred total (总层数来源 推断) is the highest floor seen so far: a lower bound, never a reason
        registered = register
        if "total_floors_source" in register:
            registered = register[register["total_floors_source"].fillna("登记") != "推断"]
        total = s["building_id"].map(dict(zip(registered["building_id"], registered["total_floors"], strict=True)))
        mark((s["floor_high"].astype(float) > total.astype(float)).to_numpy(), "floor_above_total")
    dup_keys = ["building_id", "floor_text", "area", "price", "date"]
    first_row = s.groupby(dup_keys, dropna=False)["row"].transform("first")
    mark(s.duplicated(dup_keys, keep="first").to_numpy(), "duplicate",
         ("与第 " + first_row.astype(str) + " 行相同").to_numpy())

    exact = (s["floor_low"] == s["floor_high"]).fillna(False).to_numpy(dtype=bool)
    has_unit = s["unit_id"].notna().to_numpy() if "unit_id" in s else np.zeros(n, dtype=bool)
    unit_key = np.where(has_unit, "U|" + s["building_id"].astype(str) + "|" + s["unit_id"].astype(str),
                        "F|" + s["building_id"].astype(str) + "|" + s["floor_low"].astype(str) + "|"
                        + s["area"].round(2).astype(str))
    eligible = (has_unit | exact) & (code == "")
    if eligible.any():
        sub = pd.DataFrame({"key": unit_key[eligible], "date": pd.to_datetime(s["date"])[eligible].to_numpy(),
                            "i": np.flatnonzero(eligible)}).sort_values(["key", "date"])
        gap = sub.groupby("key")["date"].diff().dt.days
        close = (gap <= LIMITS["back_to_back_days"]).to_numpy()
        later = sub["i"].to_numpy()[close]
        earlier = sub["i"].to_numpy()[np.flatnonzero(close) - 1] if close.any() else np.array([], dtype=int)
        flip = np.zeros(n, dtype=bool)
        flip[later] = True
        flip[earlier] = True
        mark(flip, "back_to_back")

    hint = _remark_hint(s["remarks"]) if "remarks" in s else pd.Series("", index=s.index)
    flag_false = s["arms_length"].map(lambda v: v is False or v is np.False_).to_numpy(dtype=bool) \
        if "arms_length" in s else np.zeros(n, dtype=bool)
    extra = np.where(hint != "", "备注含“" + hint + "”", np.where(flag_false, "标记为非正常交易", ""))
    mark(flag_false | (hint != "").to_numpy(), "non_arms_length", extra)

    fences = None
    if outliers and (code == "").sum() >= 30:
        from valuation.calibration import first_pass_values

        keep = code == ""
        value = first_pass_values(s[keep], register=register, config=calibration_config)
        ratio = value / price[keep]
        fences = outlier_bounds(ratio, std.OUTLIER_IQR_MULTIPLIER)
        out = np.zeros(n, dtype=bool)
        out_idx = np.flatnonzero(keep)[(ratio < fences[0]) | (ratio > fences[1])]
        out[out_idx] = True
        ratio_full = np.full(n, np.nan)
        ratio_full[keep] = ratio
        mark(out, "outlier", np.array([f"比率 {r:.3f}" if np.isfinite(r) else "" for r in ratio_full], dtype=object))

    s["excluded"] = code != ""
    s["reason_code"] = code
    s["reason"] = [(REASONS[c] + (f"（{d}）" if d else "")) if c else "" for c, d in zip(code, detail, strict=True)]
    return Screening(sales=s, outlier_fences=fences)
