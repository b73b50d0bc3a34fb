"""The penalized hedonic fit: variance ratios by marginal likelihood, hat-function bases, floor pooling."""

from __future__ import annotations

import numpy as np
import pandas as pd

from valuation.calibration import CalibrationConfig, floor_blocks, hat_position
from valuation.hedonic import Block, fit_hedonic

SIGMA = 0.04  # the demo city's noise on log price


def _cells(rng, n_cells: int, tau: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sales in cells of 5-30 sales each; cell deviations N(0, τ²), sale noise N(0, σ²)."""
    sizes = rng.integers(5, 31, size=n_cells)
    codes = np.repeat(np.arange(n_cells), sizes)
    deviation = rng.normal(0, tau, size=n_cells) if tau > 0 else np.zeros(n_cells)
    y = deviation[codes] + rng.normal(0, SIGMA, size=codes.size)
    return codes, y, deviation


def _ridge(codes: np.ndarray, n_cells: int, exact: bool) -> Block:
    return Block("cell", codes, pd.Index(range(n_cells)), penalty="ridge", initial_ratio=10.0, exact_ratio=exact)


def test_marginal_likelihood_keeps_noise_only_cells_at_zero_where_em_still_fits_them():
    rng = np.random.default_rng(1)
    codes, y, _ = _cells(rng, 300, tau=0.0)
    exact = fit_hedonic(y, [_ridge(codes, 300, True)], huber=None)
    em = fit_hedonic(y, [_ridge(codes, 300, False)], huber=None)
    # τ² ≈ 0 (up to its sampling error): λ = σ²/τ² in the hundreds or more, the cells stay at the pooled value
    assert exact.ratios["cell"] > 200
    assert np.abs(exact.effects["cell"]).max() < 0.002
    # three EM rounds grow λ only by about a cell's count each: cells of ~17 sales keep about 40% of their noise
    assert em.ratios["cell"] < 50
    assert np.abs(em.effects["cell"]).max() > 0.008


def test_marginal_likelihood_finds_the_true_variance_of_real_cell_deviations():
    rng = np.random.default_rng(2)
    codes, y, deviation = _cells(rng, 400, tau=0.03)
    fit = fit_hedonic(y, [_ridge(codes, 400, True)], huber=None)
    truth = SIGMA ** 2 / 0.03 ** 2
    assert truth / 1.6 < fit.ratios["cell"] < truth * 1.6
    # shrunk, not pooled away: the cells' estimates follow their true deviations
    assert np.corrcoef(fit.effects["cell"].to_numpy(), deviation)[0, 1] > 0.9


def test_hat_basis_with_a_smoothness_penalty_recovers_a_straight_line_from_thin_data():
    rng = np.random.default_rng(3)
    n = 600
    total = rng.integers(11, 34, size=n)
    floor = rng.integers(1, total + 1)
    x = (floor - 1) / (total - 1)
    y = 0.15 * x + rng.normal(0, SIGMA, size=n)
    left, frac = hat_position(floor, floor, total)
    codes = np.stack([left, np.minimum(left + 1, 20)], axis=1)
    triples = np.array([(j - 1, j, j + 1) for j in range(1, 20)])
    block = Block("curve", codes, pd.Index(range(21)), penalty="smooth", pairs=triples,
                  weights=np.stack([1 - frac, frac], axis=1), initial_ratio=10.0, exact_ratio=True)
    fit = fit_hedonic(y, [block], huber=None)
    curve = fit.effects["curve"].to_numpy()
    slope = np.diff(curve) * 20
    assert np.abs(slope - 0.15).max() < 0.02  # straight: the second differences were noise
    fitted = (1 - frac) * curve[left] + frac * curve[np.minimum(left + 1, 20)] + fit.intercept
    assert np.abs(fitted - (0.15 * x + np.mean(y - 0.15 * x))).max() < 0.01


def test_floor_blocks_give_each_elevator_class_its_own_curve_and_cell_variance():
    klass = np.array(["8层以上"] * 3 + ["8层以内无电梯"] * 2, dtype=object)
    low = np.array([1, 12, 18, 1, 6])
    high = low.copy()
    total = np.array([18, 18, 18, 6, 6])
    blocks = {b.name: b for b in floor_blocks(klass, low, high, total, CalibrationConfig())}
    assert set(blocks) == {"floor_profile", "floor_relative|8层以上", "floor_relative|8层以内无电梯", "floor_top",
                           "floor_cell|8层以上", "floor_cell|8层以内无电梯"}
    tower = blocks["floor_relative|8层以上"]
    assert (tower.codes[3:] == -1).all() and (tower.codes[:3] >= 0).all()
    # floor 12 of 18: x = 11/17, between the knots 12/20 and 13/20
    assert tuple(tower.codes[1]) == (12, 13)
    assert np.isclose(tower.weights[1, 1], 20 * 11 / 17 - 12)
    top = blocks["floor_top"]
    assert [top.levels[c] if c >= 0 else None for c in top.codes] == [None, None, "8层以上", None, "8层以内无电梯"]
    assert all(b.exact_ratio for name, b in blocks.items() if name != "floor_top")
