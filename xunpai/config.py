"""Where xunpai keeps its data, and which database it talks to.

- ``XUNPAI_DATABASE_URL``: an SQLAlchemy URL (``postgresql+psycopg://...`` in production).
- ``XUNPAI_DATA_DIR``: the data directory; default ``$XDG_DATA_HOME/xunpai`` or ``~/.local/share/xunpai``.
  Without a database URL, the embedded SQLite database lives there as ``xunpai.sqlite3``.
"""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    explicit = os.environ.get("XUNPAI_DATA_DIR")
    if explicit:
        path = Path(explicit)
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "xunpai"
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    url = os.environ.get("XUNPAI_DATABASE_URL")
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
