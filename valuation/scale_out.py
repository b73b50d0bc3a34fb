"""The calibration's data-heavy steps on Dask (校准的分布式步骤): import through the mapping, screening, the
design matrices of the first-pass fit and of the calibration, and the ratio study of a version, run per partition
by the existing functions (``transactions.import_transactions``, ``screening.screen``, ``calibration.prepare``,
``calibration.value_sales``) and gathered into the same results the single-machine path gives (pinned by
tests/unit/test_valuation_scale_out.py).

What partitions and what does not:

- import: one task per file; a row's number is its row in its own file, and an error names the file;
- screening rules 1–6 partition by zone: the unit-price check compares a sale with its zone's median, and the
  duplicate and back-to-back checks compare sales of one building, so the sales are shuffled on ``zone_code``
  and each partition, in file order, is screened by ``screen`` as a whole file would be;
- valuing each sale at its own date with a table version is row by row (``value_sales`` per partition);
- the design matrices of the hedonic fits (``calibration.prepare``: each sale's level of every effect) of the
  outlier rule's first pass (rule 7), of the version and of its two holdout fits are built per file partition
  (:class:`DatasetDesign`): a first pass gathers each partition's levels, united and sorted on this machine as
  ``prepare`` of all the sales sorts them, a second pass codes each partition's sales against them; only the
  codes come back, put in file order here;
- the sparse least-squares solves themselves (``hedonic.fit_hedonic``: building effects beside city-wide
  factors, Huber re-weighting and the variance ratios re-estimated between rounds) do not split into
  partitions and run on this machine over the gathered design; so do the first pass's ratios and their IAAO
  fences (a quantile over all sales), the publication of the tables and the in-sample and holdout studies,
  which price the kept sales there as ``run_calibration`` does;
- the ratio study's statistics (median, COD, PRD, PRB and their bootstrap) need all ratios at once: two float
  columns per sale, gathered in file order so that the bootstrap draws the same sales as in one process (a few
  resamples at a time, each reduced to counts over the sales sorted by ratio, ``ratio_study._bootstrap``).

``calibrate_dataset`` and ``study_version_dataset`` are what ``xunpai calibrate`` and ``xunpai ratio-study`` run on
a folder of sales files (after ``import_files``), on the cluster ``cluster`` starts or reaches for the command.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from tax_baseline.quote import QuoteEngine
from tax_baseline.scale_out import require_dask
from valuation import calibration
from valuation import iaao_standard as std
from valuation import ratio_study as rs
from valuation.calibration import CalibrationConfig, first_pass_values, value_sales
from valuation.mapping import Mapping
from valuation.pipeline import CalibrationRun, VersionStudy, run_calibration, sales_chasing_by_version
from valuation.registry import buildings_from_sales, register_from_tables
from valuation.screening import REASONS, Screening, screen
from valuation.transactions import import_transactions

POSITION = "_position"  # a sale's place in the whole dataset (files in order, rows in order)
ZONE_KEY = "_zone"
# what the study gathers of each sale: its price, its strata and its marks (categories, not strings: 5M sales
# gathered as Python strings take gigabytes)
STUDY_COLUMNS = ("building_id", "zone_code", "house_type", "date", "price")
SALES_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".parquet")


@dataclass
class DatasetImport:
    rows_read: int
    sales: int
    errors: list[str] = field(default_factory=list)  # 文件 a.csv 第 12 行 建筑面积：…
    rows_refused: int = 0  # rows with an error (a row with two errors counts once)
    rows_skipped: int = 0  # rows the mapping's keep_rows leaves out
    files: int = 0


class ClusterError(ValueError):
    """The Dask scheduler named cannot be reached (the message says what is expected)."""


class SalesFileError(ValueError):
    """A file of a dataset cannot be read through the mapping (the message names the file); raised on the client
    whichever worker read it."""


def _client(scheduler: str | None, workers: int | None):
    """A Dask client: the scheduler named, "sync" (in this process, for small data), or a LocalCluster."""
    import dask  # heavy optional dependency (xunpai[dask]); require_dask has said how to install it

    _, distributed = require_dask()
    if scheduler == "sync":
        return None, dask.config.set(scheduler="sync")
    if scheduler:
        try:
            return distributed.Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"无法连接 Dask 调度器“{scheduler}”（{exc}）；应为 tcp://主机:端口，如 tcp://10.0.0.5:8786，"
                               "且调度器已用 dask scheduler 启动。") from None
    import os

    cluster = distributed.LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                       dashboard_address=":0", silence_logs=40)
    return distributed.Client(cluster), cluster


@contextmanager
def cluster(scheduler: str | None = None, workers: int | None = None, on_start=None):
    """One Dask cluster for the several steps of a command: yields the scheduler address every step is given.

    ``scheduler``: a running scheduler (``dask scheduler`` on a machine of the cluster), reached or refused with a
    :class:`ClusterError`; else a LocalCluster of ``workers`` single-threaded processes (one per core by default),
    closed at the end. ``on_start`` receives a Chinese line naming the cluster and its dashboard."""
    client, local = _client(scheduler, workers)
    try:
        if on_start is not None:
            where = f"Dask 调度器 {scheduler}" if scheduler else (
                f"本机 LocalCluster（{len(local.workers)} 个工作进程）")
            on_start(f"{where}；监控页面 {client.dashboard_link}")
        yield local.scheduler_address if local is not None else scheduler
    finally:
        _close(client, local)


def _close(client, cluster) -> None:
    if client is not None:
        client.close()
    if cluster is not None and hasattr(cluster, "close"):
        cluster.close()
    elif cluster is not None:  # the "sync" scheduler's configuration, set for this call only
        cluster.__exit__(None, None, None)


def sales_files(path: str | Path) -> list[Path]:
    """The files of sales a path names: itself (a CSV, XLSX or Parquet file), or those of a folder, in name order
    (files starting with ``_`` or ``.`` are left out, as Parquet readers do)."""
    path = Path(path)
    if not path.is_dir():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SALES_SUFFIXES
                  and not p.name.startswith(("_", ".")))


def import_files(folder: str | Path, mapping: Mapping, out: str | Path, *, scheduler: str | None = None,
                 workers: int | None = None) -> DatasetImport:
    """Every file of ``folder`` (CSV, XLSX or Parquet, in name order; or one such file) through ``mapping`` into
    canonical sales, one Parquet file each in ``out``, one task per file; a sale without an id of its own is
    numbered ``file:row``; every error names its file."""
    import dask

    files, out = sales_files(folder), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    client, local = _client(scheduler, workers)
    try:
        tasks = [dask.delayed(_import_one)(str(f), mapping, str(out / f"{k:05d}-{f.stem}.parquet"))
                 for k, f in enumerate(files)]
        done = dask.compute(*tasks)
    finally:
        _close(client, local)
    for _read, _sales, errors, refused, _skipped in done:
        if refused < 0:
            raise SalesFileError(errors[0])
    return DatasetImport(rows_read=sum(d[0] for d in done), sales=sum(d[1] for d in done),
                         errors=[e for d in done for e in d[2]], rows_refused=sum(d[3] for d in done),
                         rows_skipped=sum(d[4] for d in done), files=len(files))


def _import_one(path: str, mapping: Mapping, target: str) -> tuple[int, int, list[str], int, int]:
    name = Path(path).name
    try:
        result = import_transactions(path, mapping)
    except (ValueError, OSError) as exc:  # MappingError, a missing column, an unreadable file: told to the client
        return 0, 0, [f"文件 {name}：{exc}"], -1, 0  # (rows_refused −1: the file as a whole), no worker traceback
    sales = result.sales
    if "sale_id" not in mapping.fields:
        sales["sale_id"] = name + ":" + sales["row"].astype(str)
    if len(sales):
        sales.to_parquet(target, index=False)
    return (result.rows_read, len(sales), [f"文件 {name} {e}" for e in result.errors], result.rows_refused,
            result.rows_skipped)


def _sales_frame(source, dd):
    """Canonical sales as a Dask frame with each sale's position: a folder or file of Parquet, or a pandas frame."""
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True).assign(**{POSITION: np.arange(len(source))})
        return dd.from_pandas(frame, npartitions=max(1, len(frame) // 250_000))
    path = Path(source)
    files = _canonical_files(path)
    offsets = np.cumsum([0] + [pq.ParquetFile(f).metadata.num_rows for f in files])[:-1]
    meta = pq.read_schema(files[0]).empty_table().to_pandas().assign(**{POSITION: pd.Series([], dtype="int64")})
    return dd.from_map(_read_sales, [str(f) for f in files], list(offsets), meta=meta, enforce_metadata=False)


def _read_sales(path: str, offset: int) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    frame[POSITION] = np.arange(len(frame)) + offset
    return frame


def _by_zone(sales):
    """Shuffled so that every sale of a zone is in one partition (rules 1–6 then hold partition by partition)."""
    keyed = sales.assign(**{ZONE_KEY: sales["zone_code"].fillna("").astype(str)})
    return keyed.shuffle(ZONE_KEY)


def _screen_part(part: pd.DataFrame, as_of, window_start, register) -> pd.DataFrame:
    part = part.sort_values(POSITION).drop(columns=ZONE_KEY)
    screened = screen(part.drop(columns=POSITION), as_of=as_of, window_start=window_start, register=register,
                      outliers=False).sales
    screened[POSITION] = part[POSITION].to_numpy()
    return screened


def _study_part(part: pd.DataFrame, tables) -> pd.DataFrame:
    """Rules 1–6, then each kept sale valued at its own date by the version: the columns the study needs."""
    screened = _screen_part(part, None, None, None)
    kept = screened[~screened["excluded"]]
    priced = value_sales(tables, kept.drop(columns=[POSITION, "excluded", "reason_code", "reason"]),
                         engine=_engine(tables))
    columns = [c for c in STUDY_COLUMNS if c in screened.columns]
    out = screened[[POSITION, "excluded", "reason_code", *columns]].copy()
    out["estimate"] = np.nan
    out.loc[kept.index, "estimate"] = priced["estimate"].to_numpy()
    out["status"] = ""
    out.loc[kept.index, "status"] = priced["status"].to_numpy()
    out["refused_reason"] = ""
    out.loc[kept.index, "refused_reason"] = priced["reason"].to_numpy()
    for column in ("reason_code", "status", "refused_reason", "building_id", "zone_code", "house_type"):
        if column in out:
            out[column] = out[column].astype("category")
    return out


_ENGINES: dict[int, QuoteEngine] = {}


def _engine(tables) -> QuoteEngine:
    """One compiled engine per worker process for the tables it was sent (the tables arrive once per worker)."""
    engine = _ENGINES.get(id(tables))
    if engine is None:
        _ENGINES.clear()
        engine = _ENGINES[id(tables)] = QuoteEngine(tables)
    return engine


def _gather(frame, client, progress=None) -> pd.DataFrame:
    """The partitions in file order (categories united, so a column stays a category); ``progress(done, total)``
    is called as each partition finishes on the cluster."""
    import dask

    parts = frame.to_delayed()
    if client is None:
        pieces = list(dask.compute(*parts))
    else:
        futures = client.compute(parts)
        if progress is not None:
            from distributed import as_completed  # optional dependency, imported with dask (require_dask)

            for done, _ in enumerate(as_completed(futures), 1):
                progress(done, len(futures))
        pieces = [f.result() for f in futures]
    categories = [c for c in pieces[0].columns if isinstance(pieces[0][c].dtype, pd.CategoricalDtype)]
    for column in categories:
        united = pd.Index(sorted({v for p in pieces for v in p[column].cat.categories}, key=str), dtype=object)
        for p in pieces:
            p[column] = p[column].cat.set_categories(united)
    result = pd.concat(pieces, ignore_index=True)
    del pieces
    return result.sort_values(POSITION).reset_index(drop=True)


def screen_dataset(sales, *, as_of: date | None = None, window_start: date | None = None,
                   register: pd.DataFrame | None = None, outliers: bool = True, calibration_config=None,
                   scheduler: str | None = None, workers: int | None = None, progress=None) -> Screening:
    """``screen`` of a dataset of canonical sales: rules 1–6 per zone partition on Dask, the design of rule 7's
    first-pass fit per file partition on Dask (:class:`DatasetDesign`), its sparse solve and its ratio fences on
    this machine; the same marks as ``screen`` of all sales at once."""
    dd, _ = require_dask()
    import dask

    with dask.config.set({"dataframe.convert-string": False}):
        client, cluster = _client(scheduler, workers)
        try:
            frame = _sales_frame(sales, dd)
            screening = _screen_frame(frame, client, as_of=as_of, window_start=window_start, register=register,
                                      outliers=outliers, calibration_config=calibration_config, progress=progress,
                                      design=DatasetDesign(frame, client))
        finally:
            _close(client, cluster)
    return Screening(sales=screening.sales.drop(columns=POSITION), outlier_fences=screening.outlier_fences)


def _screen_frame(frame, client, *, as_of, window_start, register, outliers, calibration_config, progress,
                  design) -> Screening:
    """The screening of the sales of ``frame`` (a Dask frame with their positions), each sale's position kept."""
    parts = _by_zone(frame)
    meta = parts._meta.drop(columns=ZONE_KEY).assign(excluded=False, reason_code="", reason="")
    screened = _gather(parts.map_partitions(_screen_part, as_of, window_start, register, meta=meta,
                                            enforce_metadata=False), client, progress)
    fences = None
    keep = ~screened["excluded"].to_numpy()
    if outliers and keep.sum() >= 30:
        # screening rule 7 (statistical outliers, IAAO Standard on Ratio Studies Appendix B): the first-pass
        # fit's design is built per partition on Dask, its sparse solve here (see the module's docstring)
        value = first_pass_values(screened[keep].drop(columns=["excluded", "reason_code", "reason"]),
                                  register=register, config=calibration_config, design=design)
        ratio = value / screened.loc[keep, "price"].to_numpy(dtype=float)
        fences = rs.outlier_bounds(ratio, std.OUTLIER_IQR_MULTIPLIER)
        outside = (ratio < fences[0]) | (ratio > fences[1])
        rows = np.flatnonzero(keep)[outside]
        screened.loc[rows, "excluded"] = True
        screened.loc[rows, "reason_code"] = "outlier"
        screened.loc[rows, "reason"] = [f"{REASONS['outlier']}（比率 {r:.3f}）" for r in ratio[outside]]
    return Screening(sales=screened, outlier_fences=fences)


# what calibration.prepare reads of each sale (with the building register, sent to every worker)
DESIGN_COLUMNS = ("building_id", "floor_low", "floor_high", "month", "orientation", "area", "date")
KEY_COLUMNS = ("orientation", "structure", "month")  # what calibrate reads of prepare's keys


class DatasetDesign:
    """``calibration.prepare`` of sales of a dataset, partition by partition on Dask, for the fits of a calibration
    (rule 7's first pass, the version, its two holdout fits): the sparse solve stays on this machine.

    Given sales carrying their position in the dataset (``_position``), each file partition takes its sales among
    them and returns the levels of its blocks (first pass over the partitions); they are united as ``prepare`` of
    all those sales would sort them (``calibration.unite_levels``); each partition then codes its sales against
    the united levels (second pass) and returns only its codes and weights, which are put in the sales' order
    here. The result is the design ``prepare`` builds of the same sales, block by block and code by code
    (pinned by tests/unit/test_valuation_scale_out.py). The file partitions stay in the workers' memory
    (``Client.persist``) for the passes of the several fits; the register and the positions are sent once per
    fit to every worker (``Client.scatter``)."""

    def __init__(self, frame, client):
        columns = [c for c in DESIGN_COLUMNS if c in frame.columns] + [POSITION]
        frame = frame[columns]
        self.client = client
        self.frame = client.persist(frame) if client is not None else frame
        self.passes = 0  # the passes over the partitions so far (two per fit)

    def _share(self, value):
        return self.client.scatter(value, broadcast=True) if self.client is not None else value

    def _compute(self, tasks) -> list:
        import dask

        if self.client is None:
            return list(dask.compute(*tasks))
        return self.client.gather(self.client.compute(tasks))

    def __call__(self, sales, register, config, area_edges, age_edges, age_by_structure, as_of=None):
        import dask

        if POSITION not in sales:
            raise ValueError("成交缺少其在数据集中的位置，不能分区构建设计矩阵")  # a programming error
        positions = sales[POSITION].to_numpy(dtype=np.int64)
        wanted = np.sort(positions)
        if as_of is None:  # as prepare does over all the sales
            as_of = pd.to_datetime(sales["date"]).max().date()
        args = (self._share(wanted), self._share(register), config, area_edges, age_edges, age_by_structure, as_of)
        parts = self.frame.to_delayed()
        found = self._compute([dask.delayed(_part_levels)(p, *args) for p in parts])
        levels = calibration.unite_levels([f for f in found if f is not None])
        shared = self._share(levels)
        done = self._compute([dask.delayed(_part_design)(p, *args, shared) for p in parts])
        self.passes += 2
        where = np.concatenate([d[0] for d in done])
        if len(where) != len(positions):
            raise ValueError("分区构建的设计矩阵与成交笔数不符")  # a programming error
        order = np.argsort(where, kind="stable")
        take = order[np.searchsorted(where[order], positions)]
        # the blocks themselves (names, levels, pairs, penalties) are those of any part: built here from one sale
        template, _ = calibration.prepare(sales.head(1).reset_index(drop=True), register, config, area_edges,
                                          age_edges, age_by_structure, as_of, levels=levels)
        coded = [d[1] for d in done if d[1] is not None]
        blocks = []
        for k, block in enumerate(template):
            codes = np.concatenate([c[k][0] for c in coded])[take]
            weights = None if block.weights is None else np.concatenate([c[k][1] for c in coded])[take]
            blocks.append(replace(block, codes=codes, weights=weights))
        keys = pd.DataFrame({c: np.concatenate([d[2][c] for d in done])[take] for c in KEY_COLUMNS})
        return blocks, keys


def _taken(part: pd.DataFrame, wanted: np.ndarray) -> pd.DataFrame:
    at = part[POSITION].to_numpy(dtype=np.int64)
    hit = np.searchsorted(wanted, at)
    inside = hit < len(wanted)
    inside[inside] = wanted[hit[inside]] == at[inside]
    return part[inside].reset_index(drop=True)


def _part_levels(part, wanted, register, config, area_edges, age_edges, age_by_structure, as_of):
    rows = _taken(part, wanted)
    if rows.empty:
        return None
    blocks, keys = calibration.prepare(rows, register, config, area_edges, age_edges, age_by_structure, as_of)
    return calibration.design_levels(blocks, keys)


def _part_design(part, wanted, register, config, area_edges, age_edges, age_by_structure, as_of, levels):
    """One partition's codes and weights of every block against the united levels, and the keys calibrate reads."""
    rows = _taken(part, wanted)
    if rows.empty:
        return np.empty(0, dtype=np.int64), None, {c: np.empty(0, dtype=object) for c in KEY_COLUMNS}
    blocks, keys = calibration.prepare(rows, register, config, area_edges, age_edges, age_by_structure, as_of,
                                       levels=levels)
    codes = [(b.codes, b.weights) for b in blocks]
    key_arrays = {c: np.broadcast_to(np.asarray(keys[c].to_numpy(), dtype=object), len(keys)).copy()
                  for c in KEY_COLUMNS}
    return rows[POSITION].to_numpy(dtype=np.int64), codes, key_arrays


def study_version_dataset(tables, sales, *, bootstrap: int = 500, seed: int = 0, prior=None, trim: bool = True,
                          scheduler: str | None = None, workers: int | None = None,
                          timings: dict | None = None, progress=None) -> VersionStudy:
    """``pipeline.study_version`` of a dataset of sales: screening and valuation per zone partition on Dask, the
    trimming, the accounting of every sale and the statistics on this machine over the gathered ratios.
    ``frame`` and ``refused_frame`` hold the columns of :data:`STUDY_COLUMNS` (not every column of the sales).
    The bootstrap draws its resamples a few at a time (``ratio_study._bootstrap``): 5 million sales take a few
    hundred megabytes whatever ``bootstrap`` is. ``timings`` (a dict) receives the seconds of the partitioned
    work with its gathering (``parts``) and of the statistics on this machine (``statistics``)."""
    dd, _ = require_dask()
    import dask

    started = time.perf_counter()

    with dask.config.set({"dataframe.convert-string": False}):
        client, cluster = _client(scheduler, workers)
        try:
            shipped = client.scatter(tables, broadcast=True) if client is not None else tables
            parts = _by_zone(_sales_frame(sales, dd))
            columns = [c for c in STUDY_COLUMNS if c in parts.columns]
            meta = pd.DataFrame({POSITION: pd.Series([], dtype="int64"), "excluded": pd.Series([], dtype=bool),
                                 "reason_code": pd.Series([], dtype=object)}).join(
                parts._meta[columns].reset_index(drop=True)).assign(
                estimate=pd.Series([], dtype=float), status=pd.Series([], dtype=object),
                refused_reason=pd.Series([], dtype=object))
            gathered = _gather(parts.map_partitions(_study_part, shipped, meta=meta, enforce_metadata=False), client,
                               progress)
        finally:
            _close(client, cluster)
    marks = gathered[["excluded", "reason_code"]].astype({"reason_code": object})  # shared strings: 8 bytes a sale
    screening = Screening(sales=marks.assign(reason=""))
    kept = gathered[~gathered["excluded"]].drop(columns=["excluded", "reason_code", POSITION]).reset_index(drop=True)
    priced = kept.assign(sale_price=kept["price"].to_numpy(dtype=float))
    # from here as study_version does it, on the gathered columns
    ok = priced["estimate"].notna()
    refused_frame = priced[~ok].reset_index(drop=True)
    frame = priced[ok].reset_index(drop=True)
    if len(frame) == 0:
        raise ValueError("基准表无法为任何一笔成交估价（楼幢不在表中，或成交早于最早的基准价执行日期）")
    ratio = frame["estimate"] / frame["sale_price"]
    lo, hi = rs.outlier_bounds(ratio, std.OUTLIER_IQR_MULTIPLIER)
    inside = ((ratio >= lo) & (ratio <= hi)) if trim else pd.Series(True, index=ratio.index)
    coverage = rs.coverage_of(priced["status"].astype(str).where(ok, "refused"),
                              priced["refused_reason"].astype(str), trimmed=int((~inside).sum()),
                              screened_out=screening.summary()["excluded"])
    frame = frame[inside].reset_index(drop=True)
    gathered_at = time.perf_counter()
    study = rs.ratio_study(frame["estimate"], frame["sale_price"], bootstrap=bootstrap, seed=seed, coverage=coverage)
    frame["value_decile"] = rs.value_deciles(frame["sale_price"]).to_numpy()
    strata = {}
    for column, label in (("zone_code", "估价分区"), ("house_type", "房屋类型"), ("value_decile", "价格十分位")):
        if column in frame and frame[column].notna().any():
            strata[label] = rs.stratified(frame.dropna(subset=[column]), column)
    chasing = sales_chasing_by_version(tables, prior, kept) if prior is not None else None
    if timings is not None:
        timings.update(parts=gathered_at - started, statistics=time.perf_counter() - gathered_at)
    return VersionStudy(study, frame.rename(columns={"refused_reason": "reason"}), strata, screening, coverage,
                        refused_frame.rename(columns={"refused_reason": "reason"}), chasing)


# what buildings_from_sales reads of each sale (the register of a calibration without one)
REGISTER_COLUMNS = ("building_id", "community_code", "zone_code", "address", "total_floors", "floor_high",
                    "elevator", "house_type", "structure", "year_built", "use")


def _canonical_files(path: str | Path) -> list[Path]:
    path = Path(path)
    return sorted(p for p in path.rglob("*.parquet") if not p.name.startswith(("_", "."))) if path.is_dir() \
        else [path]


def register_for(sales_path: str | Path, register: pd.DataFrame | None = None, prior=None) -> pd.DataFrame:
    """The building register ``pipeline.run_calibration`` screens and calibrates with, from the columns of the
    sales it needs (read file by file, not the whole sales): the one given, else the prior version's, with the
    buildings sold but missing from it read off their sales (flagged); without either, every building sold."""
    files = _canonical_files(sales_path)
    pieces = []
    for f in files:
        present = [c for c in REGISTER_COLUMNS if c in pq.read_schema(f).names]
        pieces.append(pd.read_parquet(f, columns=present).reindex(columns=list(REGISTER_COLUMNS)))
    sales = pd.concat(pieces, ignore_index=True)
    del pieces
    if register is None and prior is not None:
        register = register_from_tables(prior)
    if register is None:
        register, _ = buildings_from_sales(sales)
        return register
    missing = ~sales["building_id"].isin(register["building_id"])
    if missing.any():
        extra, _ = buildings_from_sales(sales[missing])
        register = pd.concat([register, extra.reindex(columns=register.columns)], ignore_index=True)
    return register


def calibrate_dataset(sales, as_of: date, *, register: pd.DataFrame | None = None, prior=None,
                      config: CalibrationConfig | None = None, name: str = "", holdouts: bool = True,
                      window_start: date | None = None, seed: int = 0, bootstrap: int = 500,
                      scheduler: str | None = None, workers: int | None = None, progress=None,
                      choose: bool | None = None) -> CalibrationRun:
    """``pipeline.run_calibration`` of a dataset of canonical sales (a folder of Parquet files, e.g. the output of
    :func:`import_files`): the register from the columns it needs, screening rules 1–6 per zone partition on
    Dask, the design matrices of rule 7's first-pass fit, of the version's fit and of its two holdout fits per
    file partition on Dask (:class:`DatasetDesign`), then on this machine their sparse solves and the ratio
    studies (see the module's docstring). The same version and statistics as ``run_calibration`` of all the
    sales (``choose``: the model settings chosen by cross-validation as there, by default when no ``config`` is
    given; the folds' fits, on at most ``pipeline.CV_MAX_SALES`` sales, build their designs here).
    ``design_passes`` of the run counts the passes over the partitions that built designs (two per fit)."""
    if choose is None:
        choose = config is None
    config = config or CalibrationConfig()
    register = register_for(sales, register, prior)
    dd, _ = require_dask()
    import dask

    with dask.config.set({"dataframe.convert-string": False}):
        client, local = _client(scheduler, workers)
        try:
            frame = _sales_frame(sales, dd)
            design = DatasetDesign(frame, client)
            screening = _screen_frame(frame, client, as_of=as_of, window_start=window_start, register=register,
                                      outliers=True, calibration_config=config, progress=progress, design=design)
            every = screening.sales.drop(columns=["excluded", "reason_code", "reason"])  # with their positions
            run = run_calibration(every, as_of, register=register, prior=prior, config=config, name=name,
                                  holdouts=holdouts, window_start=window_start, seed=seed, bootstrap=bootstrap,
                                  screening=screening, choose=choose, design=design)
        finally:
            _close(client, local)
    run.screening = Screening(sales=screening.sales.drop(columns=POSITION), outlier_fences=screening.outlier_fences)
    if run.priced is not None:
        run.priced = run.priced.drop(columns=POSITION, errors="ignore")
    run.design_passes = design.passes
    return run
