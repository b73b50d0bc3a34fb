"""The hedonic regression (特征价格模型) behind a calibration: log unit price as a sum of effects.

log(price / area) = intercept + Σ_blocks effect[block, level of the sale] + ε

Each block is one categorical effect of RULES.md section 2's multiplicative model (zone, community,
building, floor, orientation, area band, age band, month). A block is either *fixed* (ordinary
dummies) or *penalized*: a ridge penalty λ‖u‖² (community and building deviations: empirical-Bayes
shrinkage towards the level above, λ = σ²/τ²) or a random-walk penalty λ‖u_t − u_{t−1}‖² (a zone's own
monthly index drifting smoothly away from the city's) or a second-difference penalty
λ‖u_{j−1} − 2u_j + u_{j+1}‖² (a smooth curve on a hat-function basis, e.g. the floor coefficient against
the relative floor position). The penalties enter as extra rows of one sparse least-squares problem
solved by LSMR (SciPy), so 100k buildings and 1M sales fit in seconds; the variance ratios are
re-estimated by a few EM-style iterations (Henderson's mixed-model equations, with the usual
approximation of the posterior variances by σ²/(n_j + λ)), or, for blocks marked ``exact_ratio``, by
maximizing the block's marginal likelihood given the other effects (see :func:`_marginal_ratio`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, lsmr
from threadpoolctl import threadpool_limits


@dataclass
class Block:
    """One categorical effect. ``codes[i]`` is the level of sale i (−1: the block does not apply).

    A *basis* block has 2-D ``codes`` (n, m) and ``weights`` (n, m): sale i loads ``weights[i, j]`` on
    level ``codes[i, j]`` (e.g. the two hat functions of a piecewise-linear curve around the sale's
    position, weights summing to one).
    """

    name: str
    codes: np.ndarray
    levels: pd.Index
    penalty: str = "fixed"  # fixed | ridge | walk | smooth
    pairs: np.ndarray | None = None  # walk: (k, 2) level pairs whose difference is penalized;
    # smooth: (k, 3) level triples (a, b, c) whose second difference u_a − 2u_b + u_c is penalized
    weights: np.ndarray | None = None  # basis blocks: (n, m) loadings of 2-D codes
    initial_ratio: float = 1.0  # starting λ = σ²/τ²
    ratio_bounds: tuple[float, float] = (1e-3, 1e6)
    exact_ratio: bool = False  # re-estimate λ by the block's marginal likelihood (small blocks), see below

    @property
    def size(self) -> int:
        return len(self.levels)


@dataclass
class HedonicFit:
    intercept: float
    effects: dict[str, pd.Series]  # block name -> effect by level (log scale)
    counts: dict[str, pd.Series]  # block name -> number of sales by level
    ratios: dict[str, float]  # penalized block -> final λ = σ²/τ²
    sigma2: float
    n: int
    r2: float
    rmse: float
    iterations: list[int] = field(default_factory=list)
    fitted: np.ndarray | None = None  # in-sample log unit price

    def summary(self) -> dict:
        return {"n": self.n, "r2": round(self.r2, 6), "rmse_log": round(self.rmse, 6),
                "sigma": round(float(np.sqrt(self.sigma2)), 6),
                "variance_ratios": {k: round(v, 4) for k, v in self.ratios.items()},
                "lsmr_iterations": self.iterations}


def _indicator(codes: np.ndarray, size: int, weights: np.ndarray | None = None) -> sp.csr_matrix:
    codes = np.asarray(codes)
    if codes.ndim == 1:
        rows = np.flatnonzero(codes >= 0)
        return sp.csr_matrix((np.ones(rows.size), (rows, codes[rows])), shape=(codes.size, size))
    w = np.ones(codes.shape) if weights is None else np.asarray(weights, dtype=float)
    use = (codes >= 0) & (w != 0)
    rows = np.nonzero(use)[0]
    return sp.csr_matrix((w[use], (rows, codes[use])), shape=(codes.shape[0], size))


def _penalty_rows(block: Block, offset: int, total: int, scale: float) -> sp.csr_matrix:
    if block.penalty == "ridge":
        k = block.size
        return sp.csr_matrix((np.full(k, scale), (np.arange(k), offset + np.arange(k))), shape=(k, total))
    if block.penalty == "smooth":
        stencil = [scale, -2 * scale, scale]
    else:
        stencil = [scale, -scale]
    pairs = block.pairs if block.pairs is not None else np.empty((0, len(stencil)), dtype=np.int64)
    k = len(pairs)
    rows = np.repeat(np.arange(k), len(stencil))
    cols = offset + pairs.ravel()
    vals = np.tile(stencil, k)
    return sp.csr_matrix((vals, (rows, cols)), shape=(k, total))


def fit_hedonic(y: np.ndarray, blocks: list[Block], *, weights: np.ndarray | None = None,
                em_iterations: int = 3, tol: float = 1e-8, max_iter: int = 5000,
                huber: float | None = 1.345) -> HedonicFit:
    """Fit the penalized log-linear model; ``em_iterations`` rounds of variance-ratio re-estimation.

    With ``huber`` (in robust standard deviations, 1.345 the usual constant) each round also re-weights
    the sales by Huber's weights min(1, k·s/|r|) from the previous round's residuals (s = 1.4826 · MAD):
    iteratively reweighted least squares, so a few odd sales do not pull a building's price, and the
    fit aims at the typical ratio, as COD measures it.
    """
    y = np.asarray(y, dtype=float)
    n = y.size
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    ybar = float(np.average(y, weights=w))
    X = sp.hstack([_indicator(b.codes, b.size, b.weights) for b in blocks], format="csr")
    robust = np.ones(n)
    offsets = np.cumsum([0] + [b.size for b in blocks])
    p = int(offsets[-1])
    counts = np.asarray((X.multiply(w[:, None]) if weights is not None else X).sum(axis=0)).ravel()
    ratios = {b.name: b.initial_ratio for b in blocks if b.penalty != "fixed"}
    beta = np.zeros(p)
    iterations: list[int] = []
    sigma2 = float(np.var(y))
    for round_no in range(em_iterations + 1):
        sw = np.sqrt(w * robust)
        Xw = sp.diags(sw) @ X
        rhs_data = sw * (y - ybar)
        penalties = [_penalty_rows(b, offsets[i], p, np.sqrt(ratios[b.name]))
                     for i, b in enumerate(blocks) if b.penalty != "fixed"]
        A = sp.vstack([Xw, *penalties], format="csr") if penalties else Xw.tocsr()
        norms = np.sqrt(np.asarray(A.multiply(A).sum(axis=0)).ravel())
        norms[norms == 0] = 1.0
        A_scaled = (A @ sp.diags(1.0 / norms)).tocsr()
        A_scaled_t = A_scaled.T.tocsr()  # row-major both ways: CSR products are the fast ones
        As = LinearOperator(A_scaled.shape, matvec=A_scaled.dot, rmatvec=A_scaled_t.dot, dtype=float)
        rhs = np.concatenate([rhs_data, np.zeros(A.shape[0] - n)])
        # LSMR's vector steps are memory-bound: BLAS threads only thrash (seen 10x slower on a busy machine).
        with threadpool_limits(limits=1, user_api="blas"):
            # the EM rounds only need the variance ratios: a looser tolerance; the last round is warm-started
            round_tol = tol if round_no == em_iterations else max(tol, 1e-6)
            result = lsmr(As, rhs, atol=round_tol, btol=round_tol, maxiter=max_iter, x0=beta * norms)
        beta = result[0] / norms
        iterations.append(int(result[2]))
        resid = rhs_data - Xw @ beta
        rss = float(resid @ resid)
        # effective degrees of freedom: fixed levels count fully, penalized ones by n/(n+λ)
        edf = 0.0
        for i, b in enumerate(blocks):
            c = counts[offsets[i]:offsets[i + 1]]
            if b.penalty == "fixed":
                edf += float((c > 0).sum()) - 1
            else:
                edf += float((c / (c + ratios[b.name])).sum())
        sigma2 = rss / max(n - edf - 1, 1.0)
        if round_no == em_iterations:
            break
        exact = {}
        if any(b.exact_ratio and b.penalty != "fixed" for b in blocks):
            raw_resid = y - ybar - X @ beta
            for i, b in enumerate(blocks):
                if b.penalty != "fixed" and b.exact_ratio:
                    exact[b.name] = _marginal_ratio(b, beta[offsets[i]:offsets[i + 1]], raw_resid, w * robust,
                                                    sigma2)
        if huber:
            raw = y - ybar - X @ beta
            scale = 1.4826 * float(np.median(np.abs(raw[w > 0]))) if (w > 0).any() else 0.0
            if scale > 0:
                robust = np.minimum(1.0, huber * scale / np.maximum(np.abs(raw), 1e-12))
        for i, b in enumerate(blocks):
            if b.penalty == "fixed":
                continue
            if b.name in exact:
                ratios[b.name] = exact[b.name]
                continue
            u = beta[offsets[i]:offsets[i + 1]]
            c = counts[offsets[i]:offsets[i + 1]]
            lam = ratios[b.name]
            if b.penalty == "ridge":
                seen = c > 0
                if seen.sum() < 2:
                    continue
                tau2 = float((u[seen] ** 2).sum() + (sigma2 / (c[seen] + lam)).sum()) / seen.sum()
            elif b.penalty == "walk":
                pairs = b.pairs
                if pairs is None or len(pairs) < 2:
                    continue
                d = u[pairs[:, 0]] - u[pairs[:, 1]]
                post = sigma2 * (1 / (c[pairs[:, 0]] + lam) + 1 / (c[pairs[:, 1]] + lam)) / 2
                tau2 = float((d ** 2).sum() + post.sum()) / len(pairs)
            else:  # smooth: second differences, posterior variances approximated as for the walk
                triples = b.pairs
                if triples is None or len(triples) < 2:
                    continue
                d = u[triples[:, 0]] - 2 * u[triples[:, 1]] + u[triples[:, 2]]
                post = sigma2 * (1 / (c[triples[:, 0]] + lam) + 4 / (c[triples[:, 1]] + lam)
                                 + 1 / (c[triples[:, 2]] + lam)) / 6
                tau2 = float((d ** 2).sum() + post.sum()) / len(triples)
            lo, hi = b.ratio_bounds
            ratios[b.name] = float(np.clip(sigma2 / max(tau2, 1e-12), lo, hi))
    fitted = X @ beta + ybar
    tss = float(np.sum(w * (y - ybar) ** 2))
    rss_w = float(np.sum(w * (y - fitted) ** 2))
    effects = {b.name: pd.Series(beta[offsets[i]:offsets[i + 1]], index=b.levels) for i, b in enumerate(blocks)}
    level_counts = {b.name: pd.Series(counts[offsets[i]:offsets[i + 1]], index=b.levels)
                    for i, b in enumerate(blocks)}
    return HedonicFit(intercept=ybar, effects=effects, counts=level_counts, ratios=ratios, sigma2=sigma2, n=n,
                      r2=1 - rss_w / tss if tss > 0 else 0.0, rmse=float(np.sqrt(rss_w / w.sum())),
                      iterations=iterations, fitted=fitted)


def _marginal_ratio(block: Block, u: np.ndarray, resid: np.ndarray, weights: np.ndarray, sigma2: float) -> float:
    """λ = σ²/τ² of one penalized block maximizing its marginal likelihood given the other effects.

    The partial residuals r = resid + X_b u carry the block's information as S = X_bᵀWr and
    C = X_bᵀWX_b; with u ~ N(0, τ²P⁺) (P the penalty's DᵀD) and noise σ²W⁻¹,
    −2 log L(λ) = −Sᵀ(C + λP)⁻¹S/σ² + log|C + λP| − rank(P) log λ + const, minimized over log λ
    within the block's bounds. Unlike the EM step (whose λ grows only by about the cell count per
    round when τ² is near zero), this reaches a near-zero variance at once: thin cells whose
    deviations are noise are then not fitted (floor cells of a class whose tables follow its curve).
    Dense algebra: for small blocks only (floor effects: tens to hundreds of levels; ridge blocks with
    one level per sale are diagonal and may be large).
    """
    from scipy.optimize import minimize_scalar

    k = block.size
    codes = np.asarray(block.codes)
    if codes.ndim == 1:
        codes, load = codes[:, None], np.ones((codes.size, 1))
    else:
        load = np.ones(codes.shape) if block.weights is None else np.asarray(block.weights, dtype=float)
    rows = np.flatnonzero((codes >= 0).any(axis=1))  # the sales the block applies to
    codes, load, weights = codes[rows], load[rows], weights[rows]
    load = np.where(codes >= 0, load, 0.0)
    safe = np.maximum(codes, 0)
    r = resid[rows] + (u[safe] * load).sum(axis=1)  # partial residuals: the block's own effect added back
    wr = weights * r
    S = np.zeros(k)
    for j in range(codes.shape[1]):  # S = X_bᵀWr by bincount: no transposed copies of the design
        S += np.bincount(safe[:, j], weights=load[:, j] * wr, minlength=k)
    lo, hi = block.ratio_bounds
    if block.penalty == "ridge" and np.asarray(block.codes).ndim == 1:
        c = np.bincount(safe[:, 0], weights=load[:, 0] * weights, minlength=k)
        seen = c > 0
        S, c = S[seen], c[seen]
        if c.size < 2:
            return float(block.initial_ratio)

        def objective(log_lam):
            lam = np.exp(log_lam)
            return -float((S ** 2 / (c + lam)).sum()) / sigma2 + float(np.log1p(c / lam).sum())
    else:
        C = np.zeros(k * k)
        for j in range(codes.shape[1]):
            for m in range(codes.shape[1]):
                C += np.bincount(safe[:, j] * k + safe[:, m], weights=load[:, j] * load[:, m] * weights,
                                 minlength=k * k)
        C = C.reshape(k, k)
        D = _penalty_rows(block, 0, k, 1.0).toarray()
        P = D.T @ D
        rank = D.shape[0]
        if rank < 1:
            return float(block.initial_ratio)

        def objective(log_lam):
            lam = np.exp(log_lam)
            M = C + lam * P
            try:
                L = np.linalg.cholesky(M + 1e-10 * np.eye(k))
            except np.linalg.LinAlgError:
                return np.inf
            z = np.linalg.solve(L, S)
            return -float(z @ z) / sigma2 + 2 * float(np.log(np.diag(L)).sum()) - rank * log_lam
    result = minimize_scalar(objective, bounds=(np.log(lo), np.log(hi)), method="bounded",
                             options={"xatol": 1e-3})
    return float(np.exp(result.x))


def combo_codes(*arrays) -> tuple[np.ndarray, pd.Index]:
    """Codes of the combinations of several equal-length arrays (no missing values); levels are tuples."""
    parts = [pd.factorize(np.asarray(a), sort=True) for a in arrays]
    if len(parts) == 1:
        codes, uniques = parts[0]
        return codes.astype(np.int64), pd.Index(list(uniques), dtype=object)
    combined = np.zeros(len(parts[0][0]), dtype=np.int64)
    for codes, uniques in parts:
        combined = combined * len(uniques) + codes
    unique_combined, inverse = np.unique(combined, return_inverse=True)
    levels = []
    for value in unique_combined:
        items = []
        for _codes, uniques in reversed(parts):
            value, k = divmod(int(value), len(uniques))
            items.append(uniques[k].item() if hasattr(uniques[k], "item") else uniques[k])
        levels.append(tuple(reversed(items)))
    return inverse.astype(np.int64).ravel(), pd.Index(levels, tupleize_cols=False, dtype=object)


def codes_of(values, levels: pd.Index | None = None) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of ``values`` (missing → −1) and the levels, sorted unless given."""
    s = pd.Series(values)
    if levels is None:
        levels = pd.Index(sorted(s.dropna().unique().tolist(), key=str))
    codes = levels.get_indexer(s)
    codes[s.isna().to_numpy()] = -1
    return codes.astype(np.int64), levels
