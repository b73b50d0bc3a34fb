"""One scrape run: collect, validate every record, write the output and the rejects, resume after a stop.

Files beside the output ``OUT`` (CSV or Parquet, by its extension):

- ``OUT.journal.jsonl`` — every record handed over so far, accepted or rejected, one JSON line each,
  flushed to disk at every page boundary before the state is saved;
- ``OUT.state.json`` — the next listing page and the keys already handled (:class:`ResumeState`);
- ``OUT`` and ``OUT.rejects.csv`` (source, key, page address, reasons, the text read) — written from
  the journal only when the collector has finished, each atomically (temporary file, then rename), so
  a stopped run never leaves a half-written output.

Running the same command again after an interruption continues where it stopped, without duplicates;
after a complete run it adds only what the site published since (the keys already written are skipped).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from scrapers.collector import Collector, RawRecord, ValidationError
from scrapers.errors import ScrapeError
from scrapers.state import ResumeState
from tax_baseline.cells import neutralize_row

OUTPUT_FORMATS = (".csv", ".parquet")
REJECT_COLUMNS = ("source", "key", "url", "page", "reasons", "fields")
_ARROW_TYPES = {"string": pa.string(), "int64": pa.int64(), "decimal": pa.decimal128(20, 4),
                "date": pa.date32(), "timestamp": pa.timestamp("s")}


@dataclass(frozen=True)
class PageProgress:
    page: int
    accepted: int  # on this page
    rejected: int
    total_accepted: int  # in the whole output so far
    total_rejected: int


@dataclass(frozen=True)
class ScrapeResult:
    output: Path
    rejects: Path
    accepted: int  # records in the output
    rejected: int
    new_accepted: int  # added by this run
    new_rejected: int
    resumed: bool


def companion_paths(output: Path) -> dict[str, Path]:
    return {"journal": output.with_name(output.name + ".journal.jsonl"),
            "state": output.with_name(output.name + ".state.json"),
            "rejects": output.with_name(output.name + ".rejects.csv")}


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    return {"decimal": Decimal, "date": date.fromisoformat, "timestamp": datetime.fromisoformat}.get(
        kind, lambda v: v)(value)


class _Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: list[dict] = []
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            for number, line in enumerate(lines, 1):
                try:
                    self.entries.append(json.loads(line))
                except json.JSONDecodeError:
                    if number != len(lines):  # only the last line can be torn by a crash
                        raise ScrapeError(f"采集日志 {path} 第 {number} 行已损坏。请删除该文件及断点文件后"
                                          f"重新采集。") from None
            if lines and len(self.entries) != len(lines):
                self._rewrite()
        self._handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def _rewrite(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in self.entries), encoding="utf-8")
        os.replace(tmp, self.path)

    def append(self, entry: dict) -> None:
        self.entries.append(entry)
        self._handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def flush(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()


def scrape(collector: Collector, since: date, output: Path, *,
           on_page: Callable[[PageProgress], None] | None = None,
           on_record: Callable[[RawRecord], None] | None = None) -> ScrapeResult:
    """Run ``collector`` from ``since`` into ``output`` (``.csv`` or ``.parquet``), resuming if a state
    file from the same scrape is there. ``on_page`` reports progress after each listing page."""
    output = Path(output)
    if output.suffix.lower() not in OUTPUT_FORMATS:
        raise ScrapeError(f"输出文件应以 .csv 或 .parquet 结尾，收到“{output.name}”。")
    paths = companion_paths(output)
    if paths["journal"].exists() and not paths["state"].exists():
        raise ScrapeError(f"找到采集日志 {paths['journal']} 却没有断点文件 {paths['state']}，无法判断从何处继续。"
                          f"请删除该日志后重新采集。")
    state = ResumeState.load_or_new(paths["state"], source=collector.source, since=since,
                                    base_url=collector.base_url)
    resumed = paths["state"].exists()
    state.save()
    journal = _Journal(paths["journal"])
    state.seen |= {entry["key"] for entry in journal.entries}  # written after the last saved checkpoint
    before_ok = sum(1 for e in journal.entries if e["status"] == "ok")
    before_rejected = len(journal.entries) - before_ok
    counts = {"ok": 0, "rejected": 0, "page_ok": 0, "page_rejected": 0}

    def checkpoint() -> None:
        journal.flush()
        if on_page:
            on_page(PageProgress(state.next_page - 1, counts["page_ok"], counts["page_rejected"],
                                 before_ok + counts["ok"], before_rejected + counts["rejected"]))
        counts["page_ok"] = counts["page_rejected"] = 0

    state.on_checkpoint = checkpoint
    try:
        for raw in collector.collect(since, resume_state=state):
            try:
                row = collector.validate(raw)
            except ValidationError as exc:
                journal.append({"status": "rejected", "key": raw.key, "url": raw.url, "page": raw.page,
                                "reasons": exc.reasons, "fields": raw.fields})
                counts["rejected"] += 1
                counts["page_rejected"] += 1
            else:
                journal.append({"status": "ok", "key": raw.key,
                                "row": {k: _encode(v) for k, v in row.items()}})
                counts["ok"] += 1
                counts["page_ok"] += 1
            state.seen.add(raw.key)
            if on_record:
                on_record(raw)
    finally:
        journal.flush()
        journal.close()
    accepted = [e["row"] for e in journal.entries if e["status"] == "ok"]
    rejected = [e for e in journal.entries if e["status"] == "rejected"]
    write_records(collector, accepted, output)
    write_rejects(collector.source, rejected, paths["rejects"])
    return ScrapeResult(output, paths["rejects"], len(accepted), len(rejected), counts["ok"],
                        counts["rejected"], resumed)


def write_records(collector: Collector | type[Collector], rows: list[dict], output: Path) -> None:
    """The accepted rows, in the collector's columns, as CSV (UTF-8) or Parquet, written atomically."""
    columns = collector.columns
    tmp = output.with_name(output.name + ".tmp")
    if output.suffix.lower() == ".parquet":
        schema = pa.schema([(c.name, _ARROW_TYPES[c.kind]) for c in columns])
        data = {c.name: [_decode(r.get(c.name), c.kind) for r in rows] for c in columns}
        pq.write_table(pa.Table.from_pydict(data, schema=schema), tmp)
    else:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([c.name for c in columns])
            for row in rows:
                writer.writerow(["" if row.get(c.name) is None else row[c.name] for c in columns])
    os.replace(tmp, output)


def write_rejects(source: str, entries: list[dict], path: Path) -> None:
    """Rejected records with their reasons, as CSV with a BOM (opened by people, in Excel or WPS)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECT_COLUMNS)
        for e in entries:
            writer.writerow(neutralize_row([source, e["key"], e["url"], e["page"], "；".join(e["reasons"]),
                                            json.dumps(e["fields"], ensure_ascii=False)]))
    os.replace(tmp, path)
