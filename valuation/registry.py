"""The building register (楼盘表 / 楼幢登记) a calibration prices: a register file, a prior table version, or
read off the sales.

A tax bureau knows its buildings independently of the sales: ``xunpai calibrate --register FILE`` reads a
register through a column mapping (:func:`read_register`), one row per building or one per unit or sale
(the building's values are then its most frequent ones, its total floors the largest given). When a
value is missing, it is read off the records and every guess is flagged: total floors taken as the
highest floor seen (总层数来源 推断: a lower bound, so a later sale one floor higher is priced, never
refused), a lift assumed above 8 storeys, the year built the zone's median.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tax_baseline.tables import TOTAL_FLOORS_INFERRED, TOTAL_FLOORS_SOURCES, BaselineTables
from valuation.mapping import Mapping
from valuation.transactions import RowError, apply_mapping, read_table

UNKNOWN = "未注明"
REGISTERED = TOTAL_FLOORS_SOURCES[0]


def _modes(sales: pd.DataFrame, column: str, index: pd.Index) -> pd.Series:
    """The most frequent non-empty value of ``column`` per building (ties: the first in sort order)."""
    values = sales[["building_id", column]].dropna()
    values = values[values[column].astype(str) != ""]
    if values.empty:
        return pd.Series(None, index=index, dtype=object)
    counts = values.groupby(["building_id", column], sort=True).size().rename("n").reset_index()
    counts = counts.sort_values("n", ascending=False, kind="stable").drop_duplicates("building_id")
    return counts.set_index("building_id")[column].reindex(index)


def buildings_from_sales(sales: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(buildings in the ``buildings`` spec's columns, flags per building) from canonical sales."""
    g = sales.groupby("building_id", sort=True)
    out = pd.DataFrame(index=g.size().index)
    index = out.index
    out["community_code"] = _modes(sales, "community_code", index)
    out["zone_code"] = _modes(sales, "zone_code", index)
    out["address"] = _modes(sales, "address", index)
    out["address"] = out["address"].where(out["address"].notna(), out.index.to_series())
    given_total = g["total_floors"].max() if sales["total_floors"].notna().any() else pd.Series(
        np.nan, index=out.index)
    highest = g["floor_high"].max() if sales["floor_high"].notna().any() else pd.Series(np.nan, index=out.index)
    highest = highest.astype(float).clip(lower=1)  # a building seen only in its basement has at least 1 storey
    total_guessed = given_total.isna()
    out["total_floors"] = given_total.astype(float).where(~total_guessed, highest).astype("Int64")
    out["total_floors_source"] = np.where(total_guessed, TOTAL_FLOORS_INFERRED, REGISTERED)
    out["elevator"] = _modes(sales, "elevator", index)
    elevator_guessed = out["elevator"].isna()
    out["elevator"] = out["elevator"].where(~elevator_guessed,
                                            np.where(out["total_floors"].astype(float) > 8, "有", "无"))
    out["house_type"] = _modes(sales, "house_type", index).fillna(UNKNOWN)
    out["structure"] = _modes(sales, "structure", index).fillna(UNKNOWN)
    year = _modes(sales, "year_built", index)
    year_guessed = year.isna()
    if year_guessed.any():
        zone_year = year.groupby(out["zone_code"]).median()
        fill = out["zone_code"].map(zone_year)
        city = year.median() if year.notna().any() else 2000
        year = year.where(~year_guessed, fill.fillna(city))
    out["year_built"] = year.astype(float).round().astype("Int64")
    out["use"] = _modes(sales, "use", index).fillna("住宅")
    out["community_code"] = out["community_code"].where(out["community_code"].notna(),
                                                        out["zone_code"].fillna(UNKNOWN))
    out["zone_code"] = out["zone_code"].fillna(UNKNOWN)
    flags = pd.DataFrame({"total_floors_guessed": total_guessed, "elevator_guessed": elevator_guessed,
                          "year_built_guessed": year_guessed}, index=out.index)
    buildings = out.reset_index().rename(columns={"index": "building_id"})
    return buildings, flags.reset_index().rename(columns={"index": "building_id"})


