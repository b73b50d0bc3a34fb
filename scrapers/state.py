"""Where a scrape stopped: the next listing page and the keys of the records already written.

The state file is JSON, replaced atomically (write to a temporary file, then rename) at every page boundary,
after the records of that page have reached the journal on disk. A run that is interrupted mid-page resumes
at that page; the keys make sure no record is written twice. A state file written for another source,
another start date or another site is refused, so two scrapes cannot corrupt each other.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from scrapers.errors import ScrapeError

STATE_VERSION = 1


@dataclass
class ResumeState:
    source: str
    since: date
    base_url: str
    next_page: int = 1
    seen: set[str] = field(default_factory=set)
    finished: bool = False
    path: Path | None = None
    on_checkpoint: Callable[[], None] | None = field(default=None, repr=False)

    def page_done(self, page_no: int, *, last: bool = False) -> None:
        """A collector has handed over every record of listing page ``page_no``."""
        self.next_page = page_no + 1
        self.finished = last
        if self.on_checkpoint:
            self.on_checkpoint()
        self.save()

    def to_json(self) -> dict:
        return {"version": STATE_VERSION, "source": self.source, "since": self.since.isoformat(),
                "base_url": self.base_url, "next_page": self.next_page, "finished": self.finished,
                "seen": sorted(self.seen)}

    def save(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(self.to_json(), handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    @classmethod
    def load_or_new(cls, path: Path | None, *, source: str, since: date, base_url: str) -> ResumeState:
        """The saved state at ``path`` when it is for the same scrape, a fresh one when there is none."""
        if path is None or not path.exists():
            return cls(source=source, since=since, base_url=base_url, path=path)
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            state = cls(source=saved["source"], since=date.fromisoformat(saved["since"]),
                        base_url=saved["base_url"], next_page=int(saved["next_page"]),
                        seen=set(saved["seen"]), finished=bool(saved["finished"]), path=path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ScrapeError(f"断点文件 {path} 无法读取（{exc}）。请删除该文件后重新采集。") from exc
        if (state.source, state.since, state.base_url.rstrip("/")) != (source, since, base_url.rstrip("/")):
            raise ScrapeError(
                f"断点文件 {path} 属于另一次采集（来源 {state.source}，起始日期 {state.since}，网址 "
                f"{state.base_url}），与本次（来源 {source}，起始日期 {since}，网址 {base_url}）不符。"
                f"请换一个输出文件，或删除该断点文件后重新采集。")
        return state
