"""Every ``XUNPAI_*`` setting of the shell, read in one place (the web application reads the same variables into
``app.config`` with ``app.config.from_prefixed_env("XUNPAI")``; its views ask here for the defaults).

- ``XUNPAI_DATABASE_URL``: an SQLAlchemy URL (``postgresql+psycopg://...`` in production; the plain
  ``postgresql://`` and ``postgres://`` forms are accepted). Without it, the embedded SQLite database lives in
  the data directory as ``xunpai.sqlite3``.
- ``XUNPAI_DATA_DIR``: the data directory; default the user data directory of ``platformdirs``
  (``$XDG_DATA_HOME/xunpai``, else ``~/.local/share/xunpai`` on Linux).
- ``XUNPAI_SECRET_KEY``: the web session key; default one generated once and kept in the data directory.
- ``XUNPAI_SECURE_COOKIES``: ``1`` when the site is served over HTTPS (cookies marked Secure).
- ``XUNPAI_LOCAL_PLATFORM_URL``: the project's local auction platform; default ``http://127.0.0.1:8765``.
- ``XUNPAI_OFF_PEAK_WINDOWS``: the off-peak sending windows, default ``auction.off_peak.DEFAULT_WINDOWS``.
- ``XUNPAI_USER``: the user name commands act as when ``--user`` is not given.
- ``XUNPAI_LEDGER_ANCHOR``: the append-only file the ledger's signed checkpoints go to; with the embedded default
  database, ``ledger-anchors.jsonl`` in the data directory. ``XUNPAI_LEDGER_KEY``: the Ed25519 private key that
  signs them (owner-only permissions; default ``ledger-signing-key.pem`` in the data directory, created on first
  start). ``XUNPAI_LEDGER_ANCHOR_COPY``: a second location for every checkpoint (optional).
  ``XUNPAI_LEDGER_CHECKPOINT_EVERY``: a checkpoint every N entries (default 1000). See docs/ledger_anchoring.md.
- ``XUNPAI_SCRAPER_<SOURCE>_URL``: the address of a scraper's site when ``--base-url`` is not given.

The domain packages take their own two (they import nothing of ``xunpai``): ``XUNPAI_CJK_FONT`` and
``XUNPAI_CACHE_DIR`` (``auction.documents.fonts``), ``XUNPAI_CHROMIUM`` (``scrapers.browser``).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from auction.off_peak import DEFAULT_WINDOWS

APP_NAME = "xunpai"
DEFAULT_LOCAL_PLATFORM_PORT = 8765
DEFAULT_LOCAL_PLATFORM_URL = f"http://127.0.0.1:{DEFAULT_LOCAL_PLATFORM_PORT}"


def _env(name: str) -> str | None:
    return os.environ.get(f"XUNPAI_{name}") or None


def data_dir() -> Path:
    """The data directory (created when missing): ``XUNPAI_DATA_DIR``, else platformdirs' user data directory."""
    explicit = _env("DATA_DIR")
    path = Path(explicit) if explicit else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    url = _env("DATABASE_URL")
    if url:
        return normalize_url(url)
    return f"sqlite:///{data_dir() / 'xunpai.sqlite3'}"


def normalize_url(url: str) -> str:
    """Accept the plain ``postgresql://`` form and use the psycopg 3 driver for it."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def secret_key() -> str | None:
    return _env("SECRET_KEY")


def secure_cookies() -> bool:
    return _env("SECURE_COOKIES") == "1"


def local_platform_url() -> str:
    return _env("LOCAL_PLATFORM_URL") or DEFAULT_LOCAL_PLATFORM_URL


def off_peak_windows() -> str:
    return _env("OFF_PEAK_WINDOWS") or DEFAULT_WINDOWS


def user(default: str | None = None) -> str | None:
    """The user name a command acts as (``XUNPAI_USER``), else ``default``."""
    return _env("USER") or default


def login_name() -> str:
    """Who runs a command (the system's ``USER``): the actor recorded when ``--actor`` is not given."""
    return os.environ.get("USER", "")


def ledger_anchoring() -> dict:
    """The ledger anchoring's settings (``xunpai.storage.anchor.configured`` takes them). Without an explicit
    anchor file, only the embedded default database (no ``XUNPAI_DATABASE_URL``) is anchored, in the data folder."""
    anchor, key = _env("LEDGER_ANCHOR"), _env("LEDGER_KEY")
    default = _env("DATABASE_URL") is None
    every = _env("LEDGER_CHECKPOINT_EVERY")
    return {"anchor": anchor or (str(data_dir() / "ledger-anchors.jsonl") if default or key else None),
            "key": key or str(data_dir() / "ledger-signing-key.pem"), "copy": _env("LEDGER_ANCHOR_COPY"),
            "every": int(every) if every and every.strip().isdigit() else 1000,
            "create_key": key is None}


def scraper_url(source: str) -> str | None:
    return _env(f"SCRAPER_{source.upper()}_URL")


def log_level() -> str:
    """``XUNPAI_LOG_LEVEL`` (DEBUG, INFO, WARNING, ERROR); INFO by default."""
    return (_env("LOG_LEVEL") or "INFO").strip().upper() or "INFO"
