"""A small local site that behaves like the public sites the collectors read, for tests and demos.

Every page is an empty shell whose content is rendered by JavaScript from a JSON endpoint (``fetch`` on the
auction and housing pages, ``XMLHttpRequest`` on the land pages); the housing list loads more rows when the
reader scrolls to the bottom. Faults are injected per request path (path plus query string), consumed in
order: ``("status", 429, retry_after)``, ``("status", 500, None)``, ``("delay", seconds)``, ``("drop",)``
(the connection is closed without an answer). Pages listed in
``changed_markup`` render the new markup of a redesigned site. Every request is logged (time, path, user
agent, status) so tests can check politeness.

Bound to 127.0.0.1 on a free port by :class:`FixtureSite`; never part of the production application.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal

from flask import Flask, Response, abort, request
from werkzeug.serving import WSGIRequestHandler, make_server

from scrapers.fixture_site import data

DEFAULT_ROBOTS = "User-agent: *\nDisallow: /admin/\n"


@dataclass
class LoggedRequest:
    at: float
    path: str
    user_agent: str
    status: int


@dataclass
class SiteState:
    faults: dict[str, deque] = field(default_factory=dict)
    changed_markup: set[str] = field(default_factory=set)
    robots: str = DEFAULT_ROBOTS
    housing: list[dict] = field(default_factory=lambda: data.HOUSING_DEALS)
    housing_page_size: int = data.HOUSING_PAGE_SIZE
    housing_chunk: int = data.HOUSING_CHUNK
    log: list[LoggedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_fault(self, path: str, *faults: tuple) -> None:
        with self.lock:
            self.faults.setdefault(path, deque()).extend(faults)

    def reset(self) -> None:
        with self.lock:
            self.faults.clear()
            self.changed_markup.clear()
            self.robots = DEFAULT_ROBOTS
            self.housing = data.HOUSING_DEALS
            self.housing_page_size, self.housing_chunk = data.HOUSING_PAGE_SIZE, data.HOUSING_CHUNK
            self.log.clear()


# ---------------------------------------------------------------------------------------------------
# formatting, as the real sites write it
# ---------------------------------------------------------------------------------------------------

def yuan(fen: int) -> str:
    """¥1,234,567.00"""
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def wan(fen: int) -> str:
    """A price in 万元 with no trailing zeros: 171000000 fen → 171万元."""
    value = (Decimal(fen) / Decimal(1_000_000)).normalize()
    return f"{value:f}万元"


def _page_slice(items: list, page: int, size: int) -> tuple[list, int]:
    pages = max(1, -(-len(items) // size))
    if page < 1 or page > pages:
        abort(404)
    return items[(page - 1) * size : page * size], pages


SHELL = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif}} li.deal{{min-height:420px;border-bottom:1px solid #ccc}}</style>
</head><body><h1>{title}</h1><main id="app"><p class="loading">加载中…</p></main>
<script>{script}</script></body></html>"""

PAGER_JS = """
function pager(cur, total, base) {
  const next = cur < total ? `<a class="next" href="${base}?page=${cur + 1}">下一页</a>`
                           : '<span class="next disabled">下一页</span>';
  return `<div class="pager">第 <span class="current">${cur}</span> 页 / 共 <span class="total">${total}</span> 页 ${next}</div>`;
}
function failed(status) {
  document.getElementById('app').innerHTML = `<p class="error">加载失败（${status}），请稍后再试</p>`;
}
"""


