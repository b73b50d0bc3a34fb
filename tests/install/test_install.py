"""What a new user gets from ``pip install .``: the wheel carries every file of the package folders, and the
README's main job runs from a fresh virtual environment exactly as the README writes it.

A wheel without its templates and migrations once passed every other test (they ran on an editable install) and
failed every user at the first command. These tests build the wheel and install the project into a new virtual
environment, non-editable, with nothing from the source tree on the path, then run the README's own lines.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import SHARED

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("tax_baseline", "valuation", "auction", "scrapers", "vehicles", "web", "xunpai")


def _run(args, *, timeout: float = 900, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and done.returncode != 0:
        pytest.fail(f"{shlex.join(map(str, args))} exited {done.returncode}:\n{done.stdout[-3000:]}\n"
                    f"{done.stderr[-3000:]}", pytrace=False)
    return done


def _tracked_package_files() -> set[str]:
    listed = _run(["git", "ls-files", *PACKAGES], cwd=ROOT).stdout.split("\n")
    return {name for name in listed if name and "/tests/" not in name}


def readme_commands() -> list[str]:
    """The README's set-up lines: every shell line of its bash blocks that starts with ``pip install .``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip().startswith("pip install . &&")]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--disable-pip-version-check", "-w", str(out),
          str(ROOT)])
    (path,) = out.glob("xunpai-*.whl")
    return path


def test_the_wheel_carries_every_file_of_the_package_folders(wheel):
    names = {n for n in zipfile.ZipFile(wheel).namelist() if not n.split("/")[0].endswith(".dist-info")}
    missing = sorted(_tracked_package_files() - names)
    assert not missing, f"the wheel leaves out {len(missing)} files, e.g. {missing[:10]}"
    stray = sorted(n for n in names if "__pycache__" in n or n.endswith(".pyc") or n.split("/")[0] not in PACKAGES)
    assert not stray, f"the wheel carries files that are not the project's: {stray[:10]}"
    # The files the program reads at run time, named, so that a pattern that stops matching them fails here.
    for needed in ("xunpai/storage/migrations/env.py", "xunpai/storage/migrations/script.py.mako", "web/templates/base.html",
                   "web/static/xunpai.css", "auction/documents/templates/announcement.docx",
                   "valuation/mappings/hdb_resale.yaml", "auction/platforms/catalog.json"):
        assert needed in names


def test_the_readme_gives_the_two_set_up_commands():
    commands = readme_commands()
    assert any(c.endswith("xunpai serve") for c in commands), commands
    assert any(" xunpai quote " in c for c in commands), commands
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "scripts/test" in text and "scripts/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e" not in text


@pytest.fixture(scope="module")
def user_venv(tmp_path_factory) -> dict:
    """A fresh virtual environment with ``pip install .`` run in the project folder, as the README says."""
    home = tmp_path_factory.mktemp("user")
    venv = home / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    bin_dir = venv / "bin"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XUNPAI_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", HOME=str(home), VIRTUAL_ENV=str(venv),
               XDG_DATA_HOME=str(home / "data"), PIP_DISABLE_PIP_VERSION_CHECK="1")
    _run([str(bin_dir / "pip"), "install", "-q", "."], cwd=ROOT, env=env)
    elsewhere = home / "elsewhere"
    elsewhere.mkdir()
    return {"env": env, "bin": bin_dir, "home": home, "cwd": elsewhere}


def test_the_installed_package_comes_from_site_packages(user_venv):
    done = _run(["python", "-P", "-c", "import xunpai, web, auction; print(xunpai.__file__, web.__file__)"],
                cwd=user_venv["cwd"], env=user_venv["env"])
    assert "site-packages" in done.stdout and str(ROOT) not in done.stdout, done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_readme_quote_line_prices_the_demo_flat(user_venv):
    (line,) = [c for c in readme_commands() if " xunpai quote " in c]
    # The line as written, without the install (the fixture ran it): `pip install . && xunpai demo && xunpai quote …`.
    for part in line.split(" && ")[1:]:
        done = _run(shlex.split(part), cwd=user_venv["cwd"], env=user_venv["env"], timeout=600)
    assert re.search(r"总价：[\d,]+\.\d{2} 元", done.stdout) and "校验码" in done.stdout, done.stdout


def test_the_readme_serve_line_answers_its_login_page(user_venv, tmp_path):
    (line,) = [c for c in readme_commands() if c.endswith("xunpai serve")]
    command = shlex.split(line.split(" && ")[-1])
    port, platform_port = _free_port(), _free_port()
    env = dict(user_venv["env"], XDG_DATA_HOME=str(tmp_path / "data"))
    process = subprocess.Popen([*command, "--port", str(port), "--platform-port", str(platform_port)],
                               cwd=user_venv["cwd"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        deadline, page = time.monotonic() + 300, None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
        if page is None:
            process.kill()
            pytest.fail(f"xunpai serve did not answer on port {port}:\n{process.communicate()[0][-3000:]}",
                        pytrace=False)
        assert "登录" in page and "<form" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/xunpai.css", timeout=5) as response:
            assert response.status == 200 and response.read()
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "演示" in output, output  # the demo accounts are printed once on first start


def test_scrape_without_playwright_says_how_to_install_it(user_venv, tmp_path):
    done = _run(["xunpai", "scrape", "housing", "--since", "2026-01-01", "-o", str(tmp_path / "deals.csv"),
                 "--base-url", "http://127.0.0.1:9/"], cwd=user_venv["cwd"], env=user_venv["env"], check=False)
    assert done.returncode != 0
    assert "pip install" in done.stderr and "xunpai[scrapers]" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_an_integration_module_passes_against_the_installed_package(user_venv, tmp_path):
    """One storage test module, copied away from the source tree and run with ``python -P``, so that every
    ``import xunpai`` resolves to the installed package (migrations and all)."""
    _run([str(user_venv["bin"] / "pip"), "install", "-q", "pytest", "hypothesis"], cwd=user_venv["cwd"],
         env=user_venv["env"])
    copy = tmp_path / "suite"
    shutil.copytree(ROOT / "tests", copy / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(user_venv["env"], XUNPAI_SHARED_DIR=str(SHARED))
    for name in ("CI", "XUNPAI_TEST_POSTGRES_URL"):
        if name in os.environ:
            env[name] = os.environ[name]
    done = _run(["python", "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/integration/test_inquiry.py"],
                cwd=copy, env=env, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert re.search(r"\d+ passed", done.stdout) and " skipped" not in done.stdout, done.stdout[-2000:]
