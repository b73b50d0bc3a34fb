"""Inference and diagnostics for the calibrated coefficients (linearmodels' AbsorbingLS, statsmodels tests).

The calibration itself is a penalized sparse fit (:mod:`valuation.hedonic`); standard errors for the
coefficients a bureau publishes come from the textbook model beside it: building effects absorbed as fixed
effects, so only differences between sales of the same building identify the coefficients, by
``linearmodels.iv.absorbing.AbsorbingLS`` (NCSA licence; the absorption by pyhdfe, MIT). The absorbed
building effects count in the degrees of freedom (``df_absorbed``) of the residual variance and of the
clustered covariance (``debiased``), which hand-written demeaning plus OLS gets wrong: with many small
buildings it understates every standard error. Regressors: the dummies of orientation, area band, relative
floor position and month; standard errors clustered by building. Residual diagnostics by statsmodels:
Jarque–Bera (normality), Breusch–Pagan (heteroskedasticity); the condition number of the within design.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from linearmodels.iv.absorbing import AbsorbingLS
from statsmodels.stats.diagnostic import het_breuschpagan
from statsmodels.stats.stattools import jarque_bera

MAX_SALES = 200_000  # a seeded subsample beyond this: inference needs no more, memory stays small


def _dummies(values: pd.Series, prefix: str) -> pd.DataFrame:
    d = pd.get_dummies(values.astype(str), prefix=prefix, prefix_sep="=", dtype=float)
    if d.shape[1] > 1:
        reference = values.astype(str).value_counts().index[0]
        d = d.drop(columns=f"{prefix}={reference}")
    return d


def coefficient_inference(y: np.ndarray, building: np.ndarray, factors: dict[str, pd.Series], *,
                          seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """Coefficients (log), percent effects against each factor's most frequent level, clustered SEs, tests."""
    n = len(y)
    idx = np.arange(n)
    if n > MAX_SALES:
        idx = np.sort(np.random.default_rng(seed).choice(n, MAX_SALES, replace=False))
    y = np.asarray(y, dtype=float)[idx]
    groups = pd.factorize(np.asarray(building)[idx])[0]
    keep = np.bincount(groups)[groups] > 1  # single-sale buildings carry no within information
    X = pd.concat([_dummies(values.iloc[idx].reset_index(drop=True), name) for name, values in factors.items()],
                  axis=1)
    X, yk = X.loc[keep].reset_index(drop=True), y[keep]
    gk = pd.factorize(groups[keep])[0]
    # a level never seen twice in one building is not identified within buildings: left out before the fit
    sums = np.zeros((gk.max() + 1, X.shape[1]))
    np.add.at(sums, gk, X.to_numpy())
    within = X.to_numpy() - (sums / np.bincount(gk)[:, None])[gk]
    varies = within.std(axis=0) > 1e-9
    X, within = X.loc[:, varies], within[:, varies]
    absorb = pd.DataFrame({"building": pd.Categorical(gk)})
    with warnings.catch_warnings():
        # A small or thin sample leaves some levels unidentified; that is reported below as rank_deficient,
        # not printed as a warning in the middle of a judge's or clerk's command output.
        warnings.simplefilter("ignore")
        model = AbsorbingLS(pd.Series(yk, name="log_unit_price"), X, absorb=absorb, drop_absorbed=True)
        fit = model.fit(cov_type="clustered", clusters=pd.Series(gk, name="building"), debiased=True)
    ci = np.asarray(fit.conf_int())
    table = pd.DataFrame({"term": list(fit.params.index), "coef": fit.params.to_numpy(),
                          "se": fit.std_errors.to_numpy(), "t": fit.tstats.to_numpy(), "p": fit.pvalues.to_numpy(),
                          "ci_low": ci[:, 0], "ci_high": ci[:, 1]})
    table[["factor", "level"]] = table["term"].str.split("=", n=1, expand=True)
    table["percent"] = 100 * np.exp(table["coef"])
    resid = np.asarray(fit.resids)
    jb, jb_p, skew, kurtosis = jarque_bera(resid)
    fitted = yk - resid
    bp = het_breuschpagan(resid, np.column_stack([np.ones(resid.size), fitted]))
    used = within[:, [c in set(table["term"]) for c in X.columns]]
    rank = int(np.linalg.matrix_rank(used)) if used.size else 0
    diagnostics = {"n": int(keep.sum()), "buildings": int(len(np.unique(gk))),
                   "df_absorbed": int(fit.df_absorbed), "df_resid": int(fit.df_resid),
                   "r2_within": float(fit.absorbed_rsquared), "r2": float(fit.rsquared), "condition_number": float(np.linalg.cond(used)) if used.size
                   else float("nan"),
                   "jarque_bera": float(jb), "jarque_bera_p": float(jb_p), "skew": float(skew),
                   "kurtosis": float(kurtosis), "breusch_pagan_lm": float(bp[0]), "breusch_pagan_p": float(bp[1]),
                   "cov_type": "cluster(building), debiased", "estimator": "linearmodels AbsorbingLS",
                   "rank": rank, "rank_deficient": bool(rank < X.shape[1])}
    return table[["factor", "level", "coef", "percent", "se", "t", "p", "ci_low", "ci_high"]].reset_index(
        drop=True), diagnostics
