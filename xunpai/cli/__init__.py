"""The ``xunpai`` command line: thin click commands (parse, call one service, print), one module per area,
each exposing ``commands`` (its click commands or groups)."""

from __future__ import annotations

import logging

import click

from xunpai import logging_setup
from xunpai.cli import (
    cases,
    custody,
    inquiry,
    ledger,
    lifecycle,
    lots,
    procedure,
    publishing,
    scrape,
    valuation,
    vehicles,
    web,
)
from xunpai.services.authority import WriteRefused
from xunpai.storage.db import DatabaseUnavailable


class _Main(click.Group):
    """The command group; a write the acting account may not make (``authority.WriteRefused``, already in the
    ledger) ends any command with its Chinese reason."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except WriteRefused as exc:
            click.echo(f"错误：{exc}", err=True)
            ctx.exit(2)
        except DatabaseUnavailable as exc:
            logging.getLogger("xunpai.cli").debug("database error: %s", exc)  # XUNPAI_LOG_LEVEL=DEBUG shows it
            click.echo("错误：数据库连接中断或数据库拒绝了操作，命令未完成。已提交的部分已保存；数据库恢复后重新运行"
                       "同一命令即可继续（批量发布不会重复发布已发布的标的）。设置 XUNPAI_LOG_LEVEL=DEBUG 可查看详细原因。", err=True)
            ctx.exit(3)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(package_name="xunpai")
def main() -> None:
    """询拍 xunpai：执行局的即时询价、基准价校准、异议期限与网络司法拍卖工具。"""
    logging_setup.configure()


for _area in (cases, custody, inquiry, ledger, lifecycle, lots, procedure, publishing, scrape, valuation, vehicles,
              web):
    for _command in _area.commands:
        main.add_command(_command)
