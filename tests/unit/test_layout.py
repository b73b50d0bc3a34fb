"""The rooms of the shell keep to their walls (issue 11; docs/architecture.md).

``xunpai/storage`` is the only place that imports SQLAlchemy: services reach the database through the repositories
of ``xunpai/storage/repositories``; commands, views, the demo builder and the job runner through services.

The files listed in ``PENDING_SQLALCHEMY`` are those of areas whose move to repositories has not landed yet; each
area removes its own files when it moves, until the list is empty. A file that no longer imports SQLAlchemy must
leave the list (the test says so), so that it cannot quietly start again.

Imports stand at the top of modules; an import inside a function is allowed only for a heavy optional dependency,
named in a comment on its line, or in the comment lines or ``try:`` line just above it (``# optional: Playwright``), or for one
whose measured cost to every command's start-up the comment states (``# start-up: …``). ``PENDING_IMPORTS`` lists the files
of areas that have not moved their imports yet, on the same terms.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHELL = ("xunpai", "web")  # every module below these, xunpai/storage aside
STORAGE = ROOT / "xunpai" / "storage"

# Areas still to move (issue 11, phase C): procedure, objections, custody, providers; publishing, outcomes, lots.
PENDING_SQLALCHEMY = {
    "xunpai/services/custody.py",
    "xunpai/services/objections.py",
    "xunpai/services/outcomes.py",
    "xunpai/services/procedure.py",
    "xunpai/services/providers.py",
    "xunpai/services/publishing.py",
}

PENDING_IMPORTS = {
    "web/listings.py",
    "web/listings_custody.py",
    "web/objections.py",
    "web/objections_party.py",
    "xunpai/cli/custody.py",
    "xunpai/cli/lots.py",
    "xunpai/cli/publishing.py",
    "xunpai/cli/valuation.py",
    "xunpai/services/custody.py",
    "xunpai/services/objections.py",
    "xunpai/services/outcome_report.py",
    "xunpai/services/providers.py",
    "xunpai/services/publishing.py",
}
MIGRATIONS = ROOT / "xunpai" / "storage" / "migrations"


def _shell_modules() -> list[Path]:
    return sorted(p for folder in SHELL for p in (ROOT / folder).rglob("*.py") if STORAGE not in p.parents)


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


def test_the_shell_covers_services_commands_views_and_the_demo():
    names = {str(p.relative_to(ROOT)) for p in _shell_modules()}
    for expected in ("xunpai/services/inquiry.py", "xunpai/cli/support.py", "xunpai/demo/build.py",
                     "web/database.py", "xunpai/jobs.py"):
        assert expected in names
    assert not any(name.startswith("xunpai/storage/") for name in names)
    assert PENDING_SQLALCHEMY <= names, "the allow-list names a file that does not exist"


def test_only_storage_imports_sqlalchemy():
    offending = {}
    for path in _shell_modules():
        name = str(path.relative_to(ROOT))
        lines = _imports_sqlalchemy(path)
        if lines and name not in PENDING_SQLALCHEMY:
            offending[name] = lines
    assert not offending, (
        "SQLAlchemy is imported outside xunpai/storage (put the query in xunpai/storage/repositories/<area>.py): "
        + "; ".join(f"{name} line {', '.join(map(str, lines))}" for name, lines in offending.items()))


def test_the_allow_list_only_shrinks():
    moved = sorted(name for name in PENDING_SQLALCHEMY if not _imports_sqlalchemy(ROOT / name))
    assert not moved, f"no longer imports SQLAlchemy, remove it from PENDING_SQLALCHEMY: {', '.join(moved)}"


def test_the_check_finds_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\n\n\ndef f():\n    from sqlalchemy.orm import Session\n    return Session\n",
                      encoding="utf-8")
    assert _imports_sqlalchemy(module) == [5]


def _modules_with_imports() -> list[Path]:
    """Every module of the shell, storage included (its migrations aside)."""
    return sorted(p for folder in SHELL for p in (ROOT / folder).rglob("*.py") if MIGRATIONS not in p.parents)


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


def test_imports_stand_at_the_top_of_modules():
    offending = {}
    for path in _modules_with_imports():
        name = str(path.relative_to(ROOT))
        lines = _function_imports(path)
        if lines and name not in PENDING_IMPORTS:
            offending[name] = lines
    assert not offending, (
        "imports inside functions (move them to the top; a heavy optional one gets an `# optional: …` comment, one "
        "that slows every command's start-up a `# start-up: …` comment with its measured cost): "
        + "; ".join(f"{name} line {', '.join(map(str, lines))}" for name, lines in offending.items()))


def test_the_import_allow_list_only_shrinks():
    moved = sorted(name for name in PENDING_IMPORTS if not _function_imports(ROOT / name))
    assert not moved, f"no imports inside functions any more, remove it from PENDING_IMPORTS: {', '.join(moved)}"


def test_an_optional_import_is_allowed_only_with_its_comment(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    import playwright  # optional: Playwright\n    import json\n"
                      "    try:  # optional: Playwright\n        import playwright.sync_api\n    except ImportError:\n"
                      "        pass\n    import csv\n    return json, csv\n", encoding="utf-8")
    assert _function_imports(module) == [3, 8]
