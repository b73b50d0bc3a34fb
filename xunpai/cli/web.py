"""``xunpai serve``: the web application with waitress, in N server processes on one port (``--workers``, default
the number of CPUs), with the job worker in the background; ``xunpai worker``: the job worker alone. Whatever
runs, one process per database consumes the job queue (batch inquiries, bulk publishing, off-peak sending): the
one holding its lock.

Several processes (a pre-fork server, ``docs/production.md``): this process migrates the database, builds the
demo, binds the listening socket and then starts N server processes that inherit it (started afresh with
``--listen-fd``, not forked: no connection, thread or lock of this process goes with them); the kernel hands each
new connection to whichever process accepts first, so an idle process takes it. This process only watches them:
a server process that dies is started again, Ctrl+C or SIGTERM stops them all. Waitress reads every request whole
in its I/O loop before a thread sees it, so a slow or idle client holds a socket, never a request thread; idle
connections are closed after ``--idle-timeout`` seconds and each process keeps up to ``--connection-limit`` of
them open.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import click
from waitress.server import create_server

from auction.platforms.local_server import create_app as platform_app
from web import create_app, jobs
from xunpai import config
from xunpai.demo.build import build_demo
from xunpai.storage.db import make_engine, migrate
from xunpai.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024 * 1024  # above the application's own MAX_CONTENT_LENGTH (50 MB), which answers in Chinese
RESTART_WINDOW = 60.0  # a server process that dies more than RESTARTS_ALLOWED times in this many seconds stops all
RESTARTS_ALLOWED = 5


def _default_workers() -> int:
    """The CPUs this process may run on (a container's share, where the system says so)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def server_processes(url: str, asked: int | None) -> int:
    """How many server processes: as asked, else the CPU count on PostgreSQL and one on SQLite. SQLite lets one
    writer in at a time: processes waiting on its file lock back off and retry, so several processes serve fewer
    quotes than one (docs/production.md, measured). One on systems without inherited sockets."""
    if os.name != "posix":
        return 1  # the processes share an inherited socket: POSIX only
    if asked is not None:
        return asked
    return 1 if url.startswith("sqlite") else _default_workers()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=int, help="端口")
@click.option("--database-url", default=None, help="数据库地址（默认 XUNPAI_DATABASE_URL 或内置 SQLite）")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="服务进程数（PostgreSQL 默认为 CPU 核数，SQLite 默认 1：SQLite 同一时刻只允许一个写入者，"
                   "多进程反而更慢）；各进程共用同一端口，后台任务仍只由一个进程执行")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="每个服务进程处理请求的线程数（询价写台账时逐条串行，线程过多反而更慢）")
@click.option("--connection-limit", default=1000, show_default=True, type=click.IntRange(10, 100_000),
              help="每个服务进程同时保持的连接数上限（超过时新连接排队等待）")
@click.option("--idle-timeout", default=30, show_default=True, type=click.IntRange(1, 3600),
              help="连接空闲（或请求迟迟发不完）多少秒后关闭，防止空闲连接占满服务")
@click.option("--trusted-proxy", default=None,
              help="前置反向代理的地址（如 127.0.0.1）：只采信它转发的 X-Forwarded-For / X-Forwarded-Proto")
@click.option("--platform-port", default=config.DEFAULT_LOCAL_PLATFORM_PORT, show_default=True, type=int,
              help="同时启动本地拍卖平台的端口（0 表示不启动；端口已被占用时使用已在运行的平台）")
@click.option("--worker/--no-worker", "run_worker", default=True, show_default=True,
              help="在本进程内运行后台任务（批量询价、批量发布、错峰发送）；同一数据库的多个进程中只有持有任务锁的一个执行")
@click.option("--off-peak-sender/--no-off-peak-sender", default=True, show_default=True,
              help="后台任务中包括错峰发送：在错峰时段内自动发送排队的发布（每分钟检查一次）")
@click.option("--demo/--no-demo", "demo", default=None,
              help="数据库为空时建立演示数据（内置 SQLite 默认建立，PostgreSQL 默认不建立）")
