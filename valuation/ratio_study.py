"""The ratio study (比率研究): how well estimates match sale prices, by the IAAO Standard on Ratio Studies.

ratio = estimate / sale price. One small function per statistic, each with its formula (the worked examples
of the Standard, ../shared/data/iaao/, pin them in the tests); :func:`ratio_study` gathers them with
bootstrap confidence intervals and the IAAO verdict (thresholds in :mod:`valuation.iaao_standard`);
:func:`stratified` repeats it by stratum (zone, house type, value decile) with the 30-sale minimum.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from valuation import iaao_standard as std


class RatioStudyError(ValueError):
    """The inputs cannot form a ratio study (empty, non-positive or unequal lengths)."""


def _arrays(estimate, sale_price) -> tuple[np.ndarray, np.ndarray]:
    e = np.asarray(estimate, dtype=float).ravel()
    s = np.asarray(sale_price, dtype=float).ravel()
    if e.shape != s.shape:
        raise RatioStudyError(f"估价与成交价的个数不一致（{e.size} 与 {s.size}）")
    if e.size == 0:
        raise RatioStudyError("没有可用于比率研究的成交样本")
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(s))) or np.any(s <= 0) or np.any(e <= 0):
        raise RatioStudyError("估价与成交价必须为正数")
    return e, s


def ratios(estimate, sale_price) -> np.ndarray:
    """r = estimate / sale price."""
    e, s = _arrays(estimate, sale_price)
    return e / s


def median_ratio(estimate, sale_price) -> float:
    """Level (水平): the median of the ratios."""
    return float(np.median(ratios(estimate, sale_price)))


def cod(estimate, sale_price) -> float:
    """Coefficient of dispersion (离散系数), percent: COD = 100 · mean(|r − median(r)|) / median(r)."""
    r = ratios(estimate, sale_price)
    m = np.median(r)
    return float(100.0 * np.mean(np.abs(r - m)) / m)


def prd(estimate, sale_price) -> float:
    """Price-related differential: PRD = mean(r) / (Σ estimate / Σ sale price). Above 1: regressive."""
    e, s = _arrays(estimate, sale_price)
    return float(np.mean(e / s) / (e.sum() / s.sum()))


def prb(estimate, sale_price) -> tuple[float, tuple[float, float]]:
    """Price-related bias and its 95% confidence interval.

    PRB is the OLS slope b of (r − median(r)) / median(r) = a + b · log2(V), with the value proxy
    V = 0.5 · sale price + 0.5 · estimate / median(r) (IAAO Standard on Ratio Studies, Appendix B):
    the percentage change of the ratio when value doubles.
    """
    e, s = _arrays(estimate, sale_price)
    r = e / s
    m = np.median(r)
    y = (r - m) / m
    x = np.log2(0.5 * s + 0.5 * e / m)
    n = x.size
    xc = x - x.mean()
    sxx = float(xc @ xc)
    if n < 3 or sxx == 0:
        return float("nan"), (float("nan"), float("nan"))
    b = float(xc @ (y - y.mean()) / sxx)
    resid = y - y.mean() - b * xc
    se = float(np.sqrt(resid @ resid / (n - 2) / sxx))
    from scipy import stats

    t = float(stats.t.ppf(0.975, n - 2))
    return b, (b - t * se, b + t * se)


def ppe(estimate, sale_price, within: float) -> float:
    """Percentage of estimates within ``within`` (0.10 = 10%) of the sale price, percent."""
    e, s = _arrays(estimate, sale_price)
    return float(100.0 * np.mean(np.abs(e / s - 1.0) <= within + 1e-12))


def mdape(estimate, sale_price) -> float:
    """Median absolute percentage error, percent: median(|estimate − sale price| / sale price) · 100."""
    e, s = _arrays(estimate, sale_price)
    return float(100.0 * np.median(np.abs(e - s) / s))


def _bootstrap(e: np.ndarray, s: np.ndarray, draws: int, seed: int, chunk: int = 100) -> dict[str, tuple]:
    """Percentile 95% intervals of median ratio, COD and PRD from ``draws`` resamples of the sales."""
    rng = np.random.default_rng(seed)
    n = e.size
    meds, cods, prds = [], [], []
    done = 0
    while done < draws:
        k = min(chunk, draws - done)
        idx = rng.integers(0, n, size=(k, n))
        ee, ss = e[idx], s[idx]
        r = ee / ss
        m = np.median(r, axis=1)
        meds.append(m)
        cods.append(100.0 * np.mean(np.abs(r - m[:, None]), axis=1) / m)
        prds.append(r.mean(axis=1) / (ee.sum(axis=1) / ss.sum(axis=1)))
        done += k
    out = {}
    for name, values in (("median_ratio", meds), ("cod", cods), ("prd", prds)):
        v = np.concatenate(values)
        out[name] = (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5)))
    return out


@dataclass
class Verdict:
    """IAAO pass/fail of one study; ``passed`` is None when the sample is too small to judge."""

    passed: bool | None
    checks: dict[str, str]  # statistic -> 合格 / 不合格 / 警告 / 样本不足
    warnings: list[str] = field(default_factory=list)


@dataclass
class RatioStudy:
    n: int
    median_ratio: float
    mean_ratio: float
    weighted_mean_ratio: float
    cod: float
    prd: float
    prb: float
    prb_ci: tuple[float, float]
    ppe5: float
    ppe10: float
    ppe20: float
    mdape: float
    ci: dict[str, tuple[float, float]]
    verdict: Verdict

    def to_dict(self) -> dict:
        d = asdict(self)
        d["prb_ci"] = list(self.prb_ci)
        d["ci"] = {k: list(v) for k, v in self.ci.items()}
        return d


def judge(median: float, cod_value: float, prd_value: float, prb_value: float,
          prb_interval: tuple[float, float], n: int, *, property_class: str = "homogeneous") -> Verdict:
    """IAAO acceptance (RULES.md section 9; thresholds in :mod:`valuation.iaao_standard`)."""
    if n < std.MIN_STRATUM_SALES:
        return Verdict(None, {k: "样本不足" for k in ("median_ratio", "cod", "prd", "prb")},
                       [f"样本仅 {n} 笔，少于 {std.MIN_STRATUM_SALES} 笔，不作判断"])
    lo, hi = std.MEDIAN_RATIO_RANGE
    checks = {"median_ratio": "合格" if lo <= median <= hi else "不合格",
              "cod": "合格" if cod_value <= std.COD_MAX[property_class] else "不合格",
              "prd": "合格" if std.PRD_RANGE[0] <= prd_value <= std.PRD_RANGE[1] else "不合格"}
    warnings = []
    if abs(prb_value) <= std.PRB_LIMIT:
        checks["prb"] = "合格"
    elif prb_interval[0] > std.PRB_UNACCEPTABLE or prb_interval[1] < -std.PRB_UNACCEPTABLE:
        checks["prb"] = "不合格"
    else:
        checks["prb"] = "警告"
        warnings.append(f"PRB {prb_value:.4f} 超出 ±{std.PRB_LIMIT}，但其 95% 置信区间未完全落在 "
                        f"±{std.PRB_UNACCEPTABLE} 之外")
    if cod_value < std.COD_SUSPICIOUSLY_LOW:
        warnings.append(f"COD {cod_value:.2f} 低于 {std.COD_SUSPICIOUSLY_LOW:g}：可能存在追逐成交价"
                        "（sales chasing）或样本不具代表性，请以样本外检验复核")
    passed = all(v != "不合格" for v in checks.values())
    return Verdict(passed, checks, warnings)


def ratio_study(estimate, sale_price, *, bootstrap: int = 500, seed: int = 0,
                property_class: str = "homogeneous") -> RatioStudy:
    """Every statistic of RULES.md section 9 for one sample, with bootstrap 95% intervals and the verdict."""
    e, s = _arrays(estimate, sale_price)
    r = e / s
    m = float(np.median(r))
    cod_value = float(100.0 * np.mean(np.abs(r - m)) / m)
    prd_value = float(np.mean(r) / (e.sum() / s.sum()))
    prb_value, prb_interval = prb(e, s)
    ci = _bootstrap(e, s, bootstrap, seed) if bootstrap and e.size > 1 else {}
    five, ten, twenty = (ppe(e, s, t) for t in std.PPE_THRESHOLDS)
    return RatioStudy(
        n=int(e.size), median_ratio=m, mean_ratio=float(r.mean()), weighted_mean_ratio=float(e.sum() / s.sum()),
        cod=cod_value, prd=prd_value, prb=prb_value, prb_ci=prb_interval, ppe5=five, ppe10=ten, ppe20=twenty,
        mdape=mdape(e, s), ci=ci,
        verdict=judge(m, cod_value, prd_value, prb_value, prb_interval, int(e.size), property_class=property_class),
    )


def value_deciles(sale_price) -> pd.Series:
    """Value decile (价格十分位, 1-10) of each sale by its sale price."""
    s = pd.Series(np.asarray(sale_price, dtype=float))
    return pd.Series(pd.qcut(s.rank(method="first"), 10, labels=False) + 1, index=s.index)


def stratified(frame: pd.DataFrame, by: str, *, estimate: str = "estimate", sale_price: str = "sale_price",
               bootstrap: int = 0, seed: int = 0, property_class: str = "homogeneous") -> pd.DataFrame:
    """One row per stratum of ``frame[by]``: n and the statistics; strata under 30 sales are not judged."""
    rows = []
    for key, group in frame.groupby(by, sort=True, observed=True):
        study = ratio_study(group[estimate], group[sale_price], bootstrap=bootstrap, seed=seed,
                            property_class=property_class)
        rows.append({by: key, "n": study.n, "median_ratio": study.median_ratio, "cod": study.cod,
                     "prd": study.prd, "prb": study.prb, "ppe10": study.ppe10, "mdape": study.mdape,
                     "judged": study.n >= std.MIN_STRATUM_SALES,
                     "verdict": {None: "样本不足", True: "合格", False: "不合格"}[study.verdict.passed]})
    return pd.DataFrame(rows)


def sales_chasing_warning(in_sample_cod: float, out_of_sample_cod: float) -> str | None:
    """A warning when the in-sample COD is suspiciously low against the out-of-sample one.

    Fires when in-sample COD < ``SALES_CHASING_RATIO`` × out-of-sample COD (project rule, see
    :mod:`valuation.iaao_standard`): estimates fitted to the very sales they are judged on.
    """
    if out_of_sample_cod > 0 and in_sample_cod < std.SALES_CHASING_RATIO * out_of_sample_cod:
        return (f"样本内 COD {in_sample_cod:.2f} 明显低于样本外 COD {out_of_sample_cod:.2f}"
                f"（低于其 {std.SALES_CHASING_RATIO:.0%}）：模型可能在追逐成交价（sales chasing），"
                "应以样本外结果为准")
    return None


def outlier_bounds(values, multiplier: float = std.OUTLIER_IQR_MULTIPLIER) -> tuple[float, float]:
    """IAAO Appendix B fences: [Q1 − k·IQR, Q3 + k·IQR] with k = 3 for extreme outliers."""
    v = np.asarray(values, dtype=float)
    q1, q3 = np.percentile(v, [25, 75])
    iqr = q3 - q1
    return float(q1 - multiplier * iqr), float(q3 + multiplier * iqr)
