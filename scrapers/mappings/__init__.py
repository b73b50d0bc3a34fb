"""Column mappings (``valuation.mapping`` format) that let ``xunpai calibrate`` import a scraper's output as is."""

from __future__ import annotations

from pathlib import Path

#: source name → the mapping for its output, where the output is calibration data
CALIBRATION_MAPPINGS = {"housing": "second_hand_housing"}


def mapping_path(name: str) -> Path:
    """The shipped mapping file ``scrapers/mappings/<name>.yaml``."""
    return Path(__file__).resolve().parent / f"{name}.yaml"
