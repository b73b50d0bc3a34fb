"""Logging, configured once for the whole process (the ``xunpai`` command and the web factory call it).

Library code only asks for ``logging.getLogger(__name__)``; this decides where the records go: standard error,
one line each with time, level, process and logger, at ``XUNPAI_LOG_LEVEL`` (INFO by default). A process that
already has handlers on the root logger (a test runner, an embedding application) keeps them.
"""

from __future__ import annotations

import logging
import sys

from xunpai import config

FORMAT = "%(asctime)s %(levelname)s [%(process)d %(threadName)s] %(name)s: %(message)s"
_configured = False


def configure(level: str | None = None) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    name = (level or config.log_level()).upper()
    value = logging.getLevelName(name)
    if not isinstance(value, int):
        value = logging.INFO
    for logger in ("xunpai", "web", "auction", "tax_baseline", "valuation", "scrapers"):
        logging.getLogger(logger).setLevel(value)
    logging.getLogger("huey").setLevel(max(value, logging.WARNING))  # its per-task lines are noise at INFO
