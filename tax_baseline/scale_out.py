"""A province's register priced out of core (批量估价的分布式执行): the partitions of a Parquet dataset (or of a
large CSV) priced by ``tax_baseline.batch.price_batch`` — the code the single-machine batch runs — each written to
its input's place in an output Parquet dataset, counted by status and reason, and hashed.

One graph, three ways to run it:

- in process, for a small input (fewer than :data:`IN_PROCESS_ROWS` rows and no scheduler named): the parts are
  read, priced and written one after the other; Dask is not needed;
- a ``LocalCluster`` sized to the machine (one single-threaded worker process per core: the pricing holds the GIL
  in its pandas steps, so processes, not threads, use the cores);
- any Dask scheduler by address (``dask scheduler`` / ``dask worker`` on other machines): every worker must
  reach the input and output folders at the same path (a shared file system), see docs/scale_out.md.

Memory stays bounded because no part is larger than :data:`PART_ROWS` rows (a larger Parquet file is split by its
row groups) and nothing but a one-row summary of each part comes back to the client: the priced rows go straight
from the worker to the output file. Output: each input file ``a/b.parquet`` gives ``a/b.parquet`` (or
``a/b.part-000.parquet`` … when split), so a Hive layout (``zone_code=Z01/…``) is kept; a CSV gives
``part-00000.parquet`` …; ``_summary.json`` beside them holds the counts per status and reason, each file's
rows and SHA-256, and the dataset's content hash (the SHA-256 of the lines ``path<TAB>rows<TAB>sha256``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tax_baseline.batch import COLUMNS, STATUS_OK, BatchFileError, _header, compile_engine, price_batch
from tax_baseline.quote import QuoteEngine
from tax_baseline.tables import BaselineTables

IN_PROCESS_ROWS = 200_000  # below this a cluster's start (seconds) costs more than it saves
PART_ROWS = 250_000  # rows priced at once by one worker: about 500 MB of pandas objects at the peak
CSV_BLOCK_BYTES = 32 * 2 ** 20  # a CSV is cut into blocks of this size (about 500k rows of a register)
RESULT_COLUMNS = ("楼幢编号(匹配)", "单价(元/㎡)", "总价(元)", "状态", "原因", "提示")
SUMMARY_FILE = "_summary.json"
DASK_MISSING = ("未安装 Dask，无法按分区或在集群上批量估价。请安装可选依赖：pip install 'xunpai[dask]'"
                "（或直接用 .xlsx/.csv 小文件在本机批量询价）。")
_DATES = {name for name, english in COLUMNS.items() if english in ("contract_date", "valuation_date")} | {
    "contract_date", "valuation_date"}


class DaskMissing(BatchFileError):
    """Dask is an optional dependency (``xunpai[dask]``) and is not installed."""

    def __init__(self) -> None:
        super().__init__(DASK_MISSING)


def require_dask():
    """``dask.dataframe`` and ``distributed``, or :class:`DaskMissing` with the Chinese message."""
    try:
        # Dask is a heavy optional dependency (xunpai[dask]): imported only where a dataset is priced on it.
        import dask.dataframe as dd
        import distributed
    except ImportError:
        raise DaskMissing() from None
    return dd, distributed


# -- the input -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    """One unit of work: a Parquet file (or some of its row groups), or a block of a CSV file."""

    path: str  # relative to the source's root, with "/"
    row_groups: tuple[int, ...] | None  # None: the whole file
    rows: int
    out: str  # relative path of the output file


@dataclass(frozen=True)
class UnitSource:
    """A register to price: a Parquet file, a folder of Parquet files (a dataset, Hive layout or flat) or a CSV."""

    root: Path
    kind: str  # "parquet" or "csv"
    parts: tuple[Part, ...]
    name: str  # as shown to the user and recorded in the ledger
    encoding: str = "utf-8"

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.parts)


def is_dataset(path: str | Path) -> bool:
    """A folder or a Parquet file: the input that is always priced by parts."""
    path = Path(path)
    return path.is_dir() or path.suffix.lower() in (".parquet", ".parq")


def _parquet_parts(root: Path, relpath: str, part_rows: int) -> list[Part]:
    try:
        meta = pq.ParquetFile(root / relpath).metadata
    except (pa.ArrowException, OSError) as exc:
        raise BatchFileError(f"无法读取 Parquet 文件“{relpath}”：{exc}") from None
    groups: list[list[int]] = [[]]
    counts = [0]
    for i in range(meta.num_row_groups):
        n = meta.row_group(i).num_rows
        if groups[-1] and counts[-1] + n > part_rows:
            groups.append([])
            counts.append(0)
        groups[-1].append(i)
        counts[-1] += n
    if len(groups) == 1:
        return [Part(relpath, None, meta.num_rows, relpath)]
    stem = relpath[:-len(Path(relpath).suffix)] if Path(relpath).suffix else relpath
    return [Part(relpath, tuple(g), c, f"{stem}.part-{k:03d}.parquet")
            for k, (g, c) in enumerate(zip(groups, counts, strict=True))]


def open_source(path: str | Path, *, part_rows: int = PART_ROWS) -> UnitSource:
    """The parts of ``path``: every ``*.parquet`` below a folder (files and folders starting with ``_`` or
    ``.`` are left out, as Parquet readers do), one Parquet file, or a CSV (UTF-8 or GBK) cut into blocks."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p.relative_to(path).as_posix() for p in path.rglob("*")
                       if p.is_file() and p.suffix.lower() in (".parquet", ".parq")
                       and not any(s.startswith(("_", ".")) for s in p.relative_to(path).parts))
        if not files:
            raise BatchFileError(f"文件夹“{path}”中没有 Parquet 文件（*.parquet）；应为按分区存放的 Parquet 数据集。")
        parts = [part for f in files for part in _parquet_parts(path, f, part_rows)]
        return UnitSource(path, "parquet", tuple(parts), path.name)
    if path.suffix.lower() in (".parquet", ".parq"):
        return UnitSource(path.parent, "parquet", tuple(_parquet_parts(path.parent, path.name, part_rows)), path.name)
    if path.suffix.lower() == ".csv":
        return _csv_source(path)
    raise BatchFileError(f"按分区批量估价的输入应为 Parquet 文件、Parquet 数据集文件夹或 .csv 文件，收到“{path.name}”"
                         "（Excel 文件无法分块读取，请另存为 CSV）。")


