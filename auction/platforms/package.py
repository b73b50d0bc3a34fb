"""Upload packages built from the platform table (``catalog.json``), written as a zip: ``manifest.json`` plus
the attachments. The same lot gives byte-identical zips (fixed timestamps, sorted entries), so a package's
SHA-256 identifies it in the ledger.

``TablePlatform`` is the adapter for any platform in the table. For the platforms on the SPC list it cannot call
their private upload APIs: ``publish`` writes the package to an outbox folder (one file per idempotency key, so a
retry never makes a second package) for a clerk or a connector to upload.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from auction.platforms.base import Attachment, PlatformError, Publication, UploadPackage
from auction.platforms.fields import listing_fields
from tax_baseline.money import yuan_text

MANIFEST_FORMAT = "xunpai-upload-package/1"
_KEY = re.compile(r"[A-Za-z0-9_-]{1,100}")  # an idempotency key names the package file: never a path
CATALOG_PATH = Path(__file__).with_name("catalog.json")

# Document keys as the document generator may name them, mapped onto the roles that the tabs ask for.
ROLE_ALIASES = {
    "拍卖公告": "announcement", "竞买公告": "announcement", "announcement": "announcement",
    "竞买须知": "bidder_notice", "bidder_notice": "bidder_notice",
    "标的物介绍": "lot_description", "lot_description": "lot_description",
    "调查情况表": "survey_sheet", "survey_sheet": "survey_sheet",
    "视频": "video", "video": "video",
}


@dataclass(frozen=True)
class PlatformSpec:
    code: str
    name: str
    operator: str
    url_template: str
    fields: dict[str, dict[str, Any]]
    tabs: dict[str, list[str]]
    status_codes: dict[str, str]
    status_field: str | None = None


@cache
def catalog() -> dict[str, PlatformSpec]:
    """The platform table, by code (ali, jd, rmfysszc, gpai, caa, local)."""
    raw = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    return {p["code"]: PlatformSpec(code=p["code"], name=p["name"], operator=p["operator"],
                                    url_template=p["url_template"], fields=p["fields"], tabs=p["tabs"],
                                    status_codes=p.get("status_codes", {}), status_field=p.get("status_field"))
            for p in raw["platforms"]}


def platform_spec(code: str) -> PlatformSpec:
    specs = catalog()
    if code not in specs:
        known = "、".join(f"{c}（{s.name}）" for c, s in specs.items())
        raise PlatformError(f"未知的拍卖平台“{code}”；可选：{known}。")
    return specs[code]


def _format(value: Any, fmt: str) -> Any:
    if value is None:
        return None
    if fmt == "yuan":
        return yuan_text(int(value))
    if fmt == "fen":
        return int(value)
    if fmt == "int":
        return int(value)
    if fmt == "list":
        return list(value)
    return value if isinstance(value, str) else str(value)


def _role_of(name: str, hint: str | None) -> str:
    for candidate in (hint, Path(name).stem):
        if candidate:
            if candidate in ROLE_ALIASES:
                return ROLE_ALIASES[candidate]
            for alias, role in ROLE_ALIASES.items():
                if alias in candidate:
                    return role
    return hint or "attachment"


def _as_attachments(key: str | None, value: Any) -> list[Attachment]:
    if isinstance(value, Attachment):
        return [value]
    if isinstance(value, bytes):
        return [Attachment(key or "attachment.bin", value, _role_of(key or "", key))]
    if isinstance(value, str | Path):
        path = Path(value)
        return [Attachment(path.name, path.read_bytes(), _role_of(path.name, key))]
    if isinstance(value, Mapping):
        out: list[Attachment] = []
        for sub_key, sub in value.items():
            if isinstance(sub, bytes) and sub_key in ("docx", "pdf"):
                out.append(Attachment(f"{key}.{sub_key}", sub, _role_of(key or "", key)))
            else:
                out.extend(_as_attachments(str(sub_key) if key is None else f"{key}", sub))
        return out
    # A rendered-document object: name/filename + content/data, or docx/pdf bytes, or a path.
    name = getattr(value, "filename", None) or getattr(value, "name", None) or key or "attachment"
    role_hint = getattr(value, "role", None) or getattr(value, "key", None) or getattr(value, "kind", None) or key
    content = getattr(value, "content", None) or getattr(value, "data", None)
    if isinstance(content, bytes):
        return [Attachment(str(name), content, _role_of(str(name), role_hint))]
    out = []
    for ext in ("docx", "pdf"):
        blob = getattr(value, ext, None)
        if isinstance(blob, bytes):
            stem = Path(str(name)).stem
            out.append(Attachment(f"{stem}.{ext}", blob, _role_of(stem, role_hint)))
        elif isinstance(blob, str | Path) and Path(blob).exists():
            out.append(Attachment(Path(blob).name, Path(blob).read_bytes(), _role_of(str(name), role_hint)))
    path = getattr(value, "path", None)
    if not out and path is not None:
        out.append(Attachment(Path(path).name, Path(path).read_bytes(), _role_of(Path(path).name, role_hint)))
    if not out:
        raise TypeError(f"cannot attach {type(value).__name__} ({name}) to an upload package")
    return out


def normalize_documents(documents: Any) -> tuple[Attachment, ...]:
    """Attachments from what the document generator returns: a mapping key -> bytes/path/rendered document,
    a list of paths or rendered documents, or ``None``. Names are made unique, order kept."""
    if documents is None:
        return ()
    items: list[Attachment] = []
    if isinstance(documents, Mapping):
        for key, value in documents.items():
            items.extend(_as_attachments(str(key), value))
    elif isinstance(documents, Iterable) and not isinstance(documents, str | bytes):
        for value in documents:
            items.extend(_as_attachments(None, value))
    else:
        items.extend(_as_attachments(None, documents))
    seen: dict[str, int] = {}
    unique = []
    for item in items:
        count = seen.get(item.name, 0)
        seen[item.name] = count + 1
        if count:
            stem, suffix = Path(item.name).stem, Path(item.name).suffix
            item = Attachment(f"{stem}-{count + 1}{suffix}", item.content, item.role)
        unique.append(item)
    return tuple(unique)


def build_package(spec: PlatformSpec, lot: Any, plan: Any, documents: Any) -> UploadPackage:
    """Map the canonical listing fields onto the platform's names and units; sort attachments into tabs."""
    canonical = listing_fields(lot, plan)
    fields: dict[str, Any] = {}
    for target, rule in spec.fields.items():
        rounds = rule.get("rounds")
        if rounds and canonical.get("round") not in rounds:
            continue
        value = _format(canonical.get(rule["from"]), rule.get("format", "text"))
        if value is not None:
            fields[target] = value
    attachments = normalize_documents(documents)
    tabs: dict[str, Any] = {}
    for tab, roles in spec.tabs.items():
        if roles == ["*"]:
            tabs[tab] = [a.name for a in attachments]
        elif roles and roles[0].startswith("@"):
            value = canonical.get(roles[0][1:])
            if value:
                tabs[tab] = value
        else:
            names = [a.name for a in attachments if a.role in roles]
            if names:
                tabs[tab] = names
    lot_code = str(canonical.get("lot_code") or "")
    manifest = {
        "format": MANIFEST_FORMAT,
        "platform": spec.code,
        "platform_name": spec.name,
        "lot_code": lot_code,
        "case_number": canonical.get("case_number"),
        "court_code": canonical.get("court_code"),
        "fields": fields,
        "tabs": tabs,
        "attachments": [{"name": a.name, "role": a.role, "size": len(a.content), "sha256": a.sha256}
                        for a in attachments],
    }
    return UploadPackage(platform=spec.code, lot_code=lot_code, fields=fields, tabs=tabs,
                         attachments=attachments, manifest=manifest)