@dataclass
class RegisterImport:
    """A building register read from a file: one row per building, the flags of what was inferred, and
    the rows that could not be read (each with its row number and reason)."""

    buildings: pd.DataFrame
    flags: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    rows_skipped: int = 0

    @property
    def rows_refused(self) -> int:
        return len({e.row for e in self.errors})


def read_register(path: str | Path, mapping: Mapping) -> RegisterImport:
    """Read a building register (楼盘表) through a register mapping (``load_mapping(..., purpose="register")``).

    A building whose total floors can be read neither from a total floors column nor from a floor written
    with its total (5/18, 中楼层(共18层), 未知楼层(共33层)) nor from any floor is refused with its rows.
    """
    imported = apply_mapping(read_table(path, mapping), mapping)
    records = imported.sales
    errors = list(imported.errors)
    known = records.groupby("building_id")[["total_floors", "floor_high"]].transform("max").notna().any(axis=1)
    for row in records.loc[~known, "row"]:
        errors.append(RowError(int(row), "total_floors", "", "该楼幢没有可读的总层数或所在楼层，无法确定总层数"))
    records = records[known]
    if records.empty:
        buildings = pd.DataFrame(columns=["building_id", *BUILDING_COLUMNS])
        return RegisterImport(buildings, pd.DataFrame(columns=["building_id"]), errors, imported.rows_read,
                              imported.rows_skipped)
    buildings, flags = buildings_from_sales(records)
    errors.sort(key=lambda e: (e.row, e.field))
    return RegisterImport(buildings, flags, errors, imported.rows_read, imported.rows_skipped)


BUILDING_COLUMNS = ("community_code", "zone_code", "address", "total_floors", "total_floors_source", "elevator",
                    "house_type", "structure", "year_built", "use")


def lift_inferred_totals(register: pd.DataFrame, sales: pd.DataFrame) -> pd.DataFrame:
    """Inferred total floors raised to the highest floor among ``sales`` (an inferred total is a lower bound)."""
    if "total_floors_source" not in register or sales.empty:
        return register
    inferred = (register["total_floors_source"] == TOTAL_FLOORS_INFERRED).to_numpy()
    if not inferred.any():
        return register
    highest = sales.groupby("building_id")["floor_high"].max().astype(float)
    seen = register["building_id"].map(highest).to_numpy(dtype=float)
    current = register["total_floors"].to_numpy(dtype=float)
    lifted = np.where(inferred & (seen > current), seen, current)
    out = register.copy()
    out["total_floors"] = pd.array(lifted.astype(np.int64), dtype="Int64")
    return out


def register_from_tables(tables: BaselineTables) -> pd.DataFrame:
    """The prior version's buildings with their zone."""
    b = tables["buildings"].copy()
    zone_of = dict(zip(tables["communities"]["community_code"], tables["communities"]["zone_code"], strict=True))
    b["zone_code"] = b["community_code"].map(zone_of)
    return b


def zones_and_communities(buildings: pd.DataFrame, prior: BaselineTables | None = None
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The zones and communities tables for a register (names from the prior version when it has them)."""
    communities = (buildings[["community_code", "zone_code"]].drop_duplicates("community_code")
                   .sort_values("community_code").reset_index(drop=True))
    names = {}
    zone_names = {}
    if prior is not None:
        names = dict(zip(prior["communities"]["community_code"], prior["communities"]["community_name"], strict=True))
        zone_names = dict(zip(prior["zones"]["zone_code"], prior["zones"]["zone_name"], strict=True))
    communities["community_name"] = communities["community_code"].map(lambda c: names.get(c, c))
    zones = pd.DataFrame({"zone_code": sorted(set(communities["zone_code"]))})
    zones["zone_name"] = zones["zone_code"].map(lambda z: zone_names.get(z, z))
    return zones, communities[["community_code", "community_name", "zone_code"]]
