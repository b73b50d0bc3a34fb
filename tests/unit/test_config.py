"""Configuration: every XUNPAI_* variable read in xunpai/config.py; the web application reads the same ones."""

from __future__ import annotations

import pytest
from sqlalchemy.pool import StaticPool

from auction.off_peak import parse_windows
from web import create_app
from web.platforms import local_platform_url, off_peak_windows
from xunpai import config
from xunpai.storage.db import make_engine


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("XUNPAI_DATA_DIR", "XUNPAI_DATABASE_URL", "XUNPAI_LOCAL_PLATFORM_URL", "XUNPAI_OFF_PEAK_WINDOWS",
                 "XUNPAI_USER", "XUNPAI_SECRET_KEY", "XUNPAI_SECURE_COOKIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return monkeypatch


def test_the_data_directory_is_xunpai_data_dir_else_the_xdg_user_data_directory(clean_env, tmp_path):
    assert config.data_dir() == tmp_path / "xdg" / "xunpai" and config.data_dir().is_dir()
    clean_env.setenv("XUNPAI_DATA_DIR", str(tmp_path / "mine"))
    assert config.data_dir() == tmp_path / "mine" and (tmp_path / "mine").is_dir()


def test_the_database_is_the_url_else_sqlite_in_the_data_directory(clean_env, tmp_path):
    assert config.database_url() == f"sqlite:///{tmp_path / 'xdg' / 'xunpai' / 'xunpai.sqlite3'}"
    clean_env.setenv("XUNPAI_DATABASE_URL", "postgres://u@h/db")
    assert config.database_url() == "postgresql+psycopg://u@h/db"


def test_defaults_and_overrides_of_the_shell_settings(clean_env):
    assert config.local_platform_url() == "http://127.0.0.1:8765" and config.off_peak_windows() == "22:00-06:00"
    assert config.user("admin") == "admin" and config.secret_key() is None and not config.secure_cookies()
    for name, value in (("LOCAL_PLATFORM_URL", "http://10.0.0.5:9000"), ("OFF_PEAK_WINDOWS", "23:00-05:00"),
                        ("USER", "judge1"), ("SECRET_KEY", "123456"), ("SECURE_COOKIES", "1")):
        clean_env.setenv(f"XUNPAI_{name}", value)
    assert config.local_platform_url() == "http://10.0.0.5:9000" and config.off_peak_windows() == "23:00-05:00"
    assert config.user("admin") == "judge1" and config.secret_key() == "123456" and config.secure_cookies()


def test_the_web_application_reads_the_same_variables(clean_env, tmp_path):
    engine = make_engine("sqlite://", poolclass=StaticPool)
    options = {"ENGINE": engine, "TESTING": True, "UPLOAD_DIR": str(tmp_path / "up"), "MARK_INTERRUPTED_JOBS": False}
    app = create_app(options)
    with app.app_context():
        assert local_platform_url() == config.local_platform_url() == "http://127.0.0.1:8765"
    clean_env.setenv("XUNPAI_LOCAL_PLATFORM_URL", "http://10.0.0.5:9000")
    clean_env.setenv("XUNPAI_OFF_PEAK_WINDOWS", "23:00-05:00")
    clean_env.setenv("XUNPAI_SECRET_KEY", "123456")  # a key of digits stays text
    clean_env.setenv("XUNPAI_SECURE_COOKIES", "1")
    app = create_app(options)
    assert app.config["SECRET_KEY"] == "123456" and app.config["SESSION_COOKIE_SECURE"] is True
    with app.app_context():
        assert local_platform_url() == "http://10.0.0.5:9000"
        assert off_peak_windows() == parse_windows("23:00-05:00")
