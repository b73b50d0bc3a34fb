"""``xunpai serve``: the web application with waitress (on an empty embedded database, the demo first), with the
job worker in the background; ``xunpai worker``: the job worker alone. Whatever runs, one process per database
consumes the job queue (batch inquiries, bulk publishing, off-peak sending): the one holding its lock."""

from __future__ import annotations

import signal
import socket
import threading

import click
from waitress import serve as waitress_serve
from waitress.server import create_server

from auction.platforms.local_server import create_app as platform_app
from web import create_app, jobs
from xunpai import config
from xunpai.demo.build import build_demo
from xunpai.storage.db import make_engine, migrate
from xunpai.storage.unit_of_work import UnitOfWork


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=int, help="端口")
@click.option("--database-url", default=None, help="数据库地址（默认 XUNPAI_DATABASE_URL 或内置 SQLite）")
@click.option("--threads", default=4, show_default=True, type=int,
              help="处理请求的线程数（CPU 核数的 1-2 倍为宜：询价写台账时逐条串行，线程过多反而更慢）")
@click.option("--platform-port", default=config.DEFAULT_LOCAL_PLATFORM_PORT, show_default=True, type=int,
              help="同时启动本地拍卖平台的端口（0 表示不启动；端口已被占用时使用已在运行的平台）")
@click.option("--worker/--no-worker", "run_worker", default=True, show_default=True,
              help="在本进程内运行后台任务（批量询价、批量发布、错峰发送）；同一数据库的多个进程中只有持有任务锁的一个执行")
@click.option("--off-peak-sender/--no-off-peak-sender", default=True, show_default=True,
              help="后台任务中包括错峰发送：在错峰时段内自动发送排队的发布（每分钟检查一次）")
@click.option("--demo/--no-demo", "demo", default=None,
              help="数据库为空时建立演示数据（内置 SQLite 默认建立，PostgreSQL 默认不建立）")
def serve(host: str, port: int, database_url: str | None, threads: int, platform_port: int, run_worker: bool,
          off_peak_sender: bool, demo: bool | None) -> None:
    """启动网页服务（法官、书记员、当事人、管理员），首次启动时建立并迁移数据库。"""
    url = config.normalize_url(database_url or config.database_url())
    engine = make_engine(url)
    migrate(engine)
    if demo is None:
        demo = url.startswith("sqlite")
    if demo:
        info = build_demo(UnitOfWork(engine))
        if info.built:
            for line in info.lines():
                click.echo(line)
    settings = {"ENGINE": engine, "OFF_PEAK_SENDER": off_peak_sender}
    if platform_port:
        settings["LOCAL_PLATFORM_URL"] = _local_platform(host, platform_port)
    app = create_app(settings)
    if run_worker:
        jobs.worker(app).start_in_thread()
    shown = url.split("@")[-1] if "@" in url else url
    click.echo(f"询拍网页服务：http://{host}:{port}/  （数据库 {shown}，按 Ctrl+C 停止）")
    waitress_serve(app, host=host, port=port, threads=threads, ident="xunpai", clear_untrusted_proxy_headers=True)



def _local_platform(host: str, port: int) -> str:
    """Start the project's local auction platform in a thread, unless something already listens there."""
    url = f"http://{host}:{port}"
    with socket.socket() as probe:
        if probe.connect_ex((host, port)) == 0:
            click.echo(f"本地拍卖平台：{url}（已在运行）")
            return url
    server = create_server(platform_app(config.data_dir() / "local_platform"), host=host, port=port, threads=4)
    threading.Thread(target=server.run, name="local-platform", daemon=True).start()
    click.echo(f"本地拍卖平台：{url}")
    return url



@click.command("worker")
@click.option("--database-url", default=None, help="数据库地址（默认 XUNPAI_DATABASE_URL 或内置 SQLite）")
@click.option("--threads", default=2, show_default=True, type=int, help="同时执行的后台任务数")
@click.option("--platform-url", default=None,
              help="本地拍卖平台地址（默认 XUNPAI_LOCAL_PLATFORM_URL 或 http://127.0.0.1:8765）")
@click.option("--off-peak-sender/--no-off-peak-sender", default=True, show_default=True,
              help="在错峰时段内自动发送排队的发布（每分钟检查一次）")
def worker(database_url: str | None, threads: int, platform_url: str | None, off_peak_sender: bool) -> None:
    """只运行后台任务（批量询价、批量发布、错峰发送），不提供网页；同一数据库只有一个进程执行，其余等待接替。"""
    url = config.normalize_url(database_url or config.database_url())
    engine = make_engine(url)
    migrate(engine)
    settings = {"ENGINE": engine, "OFF_PEAK_SENDER": off_peak_sender}
    if platform_url:
        settings["LOCAL_PLATFORM_URL"] = platform_url
    app = create_app(settings)
    job_worker = jobs.worker(app, threads=threads)

    def stop(_signum, _frame) -> None:
        job_worker.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    shown = url.split("@")[-1] if "@" in url else url
    click.echo(f"询拍后台任务：数据库 {shown}（按 Ctrl+C 停止；若另一进程正在执行，本进程等待接替）")
    job_worker.run()
    click.echo("后台任务已停止。")


commands = [serve, worker]
