"""``xunpai serve``: the web application with waitress; on an empty embedded database, the demo first."""

from __future__ import annotations

import click

from xunpai import config


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=int, help="端口")
@click.option("--database-url", default=None, help="数据库地址（默认 XUNPAI_DATABASE_URL 或内置 SQLite）")
@click.option("--threads", default=4, show_default=True, type=int,
              help="处理请求的线程数（CPU 核数的 1-2 倍为宜：询价写台账时逐条串行，线程过多反而更慢）")
@click.option("--platform-port", default=config.DEFAULT_LOCAL_PLATFORM_PORT, show_default=True, type=int,
              help="同时启动本地拍卖平台的端口（0 表示不启动；端口已被占用时使用已在运行的平台）")
@click.option("--off-peak-sender/--no-off-peak-sender", default=True, show_default=True,
              help="在错峰时段内自动发送排队的发布（每分钟检查一次）")
@click.option("--demo/--no-demo", "demo", default=None,
              help="数据库为空时建立演示数据（内置 SQLite 默认建立，PostgreSQL 默认不建立）")
def serve(host: str, port: int, database_url: str | None, threads: int, platform_port: int,
          off_peak_sender: bool, demo: bool | None) -> None:
    """启动网页服务（法官、书记员、当事人、管理员），首次启动时建立并迁移数据库。"""
    from waitress import serve as waitress_serve

    from web import create_app
    from xunpai.storage.db import make_engine, migrate

    url = config.normalize_url(database_url or config.database_url())
    engine = make_engine(url)
    migrate(engine)
    if demo is None:
        demo = url.startswith("sqlite")
    if demo:
        from xunpai.demo.build import build_demo

        info = build_demo(engine)
        if info.built:
            for line in info.lines():
                click.echo(line)
    settings = {"ENGINE": engine}
    if platform_port:
        settings["LOCAL_PLATFORM_URL"] = _local_platform(host, platform_port)
    app = create_app(settings)
    if off_peak_sender:
        with app.app_context():
            _start_off_peak_sender(app)
    shown = url.split("@")[-1] if "@" in url else url
    click.echo(f"询拍网页服务：http://{host}:{port}/  （数据库 {shown}，按 Ctrl+C 停止）")
    waitress_serve(app, host=host, port=port, threads=threads, ident="xunpai", clear_untrusted_proxy_headers=True)



def _local_platform(host: str, port: int) -> str:
    """Start the project's local auction platform in a thread, unless something already listens there."""
    import socket
    import threading

    url = f"http://{host}:{port}"
    with socket.socket() as probe:
        if probe.connect_ex((host, port)) == 0:
            click.echo(f"本地拍卖平台：{url}（已在运行）")
            return url
    from waitress.server import create_server

    from auction.platforms.local_server import create_app as platform_app

    server = create_server(platform_app(config.data_dir() / "local_platform"), host=host, port=port, threads=4)
    threading.Thread(target=server.run, name="local-platform", daemon=True).start()
    click.echo(f"本地拍卖平台：{url}")
    return url



def _start_off_peak_sender(app) -> None:
    """Send the publications queued for the off-peak windows when a window is open (网拍 publishing at
    off-peak times, as Wuxi does); the sending itself is the publishing engine's, idempotent and resumable."""
    import logging
    import threading
    import time

    from auction.off_peak import in_window
    from web.platforms import off_peak_windows, platform_for
    from xunpai.services import publishing as publishing_service
    from xunpai.storage import ledger

    log = logging.getLogger("xunpai.off_peak")
    engine = app.extensions["xunpai_engine"]
    windows = off_peak_windows()

    def platforms(code: str):
        with app.app_context():
            return platform_for(code)

    def loop() -> None:
        while True:
            time.sleep(60)
            try:
                if in_window(ledger.now_local(), windows):
                    report = publishing_service.send_queued(engine, platforms, windows, actor="错峰发送")
                    if report.results:
                        log.warning("off-peak: %d publications sent", len(report.results))
            except Exception:  # the next minute tries again; every step is idempotent
                log.exception("off-peak sending failed")

    threading.Thread(target=loop, name="off-peak-sender", daemon=True).start()


commands = [serve]