@click.option("--listen-fd", default=None, type=int, hidden=True)  # a server process started by the supervisor
def serve(host: str, port: int, database_url: str | None, workers: int | None, threads: int, connection_limit: int,
          idle_timeout: int, trusted_proxy: str | None, platform_port: int, run_worker: bool, off_peak_sender: bool,
          demo: bool | None, listen_fd: int | None) -> None:
    """启动网页服务（法官、书记员、当事人、管理员），首次启动时建立并迁移数据库。"""
    url = config.normalize_url(database_url or config.database_url())
    limits = dict(threads=threads, connection_limit=connection_limit, idle_timeout=idle_timeout,
                  trusted_proxy=trusted_proxy)
    if listen_fd is not None:  # one of the supervisor's server processes
        _exit_with_parent()
        _serve_process(socket.socket(fileno=listen_fd), url, run_worker=run_worker, off_peak_sender=off_peak_sender,
                       **limits)
        return
    engine = make_engine(url)
    migrate(engine)
    if demo is None:
        demo = url.startswith("sqlite")
    if demo:
        info = build_demo(UnitOfWork(engine))
        if info.built:
            for line in info.lines():
                click.echo(line)
    engine.dispose()  # the server processes open their own connections
    if platform_port:
        os.environ["XUNPAI_LOCAL_PLATFORM_URL"] = _local_platform(host, platform_port)
    workers = server_processes(url, workers)
    listener = _listen(host, port)
    shown = url.split("@")[-1] if "@" in url else url
    click.echo(f"询拍网页服务：http://{host}:{port}/  （数据库 {shown}，{workers} 个服务进程 × {threads} 个线程，"
               f"按 Ctrl+C 停止）")
    if workers == 1:
        _serve_process(listener, url, run_worker=run_worker, off_peak_sender=off_peak_sender, **limits)
        return
    args = ["--database-url", url, "--threads", str(threads), "--connection-limit", str(connection_limit),
            "--idle-timeout", str(idle_timeout), "--worker" if run_worker else "--no-worker",
            "--off-peak-sender" if off_peak_sender else "--no-off-peak-sender"]
    if trusted_proxy:
        args += ["--trusted-proxy", trusted_proxy]
    code = _supervise(listener, workers, args)
    if code:
        raise SystemExit(code)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        raise click.ClickException(f"无法监听 {host}:{port}：{exc.strerror or exc}（端口是否已被占用？）") from None
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener


def _exit_with_parent() -> None:
    """A server process ends the moment its supervisor is gone (killed, crashed): the service is one unit for the
    service manager, and no orphan keeps the port from the next start."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()


def _serve_process(listener: socket.socket, url: str, *, run_worker: bool, off_peak_sender: bool, threads: int,
                   connection_limit: int, idle_timeout: int, trusted_proxy: str | None) -> None:
    """One server process: the application on its own engine, waitress on the shared listening socket."""
    app = create_app({"ENGINE": make_engine(url), "MIGRATE": False, "OFF_PEAK_SENDER": off_peak_sender})
    if run_worker:
        jobs.worker(app).start_in_thread()  # consumes only while it holds the database's lock
    proxy = dict(trusted_proxy=trusted_proxy, trusted_proxy_headers="x-forwarded-for x-forwarded-proto") \
        if trusted_proxy else {}
    server = create_server(
        app, sockets=[listener], threads=threads, ident="xunpai", clear_untrusted_proxy_headers=True,
        connection_limit=connection_limit, channel_timeout=idle_timeout,
        cleanup_interval=max(1, min(30, idle_timeout // 2)), asyncore_use_poll=True,
        max_request_body_size=MAX_BODY, **proxy)

    def stop(_signum, _frame) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: the supervisor and a terminal may both send it
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise SystemExit(0)  # waitress's loop shuts its threads down on SystemExit

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("server process %d: %d threads, at most %d connections, idle timeout %d s", os.getpid(), threads,
             connection_limit, idle_timeout)
    server.run()


def _supervise(listener: socket.socket, workers: int, args: list[str]) -> int:
    """Start ``workers`` server processes on ``listener``, start again any that dies, stop them all on a signal."""
    stopping = threading.Event()
    command = [sys.executable, "-m", "xunpai", "serve", "--listen-fd", str(listener.fileno()), *args]

    def start() -> subprocess.Popen:
        return subprocess.Popen(command, pass_fds=(listener.fileno(),))

    def stop(_signum, _frame) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    processes = [start() for _ in range(workers)]
    deaths: list[float] = []
    code = 0
    try:
        while not stopping.wait(0.5):
            for i, process in enumerate(processes):
                if process.poll() is None:
                    continue
                now = time.monotonic()
                deaths = [t for t in deaths if now - t < RESTART_WINDOW] + [now]
                if len(deaths) > RESTARTS_ALLOWED:
                    click.echo(f"服务进程在 {RESTART_WINDOW:.0f} 秒内退出了 {len(deaths)} 次，停止服务；原因见上方日志。",
                               err=True)
                    stopping.set()
                    code = 1
                    break
                click.echo(f"服务进程 {process.pid} 已退出（代码 {process.returncode}），重新启动。", err=True)
                processes[i] = start()
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        listener.close()
    return code


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
