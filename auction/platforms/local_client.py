"""``LocalPlatform(base_url)``: the ``Platform`` interface spoken over HTTP to the local platform server.

One keep-alive HTTP connection is reused for all calls (a bulk publish of a thousand lots does not open a
thousand connections); a dropped connection is reopened once, and a failure to reach the server raises
``PlatformUnavailable`` — safe to retry, because the idempotency key travels with every publication.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import quote, urlsplit

from auction.platforms.base import Platform, PlatformError, PlatformUnavailable, Publication, UploadPackage
from auction.platforms.package import build_package, platform_spec


class LocalPlatform(Platform):
    name = "local"
    package_only = False

    def __init__(self, base_url: str, timeout: float = 30.0, reuse_connection: bool = True):
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise PlatformError(f"本地平台地址“{base_url}”无效，应形如 http://127.0.0.1:8765。")
        self.base_url = base_url.rstrip("/")
        self._host, self._port = parts.hostname, parts.port or 80
        self._timeout = timeout
        self._reuse = reuse_connection
        self._conn: http.client.HTTPConnection | None = None
        self.spec = platform_spec("local")

    def build_package(self, lot: Any, plan: Any, documents: Any) -> UploadPackage:
        return build_package(self.spec, lot, plan, documents)

    def _request(self, method: str, path: str, body: bytes | None = None,
                 headers: dict[str, str] | None = None) -> tuple[int, dict]:
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
            try:
                self._conn.request(method, path, body=body, headers=headers or {})
                response = self._conn.getresponse()
                payload = response.read()
                if not self._reuse or response.getheader("Connection", "").lower() == "close":
                    self.close()
                try:
                    data = json.loads(payload.decode("utf-8")) if payload else {}
                except ValueError:
                    data = {"error": payload[:200].decode("utf-8", "replace")}
                return response.status, data
            except (ConnectionError, http.client.HTTPException, TimeoutError, OSError) as exc:
                self.close()
                if attempt == 2:
                    raise PlatformUnavailable(f"无法连接本地拍卖平台 {self.base_url}：{exc}") from exc
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _publication(self, data: dict) -> Publication:
        return Publication(platform="local", remote_id=data["remote_id"], url=data["url"], status=data["status"],
                           created=bool(data.get("created", False)))

    def publish(self, package: UploadPackage, idempotency_key: str) -> Publication:
        status, data = self._request("POST", "/api/publications", body=package.to_zip(),
                                     headers={"Content-Type": "application/zip",
                                              "Idempotency-Key": idempotency_key})
        if status not in (200, 201):
            raise PlatformError(f"本地拍卖平台拒绝发布（HTTP {status}）：{data.get('error', '')}")
        return self._publication(data)

    def find(self, idempotency_key: str) -> Publication | None:
        """The listing made with this key, if any (for reconciling after a crash)."""
        status, data = self._request("GET", f"/api/publications?idempotency_key={quote(idempotency_key)}")
        if status == 404:
            return None
        if status != 200:
            raise PlatformError(f"本地拍卖平台查询失败（HTTP {status}）：{data.get('error', '')}")
        return self._publication(data)

    def status(self, remote_id: str) -> Publication:
        status, data = self._request("GET", f"/api/publications/{quote(remote_id)}")
        if status != 200:
            raise PlatformError(f"本地拍卖平台查询标的 {remote_id} 失败（HTTP {status}）：{data.get('error', '')}")
        return self._publication(data)

    def set_status(self, remote_id: str, new_status: str) -> Publication:
        status, data = self._request("POST", f"/api/publications/{quote(remote_id)}/status",
                                     body=json.dumps({"status": new_status}).encode(),
                                     headers={"Content-Type": "application/json"})
        if status != 200:
            raise PlatformError(f"本地拍卖平台更新状态失败（HTTP {status}）：{data.get('error', '')}")
        return self._publication(data)

    def notice(self, remote_id: str, action: str, lot_code: str, reason: str) -> Publication:
        """撤回 (``withdraw``) or 暂缓 (``suspend``) the listing on the platform."""
        return self.set_status(remote_id, "withdrawn" if action == "withdraw" else "suspended")

    def result(self, remote_id: str) -> dict | None:
        """The auction's result as the platform reports it (outcome, price_fen, buyer_name, bidder_code, ended_on),
        or None while the auction has not ended."""
        status, data = self._request("GET", f"/api/publications/{quote(remote_id)}/result")
        if status == 404:
            return None
        if status != 200:
            raise PlatformError(f"本地拍卖平台查询结果失败（HTTP {status}）：{data.get('error', '')}")
        return data

    def set_result(self, remote_id: str, result: dict) -> dict:
        """Record the auction's end on the platform (the demo's and the tests' stand-in for bidders)."""
        status, data = self._request("POST", f"/api/publications/{quote(remote_id)}/result",
                                     body=json.dumps(result).encode(), headers={"Content-Type": "application/json"})
        if status != 200:
            raise PlatformError(f"本地拍卖平台登记结果失败（HTTP {status}）：{data.get('error', '')}")
        return data

    def listings(self) -> list[dict]:
        status, data = self._request("GET", "/api/publications")
        if status != 200:
            raise PlatformError(f"本地拍卖平台列表查询失败（HTTP {status}）")
        return data["listings"]