def create_app(state: SiteState | None = None) -> Flask:
    app = Flask(__name__)
    state = state or SiteState()
    app.config["SITE_STATE"] = state

    @app.before_request
    def inject_fault():
        key = request.full_path.rstrip("?")
        with state.lock:
            queue = state.faults.get(key)
            fault = queue.popleft() if queue else None
        if fault is None:
            return None
        if fault[0] == "delay":
            time.sleep(fault[1])
            return None
        if fault[0] == "drop":  # the connection closes without an answer (ERR_EMPTY_RESPONSE)

            request.environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
            return Response(status=204)
        _kind, status, retry_after = fault
        response = Response(f"fault {status}", status=status, mimetype="text/plain")
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.after_request
    def log_request(response):
        with state.lock:
            state.log.append(LoggedRequest(time.monotonic(), request.full_path.rstrip("?"),
                                           request.headers.get("User-Agent", ""), response.status_code))
        return response

    def shell(title: str, script: str) -> Response:
        return Response(SHELL.format(title=title, script=PAGER_JS + script), mimetype="text/html")

    def as_json(value) -> Response:
        return Response(json.dumps(value, ensure_ascii=False), mimetype="application/json")

    def changed(name: str) -> bool:
        return name in state.changed_markup

    @app.get("/favicon.ico")
    def favicon():
        return Response(status=204)

    @app.get("/robots.txt")
    def robots():
        return Response(state.robots, mimetype="text/plain")

    # --- judicial auctions ---------------------------------------------------------------------------
    @app.get("/auction/list")
    def auction_list():
        page = request.args.get("page", 1, type=int)
        new = "true" if changed(f"auction/list?page={page}") else "false"
        return shell("司法拍卖 · 标的列表", f"""
fetch('/api/auction/list?page={page}').then(r => {{ if (!r.ok) throw r.status; return r.json(); }}).then(d => {{
  const rows = d.items.map(x => {new}
    ? `<div class="lot-card" data-id="${{x.id}}"><a href="/auction/lot/${{x.id}}">${{x.title}}</a><em>${{x.start}}</em></div>`
    : `<tr data-id="${{x.id}}"><td><a href="/auction/lot/${{x.id}}">${{x.title}}</a></td><td>${{x.case_number}}</td>
       <td>${{x.start}}</td><td>${{x.status}}</td><td>${{x.end}}</td></tr>`).join('');
  document.getElementById('app').innerHTML = {new}
    ? `<section class="cards">${{rows}}</section>` + pager(d.page, d.pages, '/auction/list')
    : `<table id="lots"><thead><tr><th>标的物</th><th>案号</th><th>起拍价</th><th>状态</th><th>结束时间</th></tr></thead>
       <tbody>${{rows}}</tbody></table>` + pager(d.page, d.pages, '/auction/list');
}}).catch(failed);""")

    @app.get("/api/auction/list")
    def api_auction_list():
        page = request.args.get("page", 1, type=int)
        items, pages = _page_slice(data.AUCTION_LOTS, page, data.AUCTION_PAGE_SIZE)
        return as_json({"page": page, "pages": pages, "items": [
            {"id": x["id"], "title": x["title"], "case_number": x["case_number"], "start": yuan(x["starting_fen"]),
             "status": x["status"], "end": x["end"].strftime("%Y-%m-%d %H:%M:%S")} for x in items]})

    @app.get("/auction/lot/<int:lot_id>")
    def auction_lot(lot_id: int):
        return shell("司法拍卖 · 标的详情", f"""
const xhr = new XMLHttpRequest();
xhr.open('GET', '/api/auction/lot/{lot_id}');
xhr.onload = () => {{
  if (xhr.status !== 200) return failed(xhr.status);
  const d = JSON.parse(xhr.responseText);
  const dl = d.fields.map(([k, v]) => `<dt>${{k}}</dt><dd>${{v}}</dd>`).join('');
  const res = d.result.map(([k, v]) => `<dt>${{k}}</dt><dd>${{v}}</dd>`).join('');
  document.getElementById('app').innerHTML = `<h2 class="lot-title">${{d.title}}</h2><dl id="lot-detail">${{dl}}</dl>`
    + `<section id="result"><h3>拍卖结果</h3><dl>${{res}}</dl></section>`;
}};
xhr.send();""")

    @app.get("/api/auction/lot/<int:lot_id>")
    def api_auction_lot(lot_id: int):
        lot = next((x for x in data.AUCTION_LOTS if x["id"] == lot_id), None)
        if lot is None:
            abort(404)
        fields = [["法院", lot["court"]], ["案号", lot["case_number"]], ["标的类型", lot["kind"]],
                  ["标的物所在地", lot["address"]]]
        if lot["area"] is not None:
            fields.append(["建筑面积", f"{lot['area']}㎡"])
        fields += [[lot["reference_label"], wan(lot["reference_fen"])], ["起拍价", yuan(lot["starting_fen"])],
                   ["保证金", yuan(lot["deposit_fen"])], ["加价幅度", yuan(lot["increment_fen"])],
                   ["拍卖轮次", lot["round"]], ["公告日期", lot["announced"].strftime("%Y年%-m月%-d日")],
                   ["竞价时间", f"{lot['start']:%Y-%m-%d %H:%M:%S} 至 {lot['end']:%Y-%m-%d %H:%M:%S}"]]
        result = [["拍卖状态", lot["status"]], ["成交价", yuan(lot["final_fen"]) if lot["final_fen"] else "—"],
                  ["出价次数", f"{lot['bid_count']}次"]]
        return as_json({"title": lot["title"], "fields": fields, "result": result})

    # --- second-hand housing transactions --------------------------------------------------------------
    @app.get("/housing/deals")
    def housing_deals():
        page = request.args.get("page", 1, type=int)
        _items, pages = _page_slice(state.housing, page, state.housing_page_size)
        new = "true" if changed(f"housing/deals?page={page}") else "false"
        return shell("二手房成交", f"""
const NEW = {new};
document.getElementById('app').innerHTML = (NEW ? '<div id="deal-grid"></div>' : '<ul id="deals"></ul>')
  + '<p id="more" data-done="0">加载更多…</p>' + pager({page}, {pages}, '/housing/deals');
let offset = 0, busy = false;
function more() {{
  if (busy) return; busy = true;
  fetch(`/api/housing/deals?page={page}&offset=${{offset}}&limit={state.housing_chunk}`)
    .then(r => {{ if (!r.ok) throw r.status; return r.json(); }}).then(d => {{
      const box = document.getElementById(NEW ? 'deal-grid' : 'deals');
      for (const x of d.items) {{
        box.insertAdjacentHTML('beforeend', NEW
          ? `<div class="deal-card" data-id="${{x.id}}"><b>${{x.community}}</b> ${{x.floor}} ${{x.area}} ${{x.total}}</div>`
          : `<li class="deal" data-id="${{x.id}}"><div class="community">${{x.community}}</div>
             <div class="floor">${{x.floor}}</div><div class="orientation">${{x.orientation}}</div>
             <div class="area">${{x.area}}</div><div class="total">${{x.total}}</div>
             <div class="unit">${{x.unit}}</div><div class="date">${{x.date}}</div></li>`);
      }}
      offset += d.items.length; busy = false;
      if (!d.more) {{ const m = document.getElementById('more'); m.dataset.done = '1'; m.textContent = '没有更多了'; obs.disconnect(); }}
    }}).catch(s => {{ busy = false; failed(s); }});
}}
const obs = new IntersectionObserver(es => {{ if (es.some(e => e.isIntersecting)) more(); }});
obs.observe(document.getElementById('more'));""")

    @app.get("/api/housing/deals")
    def api_housing_deals():
        page = request.args.get("page", 1, type=int)
        offset = request.args.get("offset", 0, type=int)
        limit = request.args.get("limit", state.housing_chunk, type=int)
        items, _pages = _page_slice(state.housing, page, state.housing_page_size)
        chunk = items[offset : offset + limit]
        return as_json({"more": offset + limit < len(items), "items": [
            {"id": x["id"], "community": x["community"], "floor": x["floor"], "orientation": x["orientation"],
             "area": f"{x['area']}㎡", "total": wan(x["total_fen"]).removesuffix("元"),
             "unit": f"{x['unit_yuan']}元/平", "date": x["date"].strftime("%Y.%m.%d")} for x in chunk]})

    # --- land-sale result notices ----------------------------------------------------------------------
    @app.get("/land/notices")
    def land_notices():
        page = request.args.get("page", 1, type=int)
        return shell("土地出让结果公示", f"""
const xhr = new XMLHttpRequest();
xhr.open('GET', '/api/land/notices?page={page}');
xhr.onload = () => {{
  if (xhr.status !== 200) return failed(xhr.status);
  const d = JSON.parse(xhr.responseText);
  const li = d.items.map(x => `<li data-id="${{x.id}}"><a href="/land/notice/${{x.id}}">${{x.title}}</a>
    <span class="date">${{x.date}}</span></li>`).join('');
  document.getElementById('app').innerHTML = `<ul id="notices">${{li}}</ul>` + pager(d.page, d.pages, '/land/notices');
}};
xhr.send();""")

    @app.get("/api/land/notices")
    def api_land_notices():
        page = request.args.get("page", 1, type=int)
        items, pages = _page_slice(data.LAND_NOTICES, page, data.LAND_PAGE_SIZE)
        return as_json({"page": page, "pages": pages, "items": [
            {"id": x["id"], "title": x["title"], "date": x["date"].isoformat()} for x in items]})

    @app.get("/land/notice/<int:notice_id>")
    def land_notice(notice_id: int):
        new = "true" if changed(f"land/notice/{notice_id}") else "false"
        return shell("土地出让结果公示 · 详情", f"""
fetch('/api/land/notice/{notice_id}').then(r => {{ if (!r.ok) throw r.status; return r.json(); }}).then(d => {{
  const head = {new} ? ['宗地编号', '土地用途', '出让面积', '成交价', '受让单位']
                     : ['地块编号', '用途', '面积', '成交价', '竞得人'];
  const rows = d.parcels.map(p => `<tr><td>${{p.parcel}}</td><td>${{p.use}}</td><td>${{p.area}}</td>
    <td>${{p.price}}</td><td>${{p.buyer}}</td></tr>`).join('');
  document.getElementById('app').innerHTML = `<h2 class="notice-title">${{d.title}}</h2>
    <p class="deal-date">成交日期：${{d.date}}</p>
    <table class="parcels"><thead><tr>${{head.map(h => `<th>${{h}}</th>`).join('')}}</tr></thead><tbody>${{rows}}</tbody></table>`;
}}).catch(failed);""")

    @app.get("/api/land/notice/<int:notice_id>")
    def api_land_notice(notice_id: int):
        notice = next((x for x in data.LAND_NOTICES if x["id"] == notice_id), None)
        if notice is None:
            abort(404)
        d = notice["date"]
        return as_json({"title": notice["title"], "date": f"{d.year}年{d.month}月{d.day}日", "parcels": [
            {"parcel": p["parcel"], "use": p["use"], "area": f"{p['area']}平方米", "price": wan(p["price_fen"]),
             "buyer": p["buyer"]} for p in notice["parcels"]]})

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # the site keeps its own log in SiteState
        pass


class FixtureSite:
    """The fixture site served on 127.0.0.1 at a free port, in a background thread.

    ``with FixtureSite() as site: site.url`` … ``site.state.add_fault("/api/auction/list?page=2", ("status", 429, 1))``.
    """

    def __init__(self, state: SiteState | None = None) -> None:
        self.state = state or SiteState()
        self._server = make_server("127.0.0.1", 0, create_app(self.state), threaded=True,
                                   request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fixture-site", daemon=True)

    def __enter__(self) -> FixtureSite:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


if __name__ == "__main__":  # python -m scrapers.fixture_site.app: serve for a manual try
    with FixtureSite() as site:
        print(f"fixture site at {site.url} (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
