"""The building register (楼幢登记) a calibration prices: from a prior table version, or read off the sales.

A tax bureau knows its buildings independently of the sales; when no register is given, one is built
from the sales themselves and every guess is flagged: total floors taken as the highest floor sold,
a lift assumed above 8 storeys, the most frequent house type / structure / year built of the building.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tax_baseline.tables import BaselineTables

UNKNOWN = "未注明"


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
    highest = g["floor_high"].max()
    total_guessed = given_total.isna()
    out["total_floors"] = given_total.where(~total_guessed, highest).astype("Int64")
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
