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
from threadpoolctl import threadpool_limits

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


def _gini_sorted(values: np.ndarray) -> float:
    """Gini (or concentration) coefficient of ``values`` in the order given: Σ(2i − n − 1)·v_i / (n · Σv)."""
    n = values.size
    i = np.arange(1, n + 1)
    return float(np.sum((2 * i - n - 1) * values) / (n * values.sum()))


def _by_sale_price(estimate, sale_price) -> tuple[np.ndarray, np.ndarray]:
    e, s = _arrays(estimate, sale_price)
    order = np.argsort(s, kind="stable")  # by sale price, ties in the given order (as assesspy sorts)
    return e[order], s[order]


def ki(estimate, sale_price) -> float:
    """Kakwani index: KI = C(estimate) − G(sale price), both ordered by sale price.

    G is the Gini coefficient of the sale prices, C the concentration coefficient of the estimates in the
    same order (Quintos 2020, "A Gini measure for vertical equity in property assessments", JPTAA 17(2),
    as the IAAO's assessment-equity literature and Cook County's assesspy define it). KI < 0: regressive
    (estimates less unequal than prices, the cheap overvalued); KI > 0: progressive; 0: vertical equity.
    """
    e, s = _by_sale_price(estimate, sale_price)
    return _gini_sorted(e) - _gini_sorted(s)


def mki(estimate, sale_price) -> float:
    """Modified Kakwani index: MKI = C(estimate) / G(sale price) (same sources as :func:`ki`). Below 1:
    regressive, above 1: progressive; 1: vertical equity (IAAO-aligned range 0.95-1.05 in the literature)."""
    e, s = _by_sale_price(estimate, sale_price)
    g = _gini_sorted(s)
    return _gini_sorted(e) / g if g else float("nan")


def ppe(estimate, sale_price, within: float) -> float:
    """Percentage of estimates within ``within`` (0.10 = 10%) of the sale price, percent."""
    e, s = _arrays(estimate, sale_price)
    return float(100.0 * np.mean(np.abs(e / s - 1.0) <= within + 1e-12))


def mdape(estimate, sale_price) -> float:
    """Median absolute percentage error, percent: median(|estimate − sale price| / sale price) · 100."""
    e, s = _arrays(estimate, sale_price)
    return float(100.0 * np.median(np.abs(e - s) / s))


BOOTSTRAP_BYTES = 256 * 2 ** 20  # working memory of the bootstrap: resamples are drawn this many bytes at a time


def _bootstrap(e: np.ndarray, s: np.ndarray, draws: int, seed: int,
               memory: int = BOOTSTRAP_BYTES) -> dict[str, tuple]:
    """Percentile 95% intervals of median ratio, COD and PRD from ``draws`` resamples of the sales.

    A resample is reduced to how many times it draws each sale (a multinomial count vector), and its statistics
    come from sums over the sales sorted once by ratio, weighted by those counts: the median is where the
    cumulated counts pass the middle, COD and PRD are weighted sums. No resampled copy of the prices and
    estimates is made and nothing is sorted per resample; the positions drawn are those the generator draws for
    resampling the arrays themselves (``rng.integers(0, n, (k, n))``), so the resamples, and their medians, are
    the same, and COD and PRD differ from computing them on the resampled arrays only by the order of floating
    additions (pinned by tests/unit/test_valuation_bootstrap.py). The resamples are drawn a few at a time, as many
    as fit in ``memory`` bytes (about 48 bytes a sale and resample: the positions, the counts, their running sum
    and the deviations), at least one: 5 million sales take some 240 MB whatever ``draws`` is. The intervals do
    not depend on ``memory``: the generator gives the same positions drawn k resamples at a time as all at once.
    """
    rng = np.random.default_rng(seed)
    n = e.size
    chunk = max(1, min(draws, memory // (48 * max(n, 1))))
    r = e / s
    order = np.argsort(r, kind="stable")
    r_sorted, e_sorted, s_sorted = r[order], e[order], s[order]
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    del r, order
    lower, upper = (n - 1) // 2, n // 2  # the middle sale(s) of a resample of n sales
    meds, cods, prds = (np.empty(draws) for _ in range(3))
    for done in range(0, draws, chunk):
        k = min(chunk, draws - done)
        idx = rng.integers(0, n, size=(k, n))
        np.take(rank, idx, out=idx)
        idx += (np.arange(k, dtype=np.int64) * n)[:, None]
        counts = np.bincount(idx.ravel(), minlength=k * n).reshape(k, n)
        del idx
        running = np.cumsum(counts, axis=1)
        m = np.array([(r_sorted[np.searchsorted(row, lower, side="right")]
                       + r_sorted[np.searchsorted(row, upper, side="right")]) / 2 for row in running])
        del running
        meds[done:done + k] = m
        # one resample at a time: the same sums whatever the chunk (no blocked products); one BLAS thread, since
        # threads of these memory-bound dot products only thrash (seen 13x slower on a busy machine)
        with threadpool_limits(limits=1, user_api="blas"):
            for j in range(k):
                weight = counts[j].astype(float)
                prds[done + j] = (np.dot(weight, r_sorted) / n) / (np.dot(weight, e_sorted)
                                                                   / np.dot(weight, s_sorted))
                cods[done + j] = 100.0 * np.dot(weight, np.abs(r_sorted - m[j])) / n / m[j]
        del counts
    out = {}
    for name, values in (("median_ratio", meds), ("cod", cods), ("prd", prds)):
        out[name] = (float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5)))
    return out


