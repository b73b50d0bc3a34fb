"""The collector interface: one class per source, ``collect(since, *, resume_state)`` yields raw records.

A raw record is what a page says, as text, under the labels the collector reads (``RawRecord.fields``),
with a stable key (the site's own id) and the page it came from. Turning text into checked values is the
job of the source's ``validate`` (``ValidationError`` carries every reason), so a record that does not
make sense goes to the rejects file instead of the output. A page whose structure no longer matches stops
the collector with :class:`scrapers.errors.MarkupChanged`.

Listing pages are newest first; the first page that holds an item older than ``since`` is the last one read.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, ClassVar

from scrapers.browser import PageFetcher, PageSession
from scrapers.errors import MarkupChanged
from scrapers.page_values import page_date
from scrapers.state import ResumeState


@dataclass(frozen=True)
class RawRecord:
    source: str
    key: str
    url: str
    page: int
    fields: dict[str, str] = field(default_factory=dict)


class ValidationError(ValueError):
    """A record that cannot be used, with every reason found."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("；".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Column:
    """One output column: name, pyarrow type name (``string``, ``int64``, ``decimal``, ``date``,
    ``timestamp``) and a Chinese description for the data dictionary."""

    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class ListingItem:
    """One entry of a listing page: its key, its detail page (if any), its date and the text read so far."""

    key: str
    url: str
    day: date | None
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ListingPage:
    items: list[ListingItem]
    has_next: bool


class Collector(ABC):
    """A source of records. Subclasses set ``source``, ``title`` and ``columns`` and implement
    ``listing_url``, ``read_listing`` and ``validate`` (and ``records`` when an item has a detail page)."""

    source: ClassVar[str]
    title: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]

    def __init__(self, fetcher: PageFetcher, base_url: str) -> None:
        self.fetcher = fetcher
        self.base_url = base_url.rstrip("/")

    def collect(self, since: date, *, resume_state: ResumeState) -> Iterator[RawRecord]:
        """Yield the records dated on or after ``since`` that ``resume_state`` has not seen, page by page,
        calling ``resume_state.page_done(page)`` after the last record of each listing page.

        A state that finished earlier starts again from page 1: the seen keys keep the records already
        written out, so a rerun adds only what the site published since. Items an interrupted run had not
        reached can only move to later pages (the lists are newest first), so resuming leaves no gap."""
        if resume_state.finished:
            resume_state.next_page, resume_state.finished = 1, False
        page_no = resume_state.next_page
        while True:
            url = self.listing_url(page_no)
            listing = self.fetcher.fetch(url, partial(self.read_listing, page_no=page_no))
            recent = [item for item in listing.items if item.day is None or item.day >= since]
            for item in recent:
                if item.key in resume_state.seen:
                    continue  # handed over completely before: do not load its detail page again
                for record in self.records(item, page_no):
                    if record.key not in resume_state.seen:
                        yield record
                resume_state.seen.add(item.key)
            last = not listing.has_next or len(recent) < len(listing.items)
            resume_state.page_done(page_no, last=last)
            if last:
                return
            page_no += 1

    @abstractmethod
    def listing_url(self, page_no: int) -> str:
        """The URL of listing page ``page_no`` (1-based)."""

    @abstractmethod
    def read_listing(self, session: PageSession, page_no: int) -> ListingPage:
        """Read a loaded listing page; :class:`MarkupChanged` when it does not look as expected."""

    def records(self, item: ListingItem, page_no: int) -> Iterator[RawRecord]:
        """The raw records of one listing item (by default the item itself)."""
        yield RawRecord(self.source, item.key, item.url, page_no, dict(item.fields))

    @classmethod
    @abstractmethod
    def validate(cls, raw: RawRecord) -> dict[str, Any]:
        """The output row for ``raw`` (keys = ``columns``), or ``ValidationError`` with every reason."""

    def url(self, path: str) -> str:
        return self.base_url + path


PAGER_JS = """() => {
  const pager = document.querySelector('.pager');
  if (!pager) return null;
  return {current: pager.querySelector('.current')?.textContent.trim(),
          total: pager.querySelector('.total')?.textContent.trim(),
          next: !!pager.querySelector('a.next')};
}"""


def read_pager(session: PageSession, page_no: int) -> bool:
    """Whether a next page exists, from the site's pager; :class:`MarkupChanged` when the pager is
    missing or shows another page than the one asked for (a site that silently redirects would loop)."""
    pager = session.evaluate(PAGER_JS)
    if not pager or not (pager.get("current") or "").isdigit() or not (pager.get("total") or "").isdigit():
        raise MarkupChanged(session.url, "未找到分页栏（.pager 中的当前页和总页数）")
    if int(pager["current"]) != page_no:
        raise MarkupChanged(session.url, f"请求第 {page_no} 页，页面显示第 {pager['current']} 页")
    return bool(pager["next"]) and page_no < int(pager["total"])


def optional_date(text: str | None) -> date | None:
    """The date of a listing item for the ``since`` filter; None when unreadable (validation reports it)."""
    try:
        return page_date(text) if text else None
    except ValueError:
        return None


def check_labels(url: str, found: list[str], expected: list[str], what: str) -> None:
    """Stop when a table's headers are not the ones the collector was written for."""
    if [label.strip() for label in found] != expected:
        raise MarkupChanged(url, f"{what}的表头应为“{'、'.join(expected)}”，实际为“{'、'.join(found) or '（空）'}”")


class Reasons:
    """Collects rejection reasons while a row is being built."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def read(self, fn, text: str | None, label: str, *args):
        """``fn(text)``, or None with the reason recorded."""
        if text is None or not str(text).strip():
            self.items.append(f"缺少{label}")
            return None
        try:
            return fn(text, *args)
        except ValueError as exc:
            self.items.append(f"{label}：{exc}")
            return None

    def add(self, reason: str) -> None:
        self.items.append(reason)

    def positive(self, value, reason: str):
        """``value`` as read; records ``reason`` (``{}`` stands for the value) when it is zero or negative."""
        if value is not None and value <= 0:
            self.items.append(reason.format(value))
        return value

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationError(self.items)
