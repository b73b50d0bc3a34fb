"""The ratio study's bootstrap (valuation.ratio_study._bootstrap) drawn a few resamples at a time and reduced to the
counts of each sale: the intervals of all resamples drawn at once on the resampled arrays (the same medians; COD and
PRD up to the order of floating additions), whatever the working memory, in memory bounded by it."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from valuation import ratio_study as rs


def all_at_once(e: np.ndarray, s: np.ndarray, draws: int, seed: int) -> dict[str, tuple]:
    """The bootstrap as the study drew it before: every resample in one (draws × n) array."""
    idx = np.random.default_rng(seed).integers(0, e.size, size=(draws, e.size))
    ee, ss = e[idx], s[idx]
    r = ee / ss
    m = np.median(r, axis=1)
    values = {"median_ratio": m, "cod": 100.0 * np.mean(np.abs(r - m[:, None]), axis=1) / m,
              "prd": r.mean(axis=1) / (ee.sum(axis=1) / ss.sum(axis=1))}
    return {k: (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))) for k, v in values.items()}


def same_resamples(got: dict, expected: dict) -> bool:
    """The medians' intervals equal, COD's and PRD's to the last bits (sums added in another order)."""
    return (got["median_ratio"] == expected["median_ratio"] and got.keys() == expected.keys()
            and all(got[k] == pytest.approx(expected[k], rel=1e-12, abs=0) for k in ("cod", "prd")))


def sample(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    s = rng.uniform(1e5, 1e6, n)
    return s * rng.lognormal(0, 0.12, n), s


@pytest.mark.parametrize("n", [401, 1000])  # an odd and an even number of sales
def test_the_intervals_do_not_depend_on_the_working_memory(n):
    e, s = sample(n)
    expected = all_at_once(e, s, 150, seed=7)
    one_at_a_time = rs._bootstrap(e, s, 150, 7, memory=1)
    seven_at_a_time = rs._bootstrap(e, s, 150, 7, memory=7 * 48 * n)
    everything = rs._bootstrap(e, s, 150, 7, memory=10 ** 12)
    assert one_at_a_time == seven_at_a_time == everything
    assert same_resamples(everything, expected)
    assert not same_resamples(rs._bootstrap(e, s, 150, 8, memory=1), expected)  # another seed, other resamples


def test_the_study_of_the_same_sales_and_seed_gives_the_same_intervals():
    e, s = sample(2000, seed=4)
    first = rs.ratio_study(e, s, bootstrap=300, seed=11)
    assert first.ci == rs.ratio_study(e, s, bootstrap=300, seed=11).ci
    assert same_resamples(first.ci, all_at_once(e, s, 300, 11))
    assert first.ci["cod"][0] <= first.cod <= first.ci["cod"][1]


def test_the_bootstrap_stays_within_its_working_memory():
    n, draws, budget = 200_000, 40, 16 * 2 ** 20  # all at once: 40 × 200k × 48 bytes = 384 MB
    e, s = sample(n, seed=2)
    tracemalloc.start()
    try:
        rs._bootstrap(e, s, draws, 0, memory=budget)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * budget  # numpy's arrays are traced: the resamples of one chunk and the chunk's median copy