@dataclass
class Coverage:
    """Every sale a study was given, accounted for (覆盖率): priced, refused (by reason), trimmed.

    ``given`` counts the sales that passed the rule screening (screened-out sales, e.g. non-arm's-length,
    are listed in ``screened_out`` and are no failure of the tables); ``refused`` the sales the tables
    could not price, by the engine's reason; ``trimmed`` the priced sales left out as ratio outliers (IAAO
    Appendix B). coverage = priced / given; under :data:`valuation.iaao_standard.MIN_COVERAGE` a study does
    not pass, whatever its COD: statistics on part of the sample say nothing of the rest.
    """

    given: int
    priced: int
    refused: dict[str, int] = field(default_factory=dict)
    trimmed: int = 0
    screened_out: dict[str, int] = field(default_factory=dict)

    @property
    def share(self) -> float:
        return self.priced / self.given if self.given else 0.0

    @property
    def n_refused(self) -> int:
        return int(sum(self.refused.values()))

    def to_dict(self) -> dict:
        return {"given": self.given, "priced": self.priced, "coverage": self.share, "refused": self.n_refused,
                "refused_by_reason": dict(self.refused), "trimmed": self.trimmed,
                "screened_out": dict(self.screened_out)}

    def describe(self) -> str:
        """One Chinese line: given, priced (coverage), refused by reason, trimmed."""
        reasons = "；".join(f"{k} {v} 笔" for k, v in sorted(self.refused.items(), key=lambda kv: -kv[1]))
        text = f"给定 {self.given} 笔，估价 {self.priced} 笔（覆盖率 {100 * self.share:.1f}%）"
        text += f"，无法估价 {self.n_refused} 笔（{reasons}）" if self.refused else "，无法估价 0 笔"
        return text + f"，剔除异常比率 {self.trimmed} 笔"


def coverage_of(status: pd.Series, reason: pd.Series, *, trimmed: int = 0,
                screened_out: dict[str, int] | None = None) -> Coverage:
    """A :class:`Coverage` from the engine's per-sale ``status`` (ok / refused) and ``reason``."""
    ok = np.asarray(status) == "ok"
    refused = pd.Series(np.asarray(reason, dtype=object)[~ok]).value_counts()
    return Coverage(given=int(ok.size), priced=int(ok.sum()), refused={str(k): int(v) for k, v in refused.items()},
                    trimmed=trimmed, screened_out=dict(screened_out or {}))


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
    ki: float = float("nan")
    mki: float = float("nan")
    coverage: Coverage | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["prb_ci"] = list(self.prb_ci)
        d["ci"] = {k: list(v) for k, v in self.ci.items()}
        d["coverage"] = self.coverage.to_dict() if self.coverage is not None else None
        return d


def coverage_check(coverage: Coverage | None) -> tuple[str | None, str | None]:
    """(合格 / 不合格, the reason) of a study's coverage; (None, None) when no coverage was given.

    Project rule (:data:`valuation.iaao_standard.MIN_COVERAGE`): a study that could price fewer than 95% of
    the sales it was given does not pass.
    """
    if coverage is None:
        return None, None
    if coverage.given and coverage.share >= std.MIN_COVERAGE:
        return "合格", None
    return "不合格", (f"覆盖率 {100 * coverage.share:.1f}%（{coverage.priced}/{coverage.given}）低于 "
                     f"{100 * std.MIN_COVERAGE:.0f}%：{coverage.n_refused} 笔成交无法估价，其余成交的统计不能代表全部样本")


