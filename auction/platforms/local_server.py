"""The local auction platform (本地拍卖平台): a small HTTP service the project runs itself, for the demo and the
tests. It accepts upload packages (zip with ``manifest.json``) over the same ``Platform`` interface as the
public platforms, stores them in its own SQLite file and folder, and shows each listing as a page.

Idempotency: ``POST /api/publications`` requires an ``Idempotency-Key`` header; the key is UNIQUE in the
listings table, so the same key never creates a second listing, even when two requests race — the loser of
the race gets the earlier listing back (HTTP 200, ``created: false``).

Run it with ``xunpai platform serve --port 8765 --data-dir DIR`` (waitress) or ``create_app(data_dir)``.
"""

from __future__ import annotations

import hashlib
import html
import json
import sqlite3
from datetime import datetime
from pathlib import Path

from flask import Flask, Response, abort, jsonify, request
from waitress import serve as waitress_serve

from auction.platforms.base import LISTING_STATUSES, PlatformError
from auction.platforms.package import platform_spec, read_package
from tax_baseline.money import yuan_text

SCHEMA = """
create table if not exists listings (
    id integer primary key autoincrement,
    idempotency_key text not null unique,
    lot_code text not null,
    title text not null,
    fields text not null,
    manifest text not null,
    package_sha256 text not null,
    status text not null,
    created_at text not null,
    updated_at text not null
);
create table if not exists results (
    listing_id integer primary key references listings (id),
    result text not null,
    recorded_at text not null
);
"""
OUTCOMES = ("sold", "unsold", "reneged")
MAX_PACKAGE_BYTES = 200 * 1024 * 1024
FIELD_LABELS = {
    "title": "标的名称", "lot_code": "标的编号", "kind": "标的物类型", "round": "拍卖轮次", "case_number": "案号",
    "court_code": "法院代字", "starting_price_fen": "起拍价", "deposit_fen": "保证金", "reference_price_fen": "评估价",
    "bid_increment_fen": "加价幅度", "bidding_starts_at": "开拍时间", "bidding_ends_at": "结束时间",
    "extension_minutes": "延时周期（分钟）", "priority_purchasers": "优先购买权人",
}


def _remote_id(row_id: int) -> str:
    return f"LP{row_id:08d}"


def _row_id(remote_id: str) -> int:
    if not remote_id.startswith("LP") or not remote_id[2:].isdigit():
        abort(404)
    return int(remote_id[2:])


