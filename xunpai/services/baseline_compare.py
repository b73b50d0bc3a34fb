"""Compare two table versions before activating one: per table, the rows added, removed and changed,
matched by each table's key (the spec's ``key``), with a sample of the changes."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from tax_baseline.tables import SPECS
from xunpai.services import baseline as baseline_store
from xunpai.storage.unit_of_work import UnitOfWork


@dataclass
class TableDiff:
    table: str
    title: str
    rows_old: int
    rows_new: int
    added: int = 0
    removed: int = 0
    changed: int = 0
    samples: list[dict] = field(default_factory=list)


def compare(uow: UnitOfWork, old: str, new: str, *, samples: int = 5) -> list[TableDiff]:
    with uow:
        a = baseline_store.load_version(uow, old)
        b = baseline_store.load_version(uow, new)
        out = []
        for spec in SPECS:
            fa, fb = a[spec.name], b[spec.name]
            diff = TableDiff(spec.name, spec.sheet, len(fa), len(fb))
            key = list(spec.key)
            values = [c.name for c in spec.columns if c.name not in key]
            if len(fa) or len(fb):
                merged = pd.merge(fa.astype(str), fb.astype(str), on=key, how="outer", suffixes=("_old", "_new"),
                                  indicator=True)
                diff.added = int((merged["_merge"] == "right_only").sum())
                diff.removed = int((merged["_merge"] == "left_only").sum())
                both = merged[merged["_merge"] == "both"]
                if values and len(both):
                    changed_mask = pd.Series(False, index=both.index)
                    for col in values:
                        changed_mask |= both[f"{col}_old"] != both[f"{col}_new"]
                    diff.changed = int(changed_mask.sum())
                    for _, row in both[changed_mask].head(samples).iterrows():
                        diff.samples.append({
                            "key": "，".join(f"{k}={row[k]}" for k in key),
                            "changes": "；".join(f"{c}: {row[f'{c}_old']} → {row[f'{c}_new']}" for c in values
                                                if row[f"{c}_old"] != row[f"{c}_new"])})
            out.append(diff)
        return out
