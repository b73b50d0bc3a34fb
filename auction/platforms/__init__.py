"""Platforms (网络司法拍卖平台): one interface, a table of platforms, the local platform over HTTP.

``get_platform("local", base_url=...)`` gives the HTTP client of the project's own platform;
``get_platform("ali" | "jd" | "rmfysszc" | "gpai" | "caa", outbox=DIR)`` gives the table-driven adapter that
builds that platform's upload package (field mapping plus attachments) and leaves it in ``outbox``.
"""

from __future__ import annotations

from pathlib import Path

from auction.platforms.base import (
    LISTING_STATUSES,
    Attachment,
    Platform,
    PlatformError,
    PlatformUnavailable,
    Publication,
    UploadPackage,
)
from auction.platforms.local_client import LocalPlatform
from auction.platforms.package import TablePlatform, catalog, platform_spec, read_package

__all__ = ["LISTING_STATUSES", "Attachment", "Platform", "PlatformError", "PlatformUnavailable", "Publication",
           "UploadPackage", "TablePlatform", "catalog", "platform_spec", "read_package", "get_platform"]


def get_platform(code: str, *, base_url: str | None = None, outbox: str | Path | None = None) -> Platform:
    platform_spec(code)  # an unknown code is refused with the list of known ones
    if code == "local":
        if not base_url:
            raise PlatformError("本地拍卖平台需要地址（如 http://127.0.0.1:8765）。")
        return LocalPlatform(base_url)
    return TablePlatform(code, outbox=outbox)