def create_app(data_dir: str | Path) -> Flask:
    data = Path(data_dir)
    (data / "packages").mkdir(parents=True, exist_ok=True)
    db_path = data / "local_platform.sqlite3"
    with sqlite3.connect(db_path) as conn:
        conn.execute("pragma journal_mode=wal")
        conn.executescript(SCHEMA)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_PACKAGE_BYTES

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(db_path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("pragma synchronous=normal")
        conn.execute("pragma busy_timeout=30000")
        return conn

    def as_json(row: sqlite3.Row, created: bool) -> dict:
        remote_id = _remote_id(row["id"])
        return {"remote_id": remote_id, "url": f"{request.host_url.rstrip('/')}/lots/{remote_id}",
                "status": row["status"], "created": created, "idempotency_key": row["idempotency_key"],
                "lot_code": row["lot_code"], "package_sha256": row["package_sha256"]}

    @app.post("/api/publications")
    def publish():
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key or len(key) > 200:
            return jsonify(error="缺少 Idempotency-Key 请求头（1-200 个字符）。"), 400
        conn = connect()
        try:
            existing = conn.execute("select * from listings where idempotency_key = ?", (key,)).fetchone()
            if existing is not None:
                return jsonify(as_json(existing, created=False)), 200
            body = request.get_data()
            try:
                manifest, _files = read_package(body)
            except PlatformError as exc:
                return jsonify(error=str(exc)), 422
            digest = hashlib.sha256(body).hexdigest()
            now = datetime.now().isoformat(timespec="seconds")
            fields = manifest.get("fields", {})
            try:
                conn.execute("begin immediate")
                cursor = conn.execute(
                    "insert into listings (idempotency_key, lot_code, title, fields, manifest, package_sha256,"
                    " status, created_at, updated_at) values (?, ?, ?, ?, ?, ?, 'announced', ?, ?)",
                    (key, manifest.get("lot_code") or "", str(fields.get("title") or manifest.get("lot_code")),
                     json.dumps(fields, ensure_ascii=False), json.dumps(manifest, ensure_ascii=False), digest,
                     now, now))
                row_id = cursor.lastrowid
                target = data / "packages" / f"{_remote_id(row_id)}.zip"
                partial = target.with_suffix(".part")
                partial.write_bytes(body)
                partial.replace(target)
                conn.execute("commit")
            except sqlite3.IntegrityError:
                conn.execute("rollback")
                existing = conn.execute("select * from listings where idempotency_key = ?", (key,)).fetchone()
                return jsonify(as_json(existing, created=False)), 200
            row = conn.execute("select * from listings where id = ?", (row_id,)).fetchone()
            return jsonify(as_json(row, created=True)), 201
        finally:
            conn.close()

    @app.get("/api/publications")
    def lookup():
        conn = connect()
        try:
            key = request.args.get("idempotency_key")
            if key:
                row = conn.execute("select * from listings where idempotency_key = ?", (key,)).fetchone()
                if row is None:
                    return jsonify(error="没有以该幂等键发布的标的。"), 404
                return jsonify(as_json(row, created=False))
            rows = conn.execute("select * from listings order by id").fetchall()
            return jsonify(count=len(rows), listings=[as_json(r, created=False) for r in rows])
        finally:
            conn.close()

    @app.get("/api/publications/<remote_id>")
    def status(remote_id: str):
        conn = connect()
        try:
            row = conn.execute("select * from listings where id = ?", (_row_id(remote_id),)).fetchone()
            if row is None:
                return jsonify(error=f"标的 {remote_id} 不存在。"), 404
            return jsonify(as_json(row, created=False))
        finally:
            conn.close()

    @app.post("/api/publications/<remote_id>/status")
    def set_status(remote_id: str):
        new_status = (request.get_json(silent=True) or {}).get("status")
        if new_status not in LISTING_STATUSES:
            return jsonify(error=f"状态“{new_status}”无效，应为：{'、'.join(LISTING_STATUSES)}。"), 400
        conn = connect()
        try:
            cursor = conn.execute("update listings set status = ?, updated_at = ? where id = ?",
                                  (new_status, datetime.now().isoformat(timespec="seconds"), _row_id(remote_id)))
            if cursor.rowcount == 0:
                return jsonify(error=f"标的 {remote_id} 不存在。"), 404
            row = conn.execute("select * from listings where id = ?", (_row_id(remote_id),)).fetchone()
            return jsonify(as_json(row, created=False))
        finally:
            conn.close()

    @app.post("/api/publications/<remote_id>/result")
    def set_result(remote_id: str):
        """The auction ended (the stand-in for the bidders): outcome sold/unsold/reneged, price_fen when sold."""
        body = request.get_json(silent=True) or {}
        outcome = body.get("outcome")
        if outcome not in OUTCOMES:
            return jsonify(error=f"结果“{outcome}”无效，应为成交、流拍或悔拍。"), 400
        price = body.get("price_fen")
        if outcome == "sold" and (not isinstance(price, int) or not 0 < price < 10 ** 15):
            return jsonify(error="成交时应给出成交价（分，正整数）。"), 400
        result = {"outcome": outcome, "price_fen": price if outcome == "sold" else None,
                  "buyer_name": str(body.get("buyer_name") or "")[:100],
                  "bidder_code": str(body.get("bidder_code") or "")[:40],
                  "ended_on": str(body.get("ended_on") or datetime.now().date().isoformat())[:10]}
        conn = connect()
        try:
            row_id = _row_id(remote_id)
            if conn.execute("select 1 from listings where id = ?", (row_id,)).fetchone() is None:
                return jsonify(error=f"标的 {remote_id} 不存在。"), 404
            now = datetime.now().isoformat(timespec="seconds")
            conn.execute("insert or replace into results (listing_id, result, recorded_at) values (?, ?, ?)",
                         (row_id, json.dumps(result, ensure_ascii=False), now))
            conn.execute("update listings set status = 'ended', updated_at = ? where id = ?", (now, row_id))
            return jsonify(result)
        finally:
            conn.close()

    @app.get("/api/publications/<remote_id>/result")
    def get_result(remote_id: str):
        conn = connect()
        try:
            row = conn.execute("select result from results where listing_id = ?", (_row_id(remote_id),)).fetchone()
        finally:
            conn.close()
        if row is None:
            return jsonify(error="该标的尚无拍卖结果。"), 404
        return jsonify(json.loads(row["result"]))

    @app.get("/api/health")
    def health():
        return jsonify(ok=True)

    @app.get("/")
    def index():
        """The address `xunpai platform serve` prints: the published lots, newest first (it answered 404)."""
        conn = connect()
        try:
            rows = conn.execute("select id, lot_code, title, status, created_at from listings order by id desc"
                                " limit 500").fetchall()
            total = conn.execute("select count(*) from listings").fetchone()[0]
        finally:
            conn.close()
        items = "".join(
            f"<tr><td><a href='/lots/{_remote_id(r['id'])}'>{html.escape(_remote_id(r['id']))}</a></td>"
            f"<td>{html.escape(r['lot_code'])}</td><td>{html.escape(r['title'])}</td>"
            f"<td>{LISTING_STATUSES.get(r['status'], r['status'])}</td><td>{html.escape(r['created_at'])}</td></tr>"
            for r in rows)
        body = (f"<table><tr><th>平台标的号</th><th>标的编号</th><th>标的名称</th><th>状态</th><th>发布时间</th></tr>"
                f"{items}</table>" if rows else "<p>尚无发布的标的。</p>")
        shown = f"（显示最新 {len(rows)} 个）" if total > len(rows) else ""
        page = ("<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>本地拍卖平台</title>"
                f"<h1>本地拍卖平台</h1><p>共 {total} 个标的{shown}。</p>{body}</html>")
        return Response(page, mimetype="text/html")

    @app.get("/lots/<remote_id>")
    def lot_page(remote_id: str):
        conn = connect()
        try:
            row = conn.execute("select * from listings where id = ?", (_row_id(remote_id),)).fetchone()
        finally:
            conn.close()
        if row is None:
            abort(404)
        fields = json.loads(row["fields"])
        manifest = json.loads(row["manifest"])
        order = list(platform_spec("local").fields)
        lines = []
        for key, value in sorted(fields.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99):
            label = FIELD_LABELS.get(key, key)
            shown = f"{yuan_text(value)} 元" if key.endswith("_fen") and isinstance(value, int) else value
            lines.append(f"<tr><th>{html.escape(label)}</th><td>{html.escape(str(shown))}</td></tr>")
        files = "".join(f"<li>{html.escape(a['name'])}</li>" for a in manifest.get("attachments", []))
        page = (f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>{html.escape(row['title'])}</title>"
                f"<h1>{html.escape(row['title'])}</h1><p>状态：{LISTING_STATUSES.get(row['status'], row['status'])}"
                f"（{remote_id}）</p><table>{''.join(lines)}</table><h2>附件</h2><ul>{files}</ul></html>")
        return Response(page, mimetype="text/html")

    return app


def serve(port: int, data_dir: str | Path, host: str = "127.0.0.1", threads: int = 4) -> None:
    waitress_serve(create_app(data_dir), host=host, port=port, threads=threads, ident="xunpai-local-platform")