def read_package(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and the attachments of a package zip (checked against the manifest's hashes)."""

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(archive.read("manifest.json").decode("utf-8"))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PlatformError(f"上传包无法读取：应为含 manifest.json 的 zip 文件（{exc}）。") from exc
    if manifest.get("format") != MANIFEST_FORMAT:
        raise PlatformError(f"上传包格式“{manifest.get('format')}”不受支持，应为 {MANIFEST_FORMAT}。")
    files = {}
    for entry in manifest.get("attachments", []):
        blob = archive.read(f"attachments/{entry['name']}")
        if hashlib.sha256(blob).hexdigest() != entry["sha256"]:
            raise PlatformError(f"附件“{entry['name']}”与清单中的哈希不一致，上传包已损坏。")
        files[entry["name"]] = blob
    return manifest, files


class TablePlatform:
    """A platform from the table, without an upload interface xunpai may call (package only): ``publish`` leaves
    the package in ``outbox`` for the clerk to download and upload by hand; the file is named by the idempotency
    key, so the same key never makes two packages. The listing stays 准备就绪 until the clerk records the upload."""

    package_only = True

    def __init__(self, code: str, outbox: str | Path | None = None):
        self.spec = platform_spec(code)
        self.name = code
        self.outbox = Path(outbox) if outbox else None

    def build_package(self, lot: Any, plan: Any, documents: Any) -> UploadPackage:
        return build_package(self.spec, lot, plan, documents)

    def package_path(self, idempotency_key: str, action: str = "") -> Path:
        if self.outbox is None:
            raise PlatformError(f"{self.spec.name}的上传包目录未指定。")
        if not _KEY.fullmatch(idempotency_key) or action not in ("", "withdraw", "suspend"):
            raise PlatformError("上传包的编号无效。")
        return self.outbox / f"{self.spec.code}-{idempotency_key}{'-' + action if action else ''}.zip"

    def _write(self, target: Path, data: bytes) -> bool:
        target.parent.mkdir(parents=True, exist_ok=True)
        created = not target.exists()
        if created:
            partial = target.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(target)  # atomic: a killed process leaves no half package under the final name
        return created

    def publish(self, package: UploadPackage, idempotency_key: str) -> Publication:
        if self.outbox is None:
            raise PlatformError(f"{self.spec.name}没有可调用的上传接口：请指定上传包的存放目录（outbox）。")
        created = self._write(self.package_path(idempotency_key), package.to_zip())
        return Publication(platform=self.spec.code, remote_id=idempotency_key, url="", status="packaged",
                           created=created)

    def notice(self, idempotency_key: str, action: str, lot_code: str, reason: str) -> Publication:
        """A 撤回 or 暂缓 notice package (``manifest.json`` with the action and the reason) beside the upload
        package, for the clerk to hand to the platform; ``action`` is ``withdraw`` or ``suspend``."""
        manifest = {"format": MANIFEST_FORMAT, "platform": self.spec.code, "platform_name": self.spec.name,
                    "lot_code": lot_code, "action": action,
                    "action_name": {"withdraw": "撤回", "suspend": "暂缓"}[action], "reason": reason,
                    "fields": {}, "tabs": {}, "attachments": []}
        package = UploadPackage(self.spec.code, lot_code, {}, {}, (), manifest)
        self._write(self.package_path(idempotency_key, action), package.to_zip())
        return Publication(self.spec.code, idempotency_key, "", "withdrawn" if action == "withdraw" else "suspended",
                           created=True)

    def status(self, remote_id: str) -> Publication:
        target = self.package_path(remote_id)
        if not target.exists():
            raise PlatformError(f"{self.spec.name}的上传包“{remote_id}”不存在。")
        return Publication(self.spec.code, remote_id, "", "packaged", created=False)

    def decode_status(self, code: str | int) -> str:
        """A platform status code (e.g. 京东 auctionStatus 5) as xunpai's listing status ('withdrawn')."""
        key = str(code)
        if key not in self.spec.status_codes:
            raise PlatformError(f"{self.spec.name}的状态码“{code}”未知；已知：{sorted(self.spec.status_codes)}。")
        return self.spec.status_codes[key]
