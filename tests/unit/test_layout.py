"""The rooms of the shell keep to their walls (issue 11; docs/architecture.md).

``xunpai/storage`` is the only place that imports SQLAlchemy: services reach the database through the repositories
of ``xunpai/storage/repositories``; commands, views, the demo builder and the job runner through services.

Imports stand at the top of modules; an import inside a function is allowed only for a heavy optional dependency,
named in a comment on its line, or in the comment lines or ``try:`` line just above it (``# optional: Playwright``),
or for one whose measured cost to every command's start-up the comment states (``# start-up: …``).

``PENDING_SQLALCHEMY`` and ``PENDING_IMPORTS`` list the files of areas whose move has not landed yet; each area
removes its own files when it moves, until both lists are empty. A file that keeps the rule must leave its list
(the test says so), so that it cannot quietly start breaking it again.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHELL = ("xunpai", "web")
STORAGE = ROOT / "xunpai" / "storage"
MIGRATIONS = STORAGE / "migrations"

# Files still to move (none left); a new exception needs a reason here.
PENDING_SQLALCHEMY: set[str] = set()
PENDING_IMPORTS: set[str] = set()


def _modules(*, storage: bool) -> list[Path]:
    """Every module below xunpai/ and web/ (migrations aside), with or without xunpai/storage."""
    return sorted(p for folder in SHELL for p in (ROOT / folder).rglob("*.py")
                  if MIGRATIONS not in p.parents and (storage or STORAGE not in p.parents))


def _imports_sqlalchemy(path: Path) -> list[int]:
    """Line numbers of every ``import sqlalchemy…`` / ``from sqlalchemy… import`` (in functions and
    ``TYPE_CHECKING`` blocks too)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "sqlalchemy" for a in node.names):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "sqlalchemy":
            lines.append(node.lineno)
    return lines


def _function_imports(path: Path) -> list[int]:
    """Line numbers of imports inside functions that no ``optional:`` or ``start-up:`` comment explains."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text, str(path))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    said = lines[inner.lineno - 1]
                    above = inner.lineno - 2
                    while above >= 0 and lines[above].strip().startswith(("#", "try:")):  # its comment block
                        said += lines[above]
                        above -= 1
                    if "optional:" not in said and "start-up:" not in said:
                        found.append(inner.lineno)
    return sorted(set(found))


RULES = [
    pytest.param(_imports_sqlalchemy, False, PENDING_SQLALCHEMY,
                 "SQLAlchemy is imported outside xunpai/storage (put the query in "
                 "xunpai/storage/repositories/<area>.py)", id="only-storage-imports-sqlalchemy"),
    pytest.param(_function_imports, True, PENDING_IMPORTS,
                 "imports inside functions (move them to the top; a heavy optional one gets an `# optional: …` "
                 "comment, one that slows every command's start-up a `# start-up: …` comment with its measured cost)",
                 id="imports-at-the-top"),
]


@pytest.mark.parametrize(("find", "storage", "pending", "advice"), RULES)
def test_the_shell_keeps_the_rule(find, storage, pending, advice):
    found = {str(path.relative_to(ROOT)): find(path) for path in _modules(storage=storage)}
    offending = "; ".join(f"{name} line {', '.join(map(str, lines))}" for name, lines in found.items()
                          if lines and name not in pending)
    assert not offending, f"{advice}: {offending}"


@pytest.mark.parametrize(("find", "storage", "pending", "advice"), RULES)
def test_the_allow_list_only_shrinks(find, storage, pending, advice):
    names = {str(path.relative_to(ROOT)) for path in _modules(storage=storage)}
    assert pending <= names, f"the allow-list names files that do not exist: {', '.join(sorted(pending - names))}"
    kept = sorted(name for name in pending if not find(ROOT / name))
    assert not kept, f"these keep the rule now, remove them from the allow-list: {', '.join(kept)}"


def test_the_shell_covers_services_commands_views_the_demo_and_the_jobs():
    names = {str(p.relative_to(ROOT)) for p in _modules(storage=False)}
    for expected in ("xunpai/services/inquiry.py", "xunpai/cli/support.py", "xunpai/demo/build.py",
                     "web/database.py", "web/jobs.py", "xunpai/jobs.py"):
        assert expected in names
    assert not any(name.startswith("xunpai/storage/") for name in names)
    assert "xunpai/storage/db.py" in {str(p.relative_to(ROOT)) for p in _modules(storage=True)}


def test_an_sqlalchemy_import_inside_a_function_is_found(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\n\n\ndef f():\n    from sqlalchemy.orm import Session\n    return Session\n",
                      encoding="utf-8")
    assert _imports_sqlalchemy(module) == [5]


def test_an_import_inside_a_function_is_allowed_only_with_its_comment(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    import playwright  # optional: Playwright\n    import json\n"
                      "    try:  # optional: Playwright\n        import playwright.sync_api\n    except ImportError:\n"
                      "        pass\n    # start-up: 0.5 s measured\n    import fpdf\n    import csv\n"
                      "    return json, csv, fpdf\n", encoding="utf-8")
    assert _function_imports(module) == [3, 10]
