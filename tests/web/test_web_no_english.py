"""No English word on any screen: the demo (``xunpai.demo.build_demo``) served in full, every page reachable by a
link crawled in a real browser as each role (administrator, judge, clerk, party), plus the pages a refused form
answers with; the visible text, titles, placeholders and button labels are read. Allowed: file-format names
(PDF, XLSX …), codes written in capitals and digits (a VIN, a plate, a platform's lot number) and text a user
typed or a machine made that the page marks ``translate="no"`` (a username, a hash, an address on the network)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.web.test_web_browser import ThreadServer, _page, browser  # noqa: F401 - fixtures
from web import create_app
from xunpai.demo.build import build_demo
from xunpai.storage.unit_of_work import UnitOfWork

pytestmark = pytest.mark.browser

FORMATS = {"pdf", "docx", "xlsx", "csv", "zip", "jpeg", "jpg", "png", "webp", "mp4", "mov", "webm", "mb", "kb",
           "excel", "wps", "yaml", "yml"}
WORD = re.compile(r"[A-Za-z0-9_\-]*[A-Za-z][A-Za-z0-9_\-]*")
SKIP = ("/logout", "/static/", "/download", ".pdf", ".docx", ".xlsx", ".zip", ".csv", "/media/")
PAGES_PER_ROLE = 400
PER_SHAPE = 3  # pages of one shape (/lots/<n>/documents/<kind> …) read per role: every screen, not every row

READ_TEXT = """() => {
  const root = document.documentElement.cloneNode(true);
  root.querySelectorAll('[translate=no], script, style, noscript').forEach(e => e.remove());
  const extra = [];
  root.querySelectorAll('[placeholder],[title],[alt],[aria-label]').forEach(e => {
    for (const a of ['placeholder', 'title', 'alt', 'aria-label']) { if (e.getAttribute(a)) extra.push(e.getAttribute(a)); }
  });
  root.querySelectorAll('input[type=submit],input[type=button]').forEach(e => extra.push(e.value));
  const body = root.querySelector('body');
  return [document.title, body ? body.innerText || body.textContent : '', ...extra].join('\\n');
}"""


def english_words(text: str) -> set[str]:
    """Words with a lower-case Latin letter that are not a file format: the English that leaks into a screen."""
    text = re.sub(r"https?://\S+", " ", text)
    found = set()
    for word in WORD.findall(text):
        letters = re.sub(r"[^A-Za-z]", "", word)
        if len(letters) < 2 or letters.lower() in FORMATS or not any(c.islower() for c in letters):
            continue
        if any(c.isdigit() for c in word):  # a model or a code (530Li, MP4, a hash), not a word
            continue
        found.add(word)
    return found


def test_the_word_check_finds_what_leaked_and_passes_codes():
    assert english_words("状态：in_custody，文书预览 announcement") == {"in_custody", "announcement"}
    assert english_words("Internal Server Error") == {"Internal", "Server", "Error"}
    assert english_words("车架号 LSVAB12345678 下载 PDF 或 .xlsx，MP4 视频，平台标的号 LP00000001") == set()
    assert english_words("如“宝马5系 2020款 530Li 领先型”") == set()
    assert english_words("见 https://sf-item.taobao.com/sf_item/1.htm") == set()


@pytest.fixture
def demo_site(engine, tmp_path):
    from auction.platforms.local_server import create_app as platform_app

    info = build_demo(UnitOfWork(engine), out_dir=tmp_path / "demo")
    platform = ThreadServer(platform_app(tmp_path / "platform"))
    app = create_app({"ENGINE": engine, "SECRET_KEY": "crawl-secret", "UPLOAD_DIR": str(tmp_path / "uploads"),
                      "LOCAL_PLATFORM_URL": platform.url, "OUTBOX_DIR": str(tmp_path / "outbox"),
                      "OFF_PEAK_SENDER": False, "JOBS_INLINE": True})
    server = ThreadServer(app)
    yield server.url, info.credentials
    server.close()
    platform.close()


def _crawl(page, base: str, start: str) -> tuple[int, dict[str, list[str]]]:
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = [base + start]
    found: dict[str, list[str]] = {}
    host = urlsplit(base).netloc
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.pop(0).split("#")[0]
        if url in seen:
            continue
        seen.add(url)
        shape = re.sub(r"\d+", "#", urlsplit(url).path) + ("?" + urlsplit(url).query.split("=")[0]
                                                          if urlsplit(url).query else "")
        shapes[shape] = shapes.get(shape, 0) + 1
        if shapes[shape] > PER_SHAPE:
            continue
        response = page.goto(url)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        words = english_words(page.evaluate(READ_TEXT))
        if words:
            found[url] = sorted(words)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if parts.netloc == host and not any(s in parts.path for s in SKIP) and href.split("#")[0] not in seen:
                queue.append(href)
    return len(seen), found


def _staff_login(page, base, username, password):
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_no_english_on_any_page_of_the_demo_for_any_role(browser, demo_site):  # noqa: F811
    base, credentials = demo_site
    leaks: dict[str, dict[str, list[str]]] = {}
    counts = {}
    for role in ("admin", "judge", "clerk"):
        page = _page(browser)
        _staff_login(page, base, role, credentials[role])
        counts[role], leaks[role] = _crawl(page, base, "/")
        if role == "clerk":  # the pages a refused form answers with
            page.goto(base + "/lots/new")
            page.fill("[name='建成年份']", "99999")
            page.click("button[value=build]")
            page.wait_for_load_state()
            words = english_words(page.evaluate(READ_TEXT))
            if words:
                leaks[role]["/lots/new (refused)"] = sorted(words)
        page.goto(base + "/no-such-page")
        words = english_words(page.evaluate(READ_TEXT))
        if words:
            leaks[role]["404"] = sorted(words)
        page.context.close()
    for label, code in credentials.items():
        match = re.search(r"（\d{4}）浙\d{4}执\d+号", label)
        if "查询码" not in label or match is None:
            continue
        page = _page(browser)
        page.goto(base + "/party/login")
        page.fill("input[name=case_number]", match.group(0))
        page.fill("input[name=access_code]", code)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        counts[label], leaks[label] = _crawl(page, base, "/party")
        page.context.close()
    assert counts["clerk"] > 20 and counts["judge"] > 5 and counts["admin"] > 5, counts
    assert len(counts) >= 5, counts  # three staff roles and the demo's parties
    by_word: dict[str, set[str]] = {}
    for who, pages in leaks.items():
        for url, words in pages.items():
            for word in words:
                by_word.setdefault(word, set()).add(f"{who.split()[0]} {urlsplit(url).path or url}")
    assert not by_word, "\n".join(f"{w}: {sorted(p)[:3]}" for w, p in sorted(by_word.items()))
