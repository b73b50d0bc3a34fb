"""The one platform interface (网络司法拍卖平台): build an upload package, publish it, ask for its status.

Every platform on the SPC list (网拍规定 art. 3: the platforms are chosen from the SPC's published list) is a row
of configuration (``catalog.json``), not a code path: the table says which field the platform calls what and in
which unit, and which tab carries which document. Publishing itself goes through an object that satisfies
``Platform``; the project's own local platform (``local_server``) is reached over HTTP with ``LocalPlatform``.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol, runtime_checkable

# Internal listing statuses and their Chinese names (京东 auctionStatus codes map onto these, see catalog.json).
LISTING_STATUSES: dict[str, str] = {
    "packaged": "已生成上传包",
    "announced": "预告中",
    "bidding": "进行中",
    "ended": "已结束",
    "withdrawn": "已撤回",
    "suspended": "已暂缓",
    "terminated": "已中止",
}


class PlatformError(Exception):
    """The platform refused or could not be reached; the message says which and why (Chinese)."""


class PlatformUnavailable(PlatformError):
    """The platform could not be reached (network, server down): safe to retry with the same key."""


@dataclass(frozen=True)
class Attachment:
    """One file in an upload package (a document, a photo, a video)."""

    name: str
    content: bytes
    role: str = "attachment"  # announcement, bidder_notice, lot_description, survey_sheet, photo, video, ...

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class UploadPackage:
    """What a clerk would type and upload: the platform's fields (exact amounts) plus the attachments.

    ``manifest`` is the JSON written as ``manifest.json`` in the zip; ``to_zip()`` gives the bytes.
    """

    platform: str
    lot_code: str
    fields: dict[str, Any]
    tabs: dict[str, Any]
    attachments: tuple[Attachment, ...] = ()
    manifest: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def zip_bytes(self) -> bytes:
        return package_zip(self)

    def to_zip(self) -> bytes:
        return self.zip_bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.zip_bytes).hexdigest()


@dataclass(frozen=True)
class Publication:
    """The platform's answer: its id for the listing, the public address and the listing status."""

    platform: str
    remote_id: str
    url: str
    status: str
    created: bool = True  # False when the idempotency key had already been used (the earlier listing)

    @property
    def status_name(self) -> str:
        return LISTING_STATUSES.get(self.status, self.status)


@runtime_checkable
class Platform(Protocol):
    name: str

    def build_package(self, lot: Any, plan: Any, documents: Any) -> UploadPackage: ...

    def publish(self, package: UploadPackage, idempotency_key: str) -> Publication: ...

    def status(self, remote_id: str) -> Publication: ...


_ZIP_TIME = (2016, 8, 2, 0, 0, 0)  # 网拍规定 promulgation date: a fixed stamp keeps zips reproducible


def package_zip(package: UploadPackage) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("manifest.json", date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, json.dumps(package.manifest, ensure_ascii=False, indent=2, sort_keys=True))
        for attachment in package.attachments:
            info = zipfile.ZipInfo(f"attachments/{attachment.name}", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, attachment.content)
    return buffer.getvalue()
