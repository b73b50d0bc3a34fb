"""Calibration (基准价校准): screened sales in, a new baseline table version out, with its fit statistics.

The hedonic fit (:mod:`valuation.hedonic`) is turned into the tax bureau's tables (RULES.md section 2):

- base prices (基准价) per building (楼幢) and per community (小区), yuan per m² for the standard unit,
  twice: effective on the first day of the first sale month (so that any sale of the window can be
  priced at its own date) and effective on the as-of date (the level the index has carried them to);
  a building with no sales gets its community's value (shrunk towards its zone), or its zone's, flagged;
- floor coefficients (楼层系数) per elevator class, total floors and floor (a floor band such as HDB's
  "07 TO 09" gives the same coefficient to each of its floors, so the engine's band average is that value);
- orientation (朝向, in 综合修正), area bands (面积修正), age bands (成新修正); the area bands may carry a
  vertical-equity tilt (垂直公平校正, :func:`tilt_area_bands`, γ chosen by cross-validation in
  :func:`valuation.pipeline.choose_config`): larger units slightly up, smaller ones down, so the
  assessment ratios do not fall with value (PRD, IAAO's regressivity measure);
- the month-on-month price index (价格指数), city-wide (全部) and per zone when zones drift apart.

Coefficients are normalised as a bureau publishes them: orientation 南 (or the most frequent level) = 100,
the youngest age band = 100, floors and area bands average 100 over the sales; the constants go into
the base prices. Everything is rounded to two decimals, and the statistics are computed on the rounded
tables through the quote engine itself, so the version prices exactly as its numbers say.
Manual zone corrections (误差修正) of a prior version are not carried forward: the sales already show the
bias they corrected, so the new base prices absorb it; a bureau re-enters corrections after review.
Activation stays explicit (``xunpai.services.baseline.activate``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from tax_baseline.quote import QuoteEngine
from tax_baseline.tables import ALL_ZONES, BaselineTables, elevator_class
from valuation import ratio_study as rs
from valuation.hedonic import Block, HedonicFit, codes_of, combo_codes, fit_hedonic
from valuation.registry import (
    REGISTERED,
    buildings_from_sales,
    lift_inferred_totals,
    register_from_tables,
    zones_and_communities,
)

ORIENTATION = "朝向"
DEFAULT_AREA_EDGES = (0, 35, 40, 45, *range(48, 151, 3), 160, 170, 185, 200, 250, 100000)
DEFAULT_AGE_EDGES = (0, 3, 5, 8, 10, 15, 20, 25, 30, 35, 40, 45, 50, 500)
MISSING = "未注明"


@dataclass
class CalibrationConfig:
    area_edges: tuple[float, ...] | None = None  # None: the prior version's bands, else DEFAULT_AREA_EDGES
    age_edges: tuple[int, ...] | None = None
    age_by_structure: bool | None = None  # None: as the prior version has it, else one table for all
    zone_index: bool = True  # a zone's own index (random-walk deviation from the city's), shrunk
    em_iterations: int = 3
    building_ratio: float = 1.0  # starting λ = σ²/τ² of the building deviations
    community_ratio: float = 3.0
    floor_cell_ratio: float = 10.0
    floor_profile_ratio: float = 1.0  # walk penalty between adjacent floor bands of a class (absolute floors)
    floor_smooth_ratio: float = 10.0  # second-difference penalty of the relative-position curve
    zone_month_ratio: float = 50.0
    zone_area: bool = True  # each zone its own area bands, shrunk towards the city's
    zone_area_ratio: float = 1.5
    cohort: bool = True  # buildings of one community and year built share a prior level (same estate)
    cohort_ratio: float = 1.0
    zone_age: bool = True  # the age gradient of the building levels differs by zone (folded into base prices)
    zone_age_ratio: float = 5.0
    road: bool = True  # communities that are sections of one road (…路一段, …路二段) share a prior level
    road_ratio: float = 3.0
    height: bool = True  # the building's height (total floors band) moves its level: towers above walk-ups
    height_ratio: float = 1.0
    ratio_retransform: bool = False  # value at exp(level − v/2): the mean assessment ratio, not the median, at 1
    segment: bool = False  # the building's market segment (house_type) sets its level within its zone/community
    segment_ratio: float = 1.0
    segment_area: bool = False  # each segment its own area bands, shrunk towards the city's
    segment_area_ratio: float = 1.5
    huber: float | None = 1.345  # robust re-weighting in the fit (None: plain least squares)
    area_tilt: float = 0.0  # γ of the vertical-equity tilt of the area bands (see tilt_area_bands); 0: none


@dataclass
class Calibration:
    tables: BaselineTables
    fit: HedonicFit
    buildings: pd.DataFrame  # per building: n_sales, source (楼幢/小区/分区/全市), shrinkage, flags
    statistics: dict = field(default_factory=dict)


def _month_range(first: str, last: str) -> list[str]:
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def _band_codes(values: np.ndarray, edges: tuple[float, ...], right: bool) -> np.ndarray:
    """Index of the band of each value: (lo, hi] when ``right`` (area), [lo, hi) otherwise (age)."""
    e = np.asarray(edges, dtype=float)
    idx = np.searchsorted(e, values, side="left" if right else "right") - 1
    return np.clip(idx, 0, len(e) - 2).astype(np.int64)


def _prior_edges(prior: BaselineTables | None, table: str, lo: str, hi: str, group: str) -> tuple | None:
    if prior is None or prior[table].empty:
        return None
    frame = prior[table]
    values = sorted(set(frame[lo].astype(float)) | set(frame[hi].astype(float)))
    if group == "house_type" and set(frame[group]) != {ALL_ZONES}:
        return None
    return tuple(values)


HEIGHT_EDGES = (0, 3, 5, 7, 10, 12, 14, 16, 18, 20, 23, 26, 30, 35, 1000)  # total floors (lo, hi]
SECTION = re.compile(r"[一二三四五六七八九十百0-9０-９]+段$")


REGION = re.compile(r"^(.+?[省市县縣州盟旗])(?=.)")


def region_of_zones(zones) -> list[str | None]:
    """The city (or county) a zone code names first: 臺中市西區 → 臺中市, 浙江省温岭市 → 浙江省; None when the
    code names none (a zone code such as ANG MO KIO)."""
    out = []
    for z in zones:
        m = REGION.match(str(z))
        out.append(m.group(1) if m else None)
    return out


THIN_MARKET_MIN_ZONES = 5  # zones with sales a city needs before its thin-market line is fitted


def thin_market_level(levels: pd.Series, counts: pd.Series) -> float:
    """The log level of a zone without sales, from the zones of its city that have them.

    A zone without a single sale in the calibration window is the thinnest market of its city, and thin markets
    are not average ones: on a mixed market the outlying towns and villages sell little and cheaply (Taiwan 2019Q4
    training sales: the zone levels rise with the log of their sales count, correlation 0.48 in New Taipei and 0.57
    in Taichung). Its level is therefore the city's zone levels regressed on the log of their sales count and read
    at one sale (the thinnest market seen), kept within the range of the levels seen; with fewer than
    :data:`THIN_MARKET_MIN_ZONES` zones, the sales-weighted mean of their levels (the city's average market)."""
    values = levels.to_numpy(dtype=float)
    n = np.maximum(counts.reindex(levels.index).fillna(0).to_numpy(dtype=float), 1e-9)
    x = np.log(np.maximum(n, 1))
    if len(values) < THIN_MARKET_MIN_ZONES or np.ptp(x) == 0:
        return float(np.average(values, weights=n))
    intercept = np.polyfit(x, values, 1)[1]  # the line's value at log 1 = 0: one sale
    return float(np.clip(intercept, values.min(), values.max()))


def road_of(communities: pd.Series) -> np.ndarray:
    """The road of each community that is one section of it (臺中市西區向上路一段 → 臺中市西區向上路), where the
    road has more than one section among ``communities``; None otherwise (the community is its own road)."""
    codes = pd.Series(communities).astype(str)
    road = codes.str.replace(SECTION, "", regex=True)
    sectioned = road != codes
    sections = codes[sectioned].groupby(road[sectioned]).nunique()
    shared = road.map(sections).fillna(0).to_numpy() > 1
    return np.where(sectioned.to_numpy() & shared, road.to_numpy(), None).astype(object)


def building_keys(register: pd.DataFrame, as_of: date, age_edges: tuple) -> pd.DataFrame:
    """Per building the keys of the building-level effects: its estate cohort and its age band at ``as_of``."""
    year = register["year_built"].astype(int).to_numpy()
    return pd.DataFrame({
        "building_id": register["building_id"].to_numpy(),
        "cohort": list(zip(register["community_code"].to_numpy(), year.tolist(), strict=True)),
        "zone_age": list(zip(register["zone_code"].to_numpy(),
                             _band_codes(np.maximum(as_of.year - year, 0).astype(float), age_edges, False).tolist(),
                             strict=True)),
        "road": road_of(register["community_code"]),
        "height": _band_codes(register["total_floors"].astype(float).to_numpy(), HEIGHT_EDGES, True),
        "zone_height": list(zip(register["zone_code"].to_numpy(),
                                _band_codes(register["total_floors"].astype(float).to_numpy(), HEIGHT_EDGES,
                                            True).tolist(), strict=True)),
        "segment": register["house_type"].astype(str).to_numpy(),
        "zone_segment": list(zip(register["zone_code"].to_numpy(), register["house_type"].astype(str).to_numpy(),
                                 strict=True)),
        "community_segment": list(zip(register["community_code"].to_numpy(),
                                      register["house_type"].astype(str).to_numpy(), strict=True)),
    })


def prepare(sales: pd.DataFrame, register: pd.DataFrame, config: CalibrationConfig,
            area_edges: tuple, age_edges: tuple, age_by_structure: bool,
            as_of: date | None = None, levels: dict | None = None) -> tuple[list[Block], pd.DataFrame]:
    """The design: one :class:`Block` per effect, and the per-sale keys used to publish the tables.

    ``levels`` (from :func:`unite_levels`): the levels of every block over all the sales of which ``sales`` is a
    part, and the months and zones they span; each sale of the part then gets the codes it has in the design of
    all the sales (a dataset's design is built partition by partition on Dask, ``valuation.scale_out``)."""
    reg = register.set_index("building_id")
    s = sales.reset_index(drop=True)
    b = reg.loc[s["building_id"]]
    total = b["total_floors"].astype(int).to_numpy()
    # elevator_class() vectorized: over 8 storeys one class, up to 8 split by the lift (tables.elevator_class)
    lift = b["elevator"].to_numpy() == "有"
    klass = np.where(total > 8, elevator_class(9, True),
                     np.where(lift, elevator_class(8, True), elevator_class(8, False))).astype(object)
    low = s["floor_low"].astype(int).to_numpy()
    high = s["floor_high"].astype(int).to_numpy()
    keys = pd.DataFrame({
        "building_id": s["building_id"].to_numpy(), "community_code": b["community_code"].to_numpy(),
        "zone_code": b["zone_code"].to_numpy(), "klass": klass, "total": total, "low": low, "high": high,
        "month": s["month"].to_numpy(),
        "orientation": s["orientation"].where(s["orientation"].notna(), MISSING).astype(str).to_numpy(),
        "area_band": _band_codes(s["area"].to_numpy(dtype=float), area_edges, right=True),
        "age": np.maximum(pd.to_datetime(s["date"]).dt.year.to_numpy() - b["year_built"].astype(int).to_numpy(), 0),
        "structure": (b["structure"].astype(str).to_numpy() if age_by_structure else ALL_ZONES),
    })
    keys["age_band"] = _band_codes(keys["age"].to_numpy(dtype=float), age_edges, right=False)
    given = levels
    months = given["months"] if given else _month_range(keys["month"].min(), keys["month"].max())
    blocks = []

    def add(name, values, penalty="fixed", ratio=1.0, levels=None, pairs=None):
        codes, lv = codes_of(values, levels if levels is not None or not given else given["blocks"][name])
        blocks.append(Block(name, codes, lv, penalty=penalty, initial_ratio=ratio, pairs=pairs))

    def add_combo(name, arrays, penalty="fixed", ratio=1.0):
        codes, lv = combo_codes(*arrays)
        if given:
            codes, lv = recode(codes, lv, given["blocks"][name])
        blocks.append(Block(name, codes, lv, penalty=penalty, initial_ratio=ratio))

    add("zone", keys["zone_code"])
    add("community", keys["community_code"], "ridge", config.community_ratio)
    add("building", keys["building_id"], "ridge", config.building_ratio)
    k, lo, hi, tot = (keys[c].to_numpy() for c in ("klass", "low", "high", "total"))
    blocks.extend(floor_blocks(k, lo, hi, tot, config, given["blocks"] if given else None))
    if ("orientation" in given["blocks"]) if given else (keys["orientation"] != MISSING).any():
        add("orientation", keys["orientation"])
    add("area_band", keys["area_band"])
    if config.zone_area:
        add_combo("zone_area", (keys["zone_code"].to_numpy(), keys["area_band"].to_numpy()), "ridge",
                  config.zone_area_ratio)
    if config.cohort or config.zone_age or config.segment or config.road or config.height:
        bk = building_keys(register, as_of or pd.to_datetime(s["date"]).max().date(), age_edges)
        bk = bk.set_index("building_id").loc[s["building_id"]]
        if config.cohort:
            add("cohort", pd.Series(bk["cohort"].to_numpy(), dtype=object), "ridge", config.cohort_ratio)
        if config.zone_age:
            add("zone_age", pd.Series(bk["zone_age"].to_numpy(), dtype=object), "ridge", config.zone_age_ratio)
        if config.height:
            add("height", pd.Series(bk["height"].to_numpy()), "ridge", config.height_ratio)
            add("zone_height", pd.Series(bk["zone_height"].to_numpy(), dtype=object), "ridge", config.height_ratio)
        if config.road:
            add("road", pd.Series(bk["road"].to_numpy(), dtype=object), "ridge", config.road_ratio)
        if config.segment:
            add("segment", pd.Series(bk["segment"].to_numpy(), dtype=object), "ridge", config.segment_ratio)
            add("zone_segment", pd.Series(bk["zone_segment"].to_numpy(), dtype=object), "ridge",
                config.segment_ratio)
            add("community_segment", pd.Series(bk["community_segment"].to_numpy(), dtype=object), "ridge",
                config.segment_ratio)
    add_combo("age_band", (np.broadcast_to(np.asarray(keys["structure"].to_numpy(), dtype=object), len(keys)),
                           keys["age_band"].to_numpy()))
    add("month", keys["month"], levels=pd.Index(months))
    zones = given["zones"] if given else sorted(set(keys["zone_code"]))
    if config.zone_index and len(zones) > 1 and len(months) > 2:
        zone_idx = pd.Index(zones).get_indexer(keys["zone_code"])
        month_idx = pd.Index(months).get_indexer(keys["month"])
        n_months = len(months)
        levels = pd.Index([(z, m) for z in zones for m in months], tupleize_cols=False, dtype=object)
        pairs = np.array([(zi * n_months + j, zi * n_months + j - 1) for zi in range(len(zones))
                          for j in range(1, n_months)])
        blocks.append(Block("zone_month", (zone_idx * n_months + month_idx).astype(np.int64), levels,
                            penalty="walk", initial_ratio=config.zone_month_ratio, pairs=pairs))
    return blocks, keys


def recode(codes: np.ndarray, levels: pd.Index, united: pd.Index) -> tuple[np.ndarray, pd.Index]:
    """Codes of a part's own ``levels`` turned into codes of the ``united`` levels of all the parts (−1 stays)."""
    where = pd.Index(united, tupleize_cols=False, dtype=object).get_indexer(
        pd.Index(levels, tupleize_cols=False, dtype=object)) if len(levels) else np.empty(0, dtype=np.int64)
    if (where < 0).any():
        raise ValueError("分区的水平不在合并的水平中")  # unite_levels was given other parts: a programming error
    codes = np.asarray(codes, dtype=np.int64)
    return np.where(codes >= 0, np.append(where, -1)[codes], -1).astype(np.int64), united


def design_levels(blocks: list[Block], keys: pd.DataFrame) -> dict:
    """What a part's design says of its levels, for :func:`unite_levels`: each block's levels, the months sold
    and the zones."""
    return {"blocks": {b.name: list(b.levels) for b in blocks if b.name not in ("month", "zone_month")
                       and not b.name.startswith("floor_relative|")},
            "months": (keys["month"].min(), keys["month"].max()) if len(keys) else None,
            "zones": sorted(set(keys["zone_code"]))}


# blocks whose levels combo_codes sorts (tuples in their natural order); codes_of sorts the others by str
_COMBO_BLOCKS = ("zone_area", "age_band", "floor_profile")  # and floor_cell|<class>


def unite_levels(parts: list[dict]) -> dict:
    """The levels of the design of all the sales from those of its parts (:func:`design_levels`), each block's
    sorted as ``prepare`` of all the sales sorts them, so that ``prepare(part, levels=…)`` gives every sale the
    codes it has there."""
    names: dict[str, set] = {}
    for p in parts:
        for name, levels in p["blocks"].items():
            names.setdefault(name, set()).update(levels)
    blocks = {}
    for name, values in names.items():
        if name in _COMBO_BLOCKS or name.startswith("floor_cell|"):  # as combo_codes builds them
            blocks[name] = pd.Index(sorted(values), tupleize_cols=False, dtype=object)
        else:  # as codes_of builds them
            blocks[name] = pd.Index(sorted(values, key=str))
    spans = [p["months"] for p in parts if p["months"] is not None]
    months = _month_range(min(s[0] for s in spans), max(s[1] for s in spans))
    return {"blocks": blocks, "months": months, "zones": sorted(set().union(*(p["zones"] for p in parts)))}


RELATIVE_BINS = 20
BUILDING_LEVEL_EFFECTS = ("height", "zone_height", "road", "cohort", "zone_age", "segment", "zone_segment", "community_segment")  # folded into base prices


def floor_blocks(klass, low, high, total, config: CalibrationConfig, levels: dict | None = None) -> list[Block]:
    """The floor coefficient of a sale as a sum of four effects, each pooled where data are thin.

    - ``floor_relative|<class>``: per elevator class a smooth curve in the relative position
      x = (floor − 1)/(total − 1), piecewise linear between knots at twentieths (hat-function basis),
      with a second-difference penalty of its own (empirical Bayes); tax tables price floors by their
      position in the building;
    - ``floor_top``: per class the top floor's own step (top floors: roof leaks, heat);
    - ``floor_profile``: per class the absolute floor band (e.g. HDB's "07 TO 09": views of high
      floors), a random walk between adjacent bands, so rare high floors borrow from their neighbours
      instead of carrying their few sales' noise into every tower that has them;
    - ``floor_cell``: per (class, total floors, band) the deviation of a table from its class curve,
      ridge-shrunk with its own variance per class (empirical Bayes): a class whose tables follow the
      curve (towers) keeps thin cells at the curve, one with odd tables (6-storey walk-ups) keeps them.
    """
    klass = np.asarray(klass, dtype=object)
    low, high, total = (np.asarray(a, dtype=np.int64) for a in (low, high, total))
    blocks = []
    given = levels  # the levels of every block over all sales (see prepare), or None: those of these sales
    codes, levels = combo_codes(klass, low, high)
    if given:
        codes, levels = recode(codes, levels, given["floor_profile"])
    classes = np.array([lv[0] for lv in levels], dtype=object)
    pairs = np.array([(j, j - 1) for j in range(1, len(levels)) if classes[j] == classes[j - 1]],
                     dtype=np.int64).reshape(-1, 2)
    blocks.append(Block("floor_profile", codes, levels, penalty="walk", pairs=pairs,
                        initial_ratio=config.floor_profile_ratio, exact_ratio=True))
    class_codes, class_levels = codes_of(pd.Series(klass, dtype=object), given["floor_top"] if given else None)
    knots = RELATIVE_BINS + 1
    left, frac = hat_position(low, high, total)
    pair = np.stack([left, np.minimum(left + 1, knots - 1)], axis=1)
    weights = np.stack([1 - frac, frac], axis=1)
    triples = np.array([(j - 1, j, j + 1) for j in range(1, knots - 1)], dtype=np.int64)
    for ci, c in enumerate(class_levels):  # each class its own curve and its own smoothness
        codes2 = np.where((class_codes == ci)[:, None], pair, -1).astype(np.int64)
        levels2 = pd.Index([(c, j) for j in range(knots)], tupleize_cols=False, dtype=object)
        blocks.append(Block(f"floor_relative|{c}", codes2, levels2, penalty="smooth", pairs=triples,
                            weights=weights, initial_ratio=config.floor_smooth_ratio, exact_ratio=True))
    top = np.where(high >= total, class_codes, -1)
    blocks.append(Block("floor_top", top.astype(np.int64), class_levels))
    for ci, c in enumerate(class_levels):
        mine = class_codes == ci
        cell_codes, cell_levels = combo_codes(total[mine], low[mine], high[mine])
        full = np.full(len(klass), -1, dtype=np.int64)
        full[mine] = cell_codes
        cell_levels = pd.Index([(c, *lv) for lv in cell_levels], tupleize_cols=False, dtype=object)
        if given:
            full, cell_levels = recode(full, cell_levels, given[f"floor_cell|{c}"])
        blocks.append(Block(f"floor_cell|{c}", full, cell_levels, penalty="ridge",
                            initial_ratio=config.floor_cell_ratio, exact_ratio=True))
    return blocks


def relative_position(low, high, total) -> np.ndarray:
    """x = (floor − 1)/(total − 1) of a floor band's middle, in [0, 1] (0 for a one-storey building)."""
    mid = (np.asarray(low, dtype=float) + np.asarray(high, dtype=float)) / 2
    total = np.asarray(total, dtype=float)
    return np.clip(np.where(total > 1, (mid - 1) / np.maximum(total - 1, 1), 0.0), 0.0, 1.0)


def hat_position(low, high, total) -> tuple[np.ndarray, np.ndarray]:
    """The knot left of each floor band's relative position and the fraction of the way to the next knot."""
    x = relative_position(low, high, total)
    left = np.minimum(np.floor(RELATIVE_BINS * x), RELATIVE_BINS - 1).astype(np.int64)
    return left, RELATIVE_BINS * x - left


def relative_bin(low, high, total) -> np.ndarray:
    """Position of a floor in its building: twentieths of (floor − 1)/(total − 1), the top floor its own bin.

    The floor-position factor of the coefficient inference (:mod:`valuation.diagnostics`); the fit itself
    uses the continuous position (:func:`floor_blocks`).
    """
    mid = (np.asarray(low, dtype=float) + np.asarray(high, dtype=float)) / 2
    total = np.asarray(total, dtype=float)
    x = np.where(total > 1, (mid - 1) / np.maximum(total - 1, 1), 0.0)
    top = np.asarray(high) >= total
    return np.where(top, RELATIVE_BINS, np.minimum(np.floor(RELATIVE_BINS * x), RELATIVE_BINS - 1)).astype(np.int64)


def _weighted_mean(effect: pd.Series, codes_values: pd.Series) -> float:
    return float(codes_values.map(effect).mean())


def _sale_effect(fit: HedonicFit, blocks: list[Block], *names: str) -> np.ndarray:
    """The fitted effect of each sale summed over the named blocks."""
    total = 0.0
    for block in blocks:
        if block.name in names or any(n.endswith("|") and block.name.startswith(n) for n in names):
            values = np.append(fit.effects[block.name].to_numpy(), 0.0)  # code −1: the block does not apply
            per = values[block.codes]
            if per.ndim == 2:
                per = (per * (block.weights if block.weights is not None else 1.0)).sum(axis=1)
            total = total + per
    return np.asarray(total, dtype=float)


def _publish_floor(fit: HedonicFit, register: pd.DataFrame, blocks: list[Block]) -> tuple[pd.DataFrame, float]:
    """Floor coefficients of every (class, total floors) in the register, each floor by the band it sells in."""
    profile = fit.effects["floor_profile"]
    relative = {key: v for name, e in fit.effects.items() if name.startswith("floor_relative|")
                for key, v in e.items()}
    top = fit.effects["floor_top"]
    cells = {key: v for name, e in fit.effects.items() if name.startswith("floor_cell|") for key, v in e.items()}
    center = float(_sale_effect(fit, blocks, "floor_profile", "floor_relative|", "floor_top",
                                "floor_cell|").mean())
    knots = RELATIVE_BINS + 1
    by_class: dict[str, list[tuple[int, int, float]]] = {}
    for (klass, lo, hi), value in profile.items():
        by_class.setdefault(klass, []).append((lo, hi, value))
    rows = []
    groups = register[["total_floors", "elevator"]].drop_duplicates()
    pooled = sorted((lo, hi, v) for bands in by_class.values() for lo, hi, v in bands)
    # basements as deep as any sold (地下一层 = -1): every table prices them, at the nearest band's level
    deepest = min(0, min((lo for lo, _, _ in pooled), default=0))
    for total, elevator in groups.itertuples(index=False):
        total = int(total)
        klass = elevator_class(total, elevator == "有")
        bands = by_class.get(klass) or pooled
        curve = np.array([relative.get((klass, j), 0.0) for j in range(knots)])
        for floor in [*range(deepest, 0), *range(1, total + 1)]:
            containing = [(hi - lo, lo, hi, v) for lo, hi, v in bands if lo <= floor <= hi]
            if containing:
                _, lo, hi, value = min(containing)
                value += cells.get((klass, total, lo, hi), 0.0)
            else:  # beyond the floors sold: the nearest band's level, the curve at the floor itself
                value = min((min(abs(floor - lo), abs(floor - hi)), v) for lo, hi, v in bands)[1]
                lo = hi = floor
            left, frac = hat_position(np.array([lo]), np.array([hi]), np.array([total]))
            value += (1 - frac[0]) * curve[left[0]] + frac[0] * curve[min(left[0] + 1, knots - 1)]
            value += top.get(klass, 0.0) if hi >= total else 0.0
            rows.append((ALL_ZONES, klass, total, floor, round(100 * float(np.exp(value - center)), 2), "乘"))
    frame = pd.DataFrame(rows, columns=["zone_code", "elevator_class", "total_floors", "floor", "percent", "method"])
    return frame.drop_duplicates(["zone_code", "elevator_class", "total_floors", "floor"]), center


def _publish_orientation(fit: HedonicFit, keys: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    if "orientation" not in fit.effects:
        return pd.DataFrame(columns=["zone_code", "factor", "level", "percent", "method"]), 0.0
    effect = fit.effects["orientation"]
    known = effect.drop(MISSING, errors="ignore")
    counts = keys["orientation"].value_counts()
    reference = "南" if "南" in known.index else counts.drop(MISSING, errors="ignore").index[0]
    center = float(known[reference])
    rows = [(ALL_ZONES, ORIENTATION, level, round(100 * float(np.exp(v - center)), 2), "乘") for level, v in known.items()]
    return pd.DataFrame(rows, columns=["zone_code", "factor", "level", "percent", "method"]), center


def _fill_bands(effect: pd.Series, n_bands: int) -> np.ndarray:
    """Effects for every band index; bands without sales take the nearest band's value."""
    values = np.full(n_bands, np.nan)
    for k, v in effect.items():
        values[int(k)] = v
    seen = np.flatnonzero(~np.isnan(values))
    for k in np.flatnonzero(np.isnan(values)):
        values[k] = values[seen[np.argmin(np.abs(seen - k))]]
    return values


def _publish_area(fit: HedonicFit, blocks: list[Block], edges: tuple) -> tuple[pd.DataFrame, float]:
    """City-wide bands (全部), and each zone's own bands when the fit has zone deviations."""
    values = _fill_bands(fit.effects["area_band"], len(edges) - 1)
    center = float(_sale_effect(fit, blocks, "area_band", "zone_area").mean())
    rows = [(ALL_ZONES, ALL_ZONES, float(edges[k]), float(edges[k + 1]),
             round(100 * float(np.exp(values[k] - center)), 2), "乘") for k in range(len(edges) - 1)]
    if "zone_area" in fit.effects:
        dev = dict(fit.effects["zone_area"].items())
        for zone in sorted({z for z, _ in dev}):
            rows += [(zone, ALL_ZONES, float(edges[k]), float(edges[k + 1]),
                      round(100 * float(np.exp(values[k] + dev.get((zone, k), 0.0) - center)), 2), "乘")
                     for k in range(len(edges) - 1)]
    return pd.DataFrame(rows, columns=["zone_code", "house_type", "area_from", "area_to", "percent", "method"]), center


def band_representative_areas(area_from, area_to) -> np.ndarray:
    """The area (㎡) that stands for each band (lo, hi] in the vertical-equity tilt: the geometric middle
    √(lo·hi), the upper end capped at 1.25·lo (an open last band such as 250–100000 stands for 250–312.5),
    and a first band from 0 by half its upper end."""
    lo = np.asarray(area_from, dtype=float)
    hi = np.asarray(area_to, dtype=float)
    top = np.where(lo > 0, np.minimum(hi, 1.25 * lo), hi)
    return np.where(lo > 0, np.sqrt(lo * top), hi / 2)


def tilt_area_bands(area_bands: pd.DataFrame, exponent: float, reference_area: float) -> pd.DataFrame:
    """面积修正 × (A / A_ref)^γ, A the band's representative area (:func:`band_representative_areas`), A_ref the
    geometric mean area of the calibration sales: the vertical-equity tilt (垂直公平校正).

    A median-unbiased fit leaves the mean assessment ratio of cheap units above that of dear ones when sale
    prices are noisy (PRD above 1: regressive; RULES.md section 9, PRD 0.98-1.03). A small γ > 0 raises
    the coefficient of large units and lowers that of small ones, by γ·ln(A/A_ref) in log: with γ = 0.03 a
    180 ㎡ unit's coefficient is 2.1% higher, a 45 ㎡ unit's 2.1% lower than at 90 ㎡. Rounded to two
    decimals like every coefficient; the quote's breakdown shows the tilted 面积修正 as it prices."""
    if not exponent or area_bands.empty:
        return area_bands
    out = area_bands.copy()
    rep = band_representative_areas(out["area_from"], out["area_to"])
    factor = (rep / float(reference_area)) ** float(exponent)
    out["percent"] = np.round(out["percent"].to_numpy(dtype=float) * factor, 2)
    return out


def reference_area(sales: pd.DataFrame) -> float:
    """A_ref of the tilt: the geometric mean area of the calibration sales, rounded to 0.01 ㎡."""
    return round(float(np.exp(np.mean(np.log(sales["area"].to_numpy(dtype=float))))), 2)


def _publish_age(fit: HedonicFit, keys: pd.DataFrame, edges: tuple) -> tuple[pd.DataFrame, float]:
    effect = fit.effects["age_band"]
    structures = sorted({k[0] for k in effect.index})
    rows = []
    youngest = min(k[1] for k in effect.index)
    reference_structure = keys["structure"].value_counts().index[0]
    per_structure = {}
    for st in structures:
        sub = pd.Series({k[1]: v for k, v in effect.items() if k[0] == st})
        per_structure[st] = _fill_bands(sub, len(edges) - 1)
    center = float(per_structure[reference_structure][youngest])
    for st in structures:
        for k in range(len(edges) - 1):
            rows.append((st, int(edges[k]), int(edges[k + 1]),
                         round(100 * float(np.exp(per_structure[st][k] - center)), 2), "乘"))
    return pd.DataFrame(rows, columns=["structure", "age_from", "age_to", "percent", "method"]), center


def _index_paths(fit: HedonicFit, months: list[str], zones: list[str]) -> dict[str, np.ndarray]:
    """Log level of the market in each month: the city's (全部) and each zone's (city + own deviation)."""
    t = fit.effects["month"].reindex(months).interpolate(limit_direction="both").fillna(0.0).to_numpy()
    paths = {ALL_ZONES: t}
    if "zone_month" in fit.effects:
        dev = fit.effects["zone_month"]
        for z in zones:
            d = np.array([dev.get((z, m), 0.0) for m in months])
            paths[z] = t + d
    return paths


def _round_index(path: np.ndarray) -> np.ndarray:
    return np.round(100 * np.exp(np.diff(path)), 2)


def calibrate(sales: pd.DataFrame, as_of: date, *, register: pd.DataFrame | None = None,
              prior: BaselineTables | None = None, config: CalibrationConfig | None = None,
              name: str = "", design=None) -> Calibration:
    """Fit the tables to screened, arm's-length sales dated on or before ``as_of``.

    ``register`` is the building register (columns of the ``buildings`` spec plus ``zone_code``); by
    default the prior version's buildings, or one read off the sales (flagged, see
    :mod:`valuation.registry`). Sales of buildings missing from the register are added to it.
    ``design``: what builds the design instead of :func:`prepare` (same arguments, same result), e.g. partition
    by partition on Dask for a dataset (``valuation.scale_out.DatasetDesign``); the solve stays here.
    """
    config = config or CalibrationConfig()
    sales = sales.reset_index(drop=True)
    if sales.empty:
        raise ValueError("没有可用于校准的成交样本")
    if (pd.to_datetime(sales["date"]).dt.date > as_of).any():
        raise ValueError(f"校准样本中有晚于估价基准日 {as_of} 的成交；应先筛选")
    flags = None
    if register is None and prior is not None:
        register = register_from_tables(prior)
    if register is None:
        register, flags = buildings_from_sales(sales)
    else:
        register = _with_sources(register)
        missing = sorted(set(sales["building_id"]) - set(register["building_id"]))
        if missing:
            extra, flags = buildings_from_sales(sales[sales["building_id"].isin(missing)])
            register = pd.concat([register, extra.reindex(columns=register.columns)], ignore_index=True)
    register = lift_inferred_totals(_with_sources(register), sales).reset_index(drop=True)

    area_edges = config.area_edges or _prior_edges(prior, "area_bands", "area_from", "area_to", "house_type") \
        or DEFAULT_AREA_EDGES
    age_edges = config.age_edges or _prior_edges(prior, "age_bands", "age_from", "age_to", "structure") \
        or DEFAULT_AGE_EDGES
    age_by_structure = config.age_by_structure
    if age_by_structure is None:
        age_by_structure = prior is not None and set(prior["age_bands"]["structure"]) - {ALL_ZONES} != set()
    blocks, keys = (design or prepare)(sales, register, config, tuple(area_edges), tuple(age_edges), age_by_structure,
                                       as_of)
    y = np.log(sales["price"].to_numpy(dtype=float) / sales["area"].to_numpy(dtype=float))
    fit = fit_hedonic(y, blocks, em_iterations=config.em_iterations, huber=config.huber)

    floor_table, c_floor = _publish_floor(fit, register, blocks)
    orientation_table, c_orient = _publish_orientation(fit, keys)
    area_table, c_area = _publish_area(fit, blocks, tuple(area_edges))
    tilt_reference = reference_area(sales)
    area_table = tilt_area_bands(area_table, config.area_tilt, tilt_reference)
    age_table, c_age = _publish_age(fit, keys, tuple(age_edges))

    months = _month_range(keys["month"].min(), max(keys["month"].max(), f"{as_of.year:04d}-{as_of.month:02d}"))
    zones = sorted(set(register["zone_code"]))
    paths = _index_paths(fit, months, zones)
    index_rows = [(ALL_ZONES, m, v) for m, v in zip(months[1:], _round_index(paths[ALL_ZONES]), strict=True)]
    for z in zones:
        if z in paths:
            index_rows += [(z, m, v) for m, v in zip(months[1:], _round_index(paths[z]), strict=True)]
    price_index = pd.DataFrame(index_rows, columns=["zone_code", "month", "index"])
    chain = {z: float(np.prod(_round_index(p) / 100.0)) for z, p in paths.items()}

    # Building level at the first month: intercept + zone + community + building + normalising constants.
    zone_eff = fit.effects["zone"]
    counts_zone = fit.counts["zone"]
    # a zone without sales: the thin-market level of the zones of its own city (臺中市大肚區 → 臺中市), else of
    # all zones (thin_market_level)
    region_of = pd.Series(region_of_zones(zone_eff.index), index=zone_eff.index)
    region_level = {r: thin_market_level(zone_eff[region_of == r], counts_zone[region_of == r])
                    for r in set(region_of.dropna())}
    city_unsold = thin_market_level(zone_eff, counts_zone)

    def unsold_zone(z: str) -> float:
        return region_level.get(region_of_zones([z])[0], city_unsold)
    comm_eff = fit.effects["community"]
    bldg_eff = fit.effects["building"]
    bldg_n = fit.counts["building"].reindex(register["building_id"]).fillna(0).to_numpy()
    comm_n = fit.counts["community"].reindex(register["community_code"]).fillna(0).to_numpy()
    zone_known = register["zone_code"].isin(zone_eff.index).to_numpy()
    z_val = np.array([zone_eff[z] if known else unsold_zone(z)
                      for z, known in zip(register["zone_code"], zone_known, strict=True)])
    c_val = register["community_code"].map(comm_eff).fillna(0.0).to_numpy()
    b_val = register["building_id"].map(bldg_eff).fillna(0.0).to_numpy()
    first_month = months[0]
    start_level = {z: float(p[0]) for z, p in paths.items()}
    t0 = register["zone_code"].map(lambda z: start_level.get(z, start_level[ALL_ZONES])).to_numpy()
    constant = fit.intercept + c_floor + c_orient + c_area + c_age
    bk = building_keys(register, as_of, tuple(age_edges))
    for name in BUILDING_LEVEL_EFFECTS:
        if name in fit.effects:
            effect = dict(fit.effects[name].items())
            b_val = b_val + np.array([effect.get(key, 0.0) for key in bk[name]])
    building_level = constant + z_val + c_val + b_val + t0
    if config.ratio_retransform:  # centred on the sales' median building: the median ratio stays where it was
        v = _level_variance(fit, register, bk, zone_known, region_of)
        sold = pd.Series(v, index=register["building_id"].to_numpy()).reindex(sales["building_id"]).to_numpy()
        building_level = building_level - (v - float(np.nanmedian(sold))) / 2
    source = np.where(bldg_n > 0, "楼幢", np.where(comm_n > 0, "小区", np.where(zone_known, "分区", "全市")))

    start_date = date(int(first_month[:4]), int(first_month[5:]), 1)
    start_price = np.round(np.exp(building_level), 2)
    roll = register["zone_code"].map(lambda z: chain.get(z, chain[ALL_ZONES])).to_numpy()
    asof_price = np.round(start_price * roll, 2)
    base_rows = [pd.DataFrame({"scope": "楼幢", "key": register["building_id"], "effective_date": start_date,
                               "price": start_price})]
    if as_of != start_date:
        base_rows.append(pd.DataFrame({"scope": "楼幢", "key": register["building_id"], "effective_date": as_of,
                                       "price": asof_price}))
    comms = register.drop_duplicates("community_code")
    cz = np.array([zone_eff[z] if z in zone_eff.index else unsold_zone(z) for z in comms["zone_code"]])
    c_level = constant + cz + comms["community_code"].map(comm_eff).fillna(0.0).to_numpy() + comms["zone_code"].map(
        lambda z: start_level.get(z, start_level[ALL_ZONES])).to_numpy()
    if "road" in fit.effects:  # a community's road (its other sections) moves its level as it does its buildings'
        road = dict(fit.effects["road"].items())
        c_level = c_level + np.array([road.get(r, 0.0) for r in road_of(comms["community_code"])])
    c_start = np.round(np.exp(c_level), 2)
    base_rows.append(pd.DataFrame({"scope": "小区", "key": comms["community_code"], "effective_date": start_date,
                                   "price": c_start}))
    if as_of != start_date:
        c_roll = comms["zone_code"].map(lambda z: chain.get(z, chain[ALL_ZONES])).to_numpy()
        base_rows.append(pd.DataFrame({"scope": "小区", "key": comms["community_code"], "effective_date": as_of,
                                       "price": np.round(c_start * c_roll, 2)}))
    base_prices = pd.concat(base_rows, ignore_index=True)

    zones_t, communities_t = zones_and_communities(register, prior)
    buildings_t = register[["building_id", "community_code", "address", "total_floors", "elevator", "house_type",
                            "structure", "year_built", "use", "total_floors_source"]].copy()
    buildings_t["total_floors"] = buildings_t["total_floors"].astype(int)
    buildings_t["price_source"] = source
    buildings_t["year_built"] = buildings_t["year_built"].astype(int)
    aliases = prior["aliases"].copy() if prior is not None else None
    tables = BaselineTables({
        "zones": zones_t, "communities": communities_t, "buildings": buildings_t, "aliases": aliases,
        "base_prices": base_prices, "floor_coefficients": floor_table, "other_factors": orientation_table,
        "area_bands": area_table, "age_bands": age_table, "price_index": price_index,
        "zone_corrections": None}, name=name)

    shrink = bldg_n / (bldg_n + fit.ratios.get("building", 1.0))
    estimates = pd.DataFrame({"building_id": register["building_id"], "zone_code": register["zone_code"],
                              "community_code": register["community_code"], "n_sales": bldg_n.astype(int),
                              "source": source, "total_floors_source": register["total_floors_source"].to_numpy(),
                              "shrinkage_weight": np.round(shrink, 4),
                              "start_price": start_price, "as_of_price": asof_price})
    if flags is not None:
        estimates = estimates.merge(flags, on="building_id", how="left")
    statistics = {
        "as_of": as_of.isoformat(), "first_month": first_month, "n_sales": int(len(sales)),
        "hedonic": fit.summary(), "config": {k: v for k, v in asdict(config).items()},
        "area_edges": list(area_edges), "age_edges": list(age_edges),
        "vertical_equity": {"area_tilt": float(config.area_tilt), "reference_area": tilt_reference}, "age_by_structure": bool(age_by_structure),
        "buildings": {"total": int(len(register)), **{k: int(v) for k, v in
                                                      pd.Series(source).value_counts().items()}},
        "buildings_without_sales": sorted(register["building_id"][bldg_n == 0].tolist())[:1000],
        "total_floors_inferred": int((register["total_floors_source"] == "推断").sum()),
    }
    return Calibration(tables=tables, fit=fit, buildings=estimates, statistics=statistics)


def _level_variance(fit: HedonicFit, register: pd.DataFrame, bk: pd.DataFrame, zone_known: np.ndarray,
                    region_of: pd.Series) -> np.ndarray:
    """Posterior variance v of each building's log level: over its shrunk effects (building, community and the
    building-level ones) σ²/(n + λ), n its level's sales (a level without sales: the prior variance τ² = σ²/λ),
    and for a zone without sales the variance of the zone levels of its city. A value exp(level − v/2) has
    mean ratio 1 (E[1/p] = exp(−μ + v/2) for log-normal p), where exp(level) has median ratio 1: without
    the correction, buildings valued from little data (high v, often the cheap ones of a mixed market)
    carry mean ratios above the rest, which is regressivity (PRD above 1)."""
    sigma2 = fit.sigma2
    keys = {"building": register["building_id"].to_numpy(), "community": register["community_code"].to_numpy()}
    for name in BUILDING_LEVEL_EFFECTS:
        if name in fit.effects and name in bk:
            keys[name] = bk[name].to_numpy()
    v = np.zeros(len(register))
    for name, key in keys.items():
        if name not in fit.ratios:
            continue
        lam = fit.ratios[name]
        counts = dict(fit.counts[name].items())
        n = np.array([counts.get(k, 0.0) if k is not None else np.nan for k in key], dtype=float)
        v += np.where(np.isnan(n), 0.0, sigma2 / (np.nan_to_num(n) + lam))
    zone_eff = fit.effects["zone"]
    if (~zone_known).any() and len(zone_eff) > 1:
        spread = float(np.var(zone_eff.to_numpy()))
        v = v + np.where(zone_known, 0.0, spread)
    return v


def _with_sources(register: pd.DataFrame) -> pd.DataFrame:
    """A register with its 总层数来源 column (登记 where a register or older version says nothing); a
    基准价依据 column of an earlier version is dropped (the new fit decides it)."""
    register = register.drop(columns=["price_source"], errors="ignore")
    if "total_floors_source" in register and register["total_floors_source"].notna().all():
        return register
    out = register.copy()
    column = out["total_floors_source"] if "total_floors_source" in out else pd.Series(None, index=out.index)
    out["total_floors_source"] = column.where(column.notna(), REGISTERED)
    return out


def value_sales(tables: BaselineTables, sales: pd.DataFrame, *, engine: QuoteEngine | None = None,
                valuation_date=None) -> pd.DataFrame:
    """Price each sale with the quote engine at its own date (or at ``valuation_date``).

    Returns ``estimate`` (yuan, float; NaN where the engine refused) and the engine's ``status``/``reason``.
    """
    engine = engine or QuoteEngine(tables)
    dates = pd.to_datetime(sales["date"]).dt.date
    units = pd.DataFrame({
        "building_id": sales["building_id"].astype(str).to_numpy(),
        "floor_low": sales["floor_low"].astype(int).to_numpy(),
        "floor_high": sales["floor_high"].astype(int).to_numpy(),
        "area": np.round(sales["area"].to_numpy(dtype=float), 2),
        "contract_date": dates.to_numpy(),
        "valuation_date": dates.to_numpy() if valuation_date is None else valuation_date,
        "orientation": sales["orientation"].where(sales["orientation"].notna(), "").astype(str).to_numpy(),
    })
    if (units["orientation"] == "").all():
        units = units.drop(columns="orientation")  # the engine needs no orientation column then
    priced = engine.quote_frame(units)
    estimate = np.where(priced["status"].to_numpy() == "ok", priced["total_price_fen"].to_numpy() / 100.0, np.nan)
    return pd.DataFrame({"estimate": estimate, "status": priced["status"].to_numpy(),
                         "reason": priced["reason"].to_numpy()}, index=sales.index)


def study_sales(tables: BaselineTables, sales: pd.DataFrame, *, bootstrap: int = 500, seed: int = 0,
                engine: QuoteEngine | None = None) -> tuple[rs.RatioStudy, pd.DataFrame]:
    """The ratio study of ``tables`` on ``sales`` (each valued at its own date), with its coverage (every sale
    priced or refused with the engine's reason); also the priced frame."""
    priced = value_sales(tables, sales, engine=engine)
    frame = sales.assign(estimate=priced["estimate"].to_numpy(), sale_price=sales["price"].to_numpy(dtype=float),
                         status=priced["status"].to_numpy(), reason=priced["reason"].to_numpy())
    ok = frame["estimate"].notna() & (frame["sale_price"] > 0)
    reason = frame["reason"].astype(str).where(frame["sale_price"] > 0, "成交价不为正数")
    coverage = rs.coverage_of(np.where(ok, "ok", "refused"), reason)
    if not ok.any():
        raise ValueError("基准表无法为任何一笔成交估价：" + coverage.describe())
    study = rs.ratio_study(frame.loc[ok, "estimate"], frame.loc[ok, "sale_price"], bootstrap=bootstrap, seed=seed,
                           coverage=coverage)
    return study, frame


def roll_forward(tables: BaselineTables, until: str, *, window: int = 6, method: str = "trend") -> BaselineTables:
    """Extend the price index to month ``until`` (YYYY-MM) so the tables value later dates.

    ``trend`` repeats the geometric mean of the last ``window`` months (per zone); ``flat`` uses 100.
    The new rows are a forecast: a tax bureau replaces them with the published index.
    """
    pi = tables["price_index"]
    rows = [pi]
    for zone, group in pi.groupby("zone_code"):
        group = group.sort_values("month")
        last = group["month"].iloc[-1]
        future = _month_range(last, until)[1:]
        if not future:
            continue
        if method == "trend":
            tail = group["index"].to_numpy(dtype=float)[-window:]
            step = round(100 * float(np.exp(np.mean(np.log(tail / 100.0)))), 2)
        else:
            step = 100.0
        rows.append(pd.DataFrame({"zone_code": zone, "month": future, "index": step}))
    frames = dict(tables.frames)
    frames["price_index"] = pd.concat(rows, ignore_index=True)
    return BaselineTables(frames, name=tables.name)


def first_pass_values(sales: pd.DataFrame, *, register: pd.DataFrame | None = None,
                      config: CalibrationConfig | None = None, design=None) -> np.ndarray:
    """In-sample values (yuan) of a quick first-pass hedonic fit, for outlier screening (screening rule 7, IAAO
    Standard on Ratio Studies Appendix B); ``design`` as in :func:`calibrate`."""
    config = config or CalibrationConfig()
    sales = sales.reset_index(drop=True)
    if register is None:
        register, _ = buildings_from_sales(sales)
    else:
        register = _with_sources(register)
        missing = set(sales["building_id"]) - set(register["building_id"])
        if missing:
            extra, _ = buildings_from_sales(sales[sales["building_id"].isin(missing)])
            register = pd.concat([register, extra.reindex(columns=register.columns)], ignore_index=True)
    register = lift_inferred_totals(_with_sources(register), sales)
    blocks, _ = (design or prepare)(sales, register, config, DEFAULT_AREA_EDGES, DEFAULT_AGE_EDGES, False, None)
    y = np.log(sales["price"].to_numpy(dtype=float) / sales["area"].to_numpy(dtype=float))
    fit = fit_hedonic(y, blocks, em_iterations=1, huber=config.huber)
    return np.exp(fit.fitted) * sales["area"].to_numpy(dtype=float)