def judge(median: float, cod_value: float, prd_value: float, prb_value: float,
          prb_interval: tuple[float, float], n: int, *, property_class: str = "homogeneous",
          coverage: Coverage | None = None) -> Verdict:
    """IAAO acceptance (RULES.md section 9; thresholds in :mod:`valuation.iaao_standard`), and the coverage
    rule (:func:`coverage_check`): under 95% coverage the verdict is 不合格 with its reason."""
    covered, reason = coverage_check(coverage)
    if n < std.MIN_STRATUM_SALES:
        checks = {k: "样本不足" for k in ("median_ratio", "cod", "prd", "prb")}
        warnings = [f"样本仅 {n} 笔，少于 {std.MIN_STRATUM_SALES} 笔，不作判断"]
        if covered == "不合格":
            checks["coverage"] = covered
            return Verdict(False, checks, [reason, *warnings])
        return Verdict(None, checks, warnings)
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
    if covered is not None:
        checks["coverage"] = covered
        if reason:
            warnings.insert(0, reason)
    passed = all(v != "不合格" for v in checks.values())
    return Verdict(passed, checks, warnings)


def ratio_study(estimate, sale_price, *, bootstrap: int = 500, seed: int = 0,
                property_class: str = "homogeneous", coverage: Coverage | None = None) -> RatioStudy:
    """Every statistic of RULES.md section 9 for one sample, with bootstrap 95% intervals and the verdict
    (which also judges ``coverage`` when given)."""
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
        mdape=mdape(e, s), ci=ci, ki=ki(e, s), mki=mki(e, s), coverage=coverage,
        verdict=judge(m, cod_value, prd_value, prb_value, prb_interval, int(e.size), property_class=property_class,
                      coverage=coverage),
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


@dataclass
class SalesChasingTest:
    """Sold against unsold parcels (IAAO Standard on Ratio Studies, Appendix E): value changes compared."""

    n_sold: int
    n_unsold: int
    median_sold: float
    median_unsold: float
    ks_statistic: float
    ks_p: float
    mann_whitney_p: float
    flagged: bool
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


def sales_chasing_test(sold_ratio, unsold_ratio, *, alpha: float = std.SALES_CHASING_P) -> SalesChasingTest:
    """Do the sold parcels' ratios come from another distribution than the unsold parcels'?

    IAAO Standard on Ratio Studies (2013), Appendix E (sales chasing detection): when values of sold parcels
    were moved towards their sale prices, their value changes (new value / prior value, the "ratio" of a
    parcel without a sale price) differ from those of unsold parcels of the same stock. Two-sample
    Kolmogorov–Smirnov test of the distributions and Mann–Whitney U test of their location (SciPy);
    flagged when either p-value is below ``alpha``. Needs at least 5 parcels on each side.
    """
    from scipy import stats

    a = np.asarray(sold_ratio, dtype=float)
    b = np.asarray(unsold_ratio, dtype=float)
    a, b = a[np.isfinite(a) & (a > 0)], b[np.isfinite(b) & (b > 0)]
    if a.size < 5 or b.size < 5:
        raise RatioStudyError(f"售出与未售出的宗地各需至少 5 个（现为 {a.size} 与 {b.size}），无法检验追逐成交价")
    ks = stats.ks_2samp(a, b)
    mw = stats.mannwhitneyu(a, b, alternative="two-sided")
    flagged = bool(ks.pvalue < alpha or mw.pvalue < alpha)
    med_a, med_b = float(np.median(a)), float(np.median(b))
    message = (f"售出宗地（{a.size} 个）的价值变动中位数 {med_a:.4f}，未售出宗地（{b.size} 个）{med_b:.4f}；"
               f"KS 检验 p = {ks.pvalue:.4f}，Mann–Whitney 检验 p = {mw.pvalue:.4f}：")
    message += ("两者分布显著不同，可能存在追逐成交价（sales chasing），应复核售出宗地的估价" if flagged
                else "两者分布无显著差异，未见追逐成交价的迹象")
    return SalesChasingTest(int(a.size), int(b.size), med_a, med_b, float(ks.statistic), float(ks.pvalue),
                            float(mw.pvalue), flagged, message)


def outlier_bounds(values, multiplier: float = std.OUTLIER_IQR_MULTIPLIER) -> tuple[float, float]:
    """IAAO Appendix B fences: [Q1 − k·IQR, Q3 + k·IQR] with k = 3 for extreme outliers."""
    v = np.asarray(values, dtype=float)
    q1, q3 = np.percentile(v, [25, 75])
    iqr = q3 - q1
    return float(q1 - multiplier * iqr), float(q3 + multiplier * iqr)
