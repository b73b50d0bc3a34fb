"""Which platform object a page publishes through: the project's local platform over HTTP (its address from
the configuration), or the table-driven adapters that leave upload packages in the outbox."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from auction.off_peak import parse_windows
from auction.platforms import catalog, get_platform
from xunpai import config


def local_platform_url() -> str:
    return current_app.config.get("LOCAL_PLATFORM_URL") or config.local_platform_url()


def platform_for(code: str):
    outbox = Path(current_app.config.get("OUTBOX_DIR") or config.data_dir() / "outbox")
    return get_platform(code, base_url=local_platform_url(), outbox=outbox)


def off_peak_windows():
    """The configured off-peak windows (XUNPAI_OFF_PEAK_WINDOWS, else the publishing engine's default)."""
    return parse_windows(str(current_app.config.get("OFF_PEAK_WINDOWS") or config.off_peak_windows()))


def choices() -> list[tuple[str, str]]:
    return [(code, spec.name) for code, spec in catalog().items()]