def _csv_source(path: Path) -> UnitSource:
    with open(path, "rb") as handle:
        head = handle.read(2 ** 20)
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut at the end of the sample
            try:
                head.decode("gb18030")
            except UnicodeDecodeError:
                raise BatchFileError(f"“{path.name}”的编码无法识别，应为 UTF-8 或 GBK。") from None
            encoding = "gb18030"
    size = path.stat().st_size
    blocks = max(1, -(-size // CSV_BLOCK_BYTES))
    rows = max(1, head.count(b"\n") - 1) * size // max(len(head), 1)  # estimated: for the progress bar only
    parts = tuple(Part(path.name, None, rows // blocks, f"part-{k:05d}.parquet") for k in range(blocks))
    return UnitSource(path.parent, "csv", parts, path.name, encoding)


def hive_keys(relpath: str) -> dict[str, str]:
    """The ``key=value`` folders of a Hive layout (``zone_code=Z01/part-0.parquet`` → {"zone_code": "Z01"})."""
    keys = {}
    for segment in Path(relpath).parent.parts:
        if "=" in segment:
            key, value = segment.split("=", 1)
            keys[key] = value
    return keys


def read_part(root: str, part: Part) -> pd.DataFrame:
    """The rows of one Parquet part as pandas (the folders' Hive keys added as columns the file lacks)."""
    file = pq.ParquetFile(Path(root) / part.path)
    table = file.read() if part.row_groups is None else file.read_row_groups(list(part.row_groups))
    frame = table.to_pandas()
    for key, value in hive_keys(part.path).items():
        if key not in frame.columns:
            frame[key] = value
    return frame


# -- pricing one part ------------------------------------------------------------------------------------------

@dataclass
class Pricing:
    """What every part needs besides its rows. Sent to each worker once (``Client.scatter``); the tables travel,
    not the compiled engine, which each worker builds on its first part and keeps for the others."""

    tables: BaselineTables
    version: str
    today: date | None = None  # a contract date later than this is refused, as in the single quote
    zone_filter: Callable[[str], bool] | None = None  # picklable (functools.partial): it travels to workers
    valuation_date: date | None = None  # 批量重估: every unit valued at this date (see price_part)
    engine: QuoteEngine | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "engine": None}

    def quote_engine(self) -> QuoteEngine:
        if self.engine is None:
            engine = QuoteEngine(self.tables, version=self.version)
            compile_engine(engine)
            self.engine = engine
        return self.engine

    def engine_seconds(self) -> float:
        """Seconds spent building the engine now (0 when an earlier part of this worker built it)."""
        if self.engine is not None:
            return 0.0
        started = time.perf_counter()
        self.quote_engine()
        return time.perf_counter() - started


def price_part(units: pd.DataFrame, pricing: Pricing) -> pd.DataFrame:
    """``price_batch`` of one part: the input columns plus 楼幢编号(匹配), 单价(元/㎡), 总价(元), 状态, 原因, 提示.

    For a revaluation (``pricing.valuation_date``) every unit is priced with the base price in force on that
    date and the index rolled to it (立契时间 = 估价时点 = the date); the register's own date columns, if any,
    are kept in the output as they were and not used."""
    units = units.reset_index(drop=True)
    if pricing.valuation_date is None:
        return price_batch(pricing.quote_engine(), units, today=pricing.today, zone_filter=pricing.zone_filter,
                           valuation_default=pricing.today)  # 估价时点: the inquiry day, as the single quote
    frame = units.drop(columns=[c for c in units.columns if _header(c) in _DATES or c in _DATES])
    on = pricing.valuation_date.isoformat()
    frame["contract_date"] = on
    frame["valuation_date"] = on
    priced = price_batch(pricing.quote_engine(), frame, today=pricing.today, zone_filter=pricing.zone_filter)
    out = units.copy()
    for column in RESULT_COLUMNS:
        out[column] = priced[column].to_numpy()
    return out


def fen_of(total_text: pd.Series) -> pd.Series:
    """总价(元) as ``fen_text`` writes it (always two decimals) back to integer fen."""
    return total_text.str.replace(".", "", regex=False).astype("int64")


def part_counts(priced: pd.DataFrame) -> dict:
    ok = priced["状态"] == STATUS_OK
    reasons = priced.loc[~ok].groupby(["状态", "原因"]).size()
    return {"rows": int(len(priced)), "ok": int(ok.sum()),
            "total_fen": int(fen_of(priced.loc[ok, "总价(元)"]).sum()) if ok.any() else 0,
            "reasons": [[s, r, int(n)] for (s, r), n in reasons.items()]}


def write_part(priced: pd.DataFrame, out_root: str, part: Part, drop: tuple[str, ...] = ()) -> dict:
    """Write one priced part to its output file; its counts, rows and SHA-256 (of the file's bytes)."""
    target = Path(out_root) / part.out
    target.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(priced.drop(columns=[c for c in drop if c in priced.columns]), preserve_index=False)
    pq.write_table(table, target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    return {"path": part.out, "sha256": digest, **part_counts(priced)}


def _hive_columns(source: UnitSource, part: Part) -> tuple[str, ...]:
    """The Hive keys added by ``read_part`` (they stay in the folder names of the output, not in its files)."""
    if source.kind != "parquet":
        return ()
    present = set(pq.read_schema(source.root / part.path).names)
    return tuple(k for k in hive_keys(part.path) if k not in present)


# -- the whole dataset -----------------------------------------------------------------------------------------

@dataclass
class DatasetResult:
    out: Path
    rows: int
    ok: int
    total_fen: int
    by_reason: list[tuple[str, str, int]]  # (状态, 原因, 行数), the most frequent first
    files: list[dict]  # path, rows, sha256, in part order
    sha256: str  # the dataset's content hash
    mode: str  # how it ran, in Chinese
    seconds_per_part: list[float] = field(default_factory=list)  # pricing and writing each part
    engine_seconds: list[float] = field(default_factory=list)  # building the engine (a worker's first part)

    @property
    def refused(self) -> int:
        return self.rows - self.ok

    @property
    def total_value(self) -> str:
        return f"{self.total_fen // 100}.{self.total_fen % 100:02d}"

    def summary(self) -> dict:
        return {"rows": self.rows, "ok": self.ok, "refused": self.refused, "total_value": self.total_value,
                "by_status_reason": [{"状态": s, "原因": r, "行数": n} for s, r, n in self.by_reason],
                "files": [{"path": f["path"], "rows": f["rows"], "sha256": f["sha256"]} for f in self.files],
                "sha256": self.sha256, "mode": self.mode}


def content_hash(files: list[dict]) -> str:
    """SHA-256 of ``path<TAB>rows<TAB>sha256`` per output file, in part order: one hash for the whole dataset,
    which anyone can recompute from the files (``sha256sum``) without trusting ``_summary.json``."""
    text = "".join(f"{f['path']}\t{f['rows']}\t{f['sha256']}\n" for f in files)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_output(out: Path) -> None:
    """Refuse, before any work, an output folder that exists and is not empty, or whose parent is missing."""
    if out.suffix.lower() in (".xlsx", ".csv"):
        raise BatchFileError(f"按分区批量估价的结果是 Parquet 数据集（文件夹），-o 应为文件夹路径，收到“{out.name}”。")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BatchFileError(f"结果文件夹“{out}”已存在且不为空；请换一个路径，或先移走其中的文件。")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise BatchFileError(f"结果文件夹所在的文件夹“{parent}”不存在；请先建立该文件夹或换一个路径。")
    if not os.access(parent, os.W_OK):
        raise BatchFileError(f"结果文件夹“{out}”没有写入权限；请换一个路径。")


def value_dataset(source: UnitSource, out: str | Path, pricing: Pricing, *, scheduler: str | None = None,
                  workers: int | None = None, in_process: bool | None = None,
                  progress: Callable[[int], None] | None = None,
                  on_start: Callable[[str], None] | None = None) -> DatasetResult:
    """Price every part of ``source`` into the Parquet dataset ``out``; nothing is left at ``out`` on failure.

    ``scheduler``: a Dask scheduler address (tcp://host:8786); else a LocalCluster of ``workers`` processes
    (default: one per core), or in process when ``in_process`` (default: fewer than IN_PROCESS_ROWS rows)."""
    out = Path(out)
    check_output(out)
    if in_process is None:
        in_process = scheduler is None and source.rows < IN_PROCESS_ROWS
    staging = out.with_name(f".{out.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        if in_process:
            files, mode = _run_in_process(source, staging, pricing, progress), "本机进程内"
        else:
            files, mode = _run_on_dask(source, staging, pricing, scheduler, workers, progress, on_start)
        counts: Counter = Counter()
        for f in files:
            for status, reason, n in f["reasons"]:
                counts[(status, reason)] += n
        result = DatasetResult(
            out=out, rows=sum(f["rows"] for f in files), ok=sum(f["ok"] for f in files),
            total_fen=sum(f["total_fen"] for f in files),
            by_reason=[(s, r, n) for (s, r), n in counts.most_common()], files=files, sha256=content_hash(files),
            mode=mode, seconds_per_part=[f.get("seconds", 0.0) for f in files],
            engine_seconds=[f.get("engine_seconds", 0.0) for f in files])
        (staging / SUMMARY_FILE).write_text(json.dumps(result.summary(), ensure_ascii=False, indent=1),
                                            encoding="utf-8")
        if out.exists():
            out.rmdir()  # empty: checked above
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _value_part(root: str, part: Part, out_root: str, pricing: Pricing, drop: tuple[str, ...]) -> dict:
    units = read_part(root, part)
    engine_seconds = pricing.engine_seconds()
    started = time.perf_counter()
    summary = write_part(price_part(units, pricing), out_root, part, drop)
    summary["seconds"] = time.perf_counter() - started
    summary["engine_seconds"] = engine_seconds
    return summary


def _run_in_process(source: UnitSource, staging: Path, pricing: Pricing, progress) -> list[dict]:
    files = []
    if source.kind == "csv":
        chunks = pd.read_csv(source.root / source.parts[0].path, dtype=str, keep_default_na=False,
                             encoding=source.encoding, chunksize=PART_ROWS)
        for k, units in enumerate(chunks):
            part = Part(source.parts[0].path, None, len(units), f"part-{k:05d}.parquet")
            engine_seconds = pricing.engine_seconds()
            started = time.perf_counter()
            files.append({**write_part(price_part(units, pricing), str(staging), part),
                          "seconds": time.perf_counter() - started, "engine_seconds": engine_seconds})
            if progress:
                progress(len(units))
        return files
    for part in source.parts:
        files.append(_value_part(str(source.root), part, str(staging), pricing, _hive_columns(source, part)))
        if progress:
            progress(part.rows)
    return files


def _price_and_write(units: pd.DataFrame, pricing: Pricing, out_root: str, parts: tuple[Part, ...],
                     drops: tuple, partition_info=None) -> pd.DataFrame:
    """One task per part on a worker: ``price_part`` then ``write_part``; only the one-row summary returns (with
    the seconds of the pricing and writing, and those of building the worker's engine on its first part)."""
    engine_seconds = pricing.engine_seconds()
    started = time.perf_counter()
    i = partition_info["number"]
    summary = write_part(price_part(units, pricing), out_root, parts[i], drops[i])
    summary["seconds"] = time.perf_counter() - started
    summary["engine_seconds"] = engine_seconds
    return pd.DataFrame({"summary": [json.dumps(summary, ensure_ascii=False)]})


def _run_on_dask(source: UnitSource, staging: Path, pricing: Pricing, scheduler, workers, progress, on_start):
    dd, distributed = require_dask()
    import dask

    # the parts reach price_batch as the in-process path reads them (object strings, not pyarrow strings)
    with dask.config.set({"dataframe.convert-string": False}):
        return _run_with(dd, distributed, source, staging, pricing, scheduler, workers, progress, on_start)


def _run_with(dd, distributed, source, staging, pricing, scheduler, workers, progress, on_start):
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise BatchFileError(f"无法连接 Dask 调度器“{scheduler}”（{exc}）；应为 tcp://主机:端口，"
                                 "如 tcp://10.0.0.5:8786，且调度器已用 dask scheduler 启动。") from None
        cluster = None
        mode = f"Dask 调度器 {scheduler}"
    else:
        n = workers or os.cpu_count() or 1
        cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                           dashboard_address=":0", silence_logs=40)
        client = distributed.Client(cluster)
        mode = f"本机 LocalCluster（{n} 个工作进程）"
    try:
        if on_start:
            on_start(f"{mode}；监控页面 {client.dashboard_link}")
        if source.kind == "parquet":
            first = pq.read_schema(source.root / source.parts[0].path).empty_table().to_pandas()
            for key in hive_keys(source.parts[0].path):
                if key not in first.columns:
                    first[key] = pd.Series([], dtype=object)
            units = dd.from_map(read_part, [str(source.root)] * len(source.parts), list(source.parts), meta=first,
                                label="读取分区", enforce_metadata=False)
            parts = source.parts
        else:
            units = dd.read_csv(str(source.root / source.parts[0].path), dtype=str, keep_default_na=False,
                                encoding=source.encoding, blocksize=CSV_BLOCK_BYTES)
            parts = tuple(Part(source.parts[0].path, None, 0, f"part-{k:05d}.parquet")
                          for k in range(units.npartitions))
        drops = tuple(_hive_columns(source, p) for p in parts)
        shipped = client.scatter(pricing, broadcast=True, hash=False)  # sent once to each worker, not per part
        written = units.map_partitions(_price_and_write, shipped, str(staging), parts, drops,
                                       meta=pd.DataFrame({"summary": pd.Series([], dtype=object)}),
                                       enforce_metadata=False)
        futures = client.compute(written.to_delayed())
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[dict | None] = [None] * len(futures)
        for future in distributed.as_completed(futures):
            summary = json.loads(future.result()["summary"].iat[0])
            results[index[future.key]] = summary
            if progress:
                progress(summary["rows"])
        return results, mode
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
