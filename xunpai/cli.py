"""The ``xunpai`` command line. Each area adds its commands in a module of ``xunpai.commands``
that exposes ``commands`` (a list of click commands or groups)."""

from __future__ import annotations

import importlib
import pkgutil

import click

import xunpai.commands


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(package_name="xunpai")
def main() -> None:
    """询拍 xunpai：执行局的即时询价、基准价校准、异议期限与网络司法拍卖工具。"""


for _module in sorted(pkgutil.iter_modules(xunpai.commands.__path__), key=lambda m: m.name):
    if _module.name.startswith("_"):
        continue
    for _command in importlib.import_module(f"xunpai.commands.{_module.name}").commands:
        main.add_command(_command)
