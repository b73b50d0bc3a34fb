"""Issue 11, the publishing and outcomes area: outside xunpai/storage nothing imports SQLAlchemy, and every import
is at the top of its module (the few heavy optional ones, Playwright, LightGBM, Dask, named in a comment).

Each test lists the offending files (and lines), so a failure says where to look."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AREA = sorted({
    *map(Path, ("xunpai/services/publishing.py", "xunpai/services/outcomes.py", "xunpai/services/outcome_report.py",
                "xunpai/cli/publishing.py", "xunpai/cli/lots.py", "web/listings.py", "web/uploads.py",
                "auction/listing_plan.py", "auction/outcomes.py", "auction/amounts.py")),
    *(p.relative_to(ROOT) for p in ROOT.glob("auction/lot*.py")),
    *(p.relative_to(ROOT) for p in ROOT.glob("auction/documents/**/*.py")),
    *(p.relative_to(ROOT) for p in ROOT.glob("auction/platforms/**/*.py")),
})
SQLALCHEMY = re.compile(r"^\s*(import sqlalchemy|from sqlalchemy)", re.MULTILINE)
OPTIONAL = re.compile(r"#\s*(optional|deferred)", re.IGNORECASE)  # a heavy import, named and measured


def test_the_area_exists():
    missing = [str(p) for p in AREA if not (ROOT / p).is_file()]
    assert not missing, missing


def test_no_sqlalchemy_outside_storage():
    offending = [str(p) for p in AREA if (ROOT / p).is_file() and SQLALCHEMY.search((ROOT / p).read_text("utf-8"))]
    assert not offending, f"import SQLAlchemy only in xunpai/storage: {offending}"


def _function_imports(path: Path) -> list[str]:
    text = path.read_text("utf-8")
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    around = " ".join(lines[max(inner.lineno - 4, 0):inner.end_lineno])
                    if not OPTIONAL.search(around):
                        found.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    return found


def test_imports_at_the_top_of_modules():
    offending = [hit for p in AREA if (ROOT / p).is_file() for hit in _function_imports(ROOT / p)]
    assert not offending, f"imports inside functions (move them to the top): {offending}"


def test_no_import_at_the_bottom_of_a_module():
    offending = []
    for p in AREA:
        if not (ROOT / p).is_file():
            continue
        tree = ast.parse((ROOT / p).read_text("utf-8"))
        seen_code = False
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if seen_code:
                    offending.append(f"{p}:{node.lineno}")
            elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)) \
                    and not isinstance(node, (ast.If, ast.Try)):
                seen_code = True
    assert not offending, f"imports below code (move them to the top): {offending}"
