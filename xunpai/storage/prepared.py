"""Statements of the hot path (every quote's ledger append and day's count), compiled once and run on the
driver's cursor on PostgreSQL.

SQLAlchemy's execution of a Core statement whose compiled form is cached still costs about as much CPU as the
driver's own work (the cache lookup, an execution context, the result's metadata and processors): a tenth of a
millisecond a statement on the machines measured (issue 19). A ``Prepared`` statement is compiled once per
dialect and, on PostgreSQL, handed straight to psycopg (which prepares it on the server after a few runs), on the
connection of the session's transaction; what SQLAlchemy does around a statement that matters here stays: the
``before_cursor_execute`` listeners and the echo log see it, and a driver error is raised as SQLAlchemy's (the
entry points' ``DatabaseUnavailable``), a dropped connection invalidated. Only statements whose parameters and
columns need no type processing qualify (checked when compiled); anything else, and every statement on SQLite
(whose transactions SQLAlchemy's ``begin`` hooks open), runs through ``Connection.execute``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import Executable


class Prepared:
    """One Core statement built once; ``rows(connection, params)`` runs it and returns its rows as tuples."""

    def __init__(self, statement: Executable):
        self.statement = statement
        self._compiled: dict[str, tuple[str, dict[str, Any]] | None] = {}

    def rows(self, connection: Connection, params: dict[str, Any] | None = None) -> list[tuple]:
        dialect = connection.dialect
        if dialect.name != "postgresql":
            return [tuple(row) for row in connection.execute(self.statement, params or {})]
        try:
            compiled = self._compiled[dialect.name]
        except KeyError:
            compiled = self._compiled.setdefault(dialect.name, self._compile(connection))
        if compiled is None:
            return [tuple(row) for row in connection.execute(self.statement, params or {})]
        sql, defaults = compiled
        parameters = {**defaults, **params} if params else defaults
        cursor = None
        try:
            cursor = connection.connection.driver_connection.cursor()
            if connection._has_events or connection.engine._has_events:
                for listener in connection.dispatch.before_cursor_execute:
                    sql, parameters = listener(connection, cursor, sql, parameters, None, False)
            if connection._echo:
                connection._log_info(sql)
            cursor.execute(sql, parameters)
            # whether it returned rows from the result's column count (the cursor's description builds an
            # object per column: a quote's statements have 25)
            result = cursor.pgresult
            rows = cursor.fetchall() if result is not None and result.nfields else []
        except dialect.loaded_dbapi.Error as exc:
            connection._handle_dbapi_exception(exc, sql, parameters, cursor, None)
        finally:
            if cursor is not None:
                cursor.close()
        return rows

    def _compile(self, connection: Connection) -> tuple[str, dict[str, Any]] | None:
        """The SQL and the default parameters, or None when a parameter or a column needs SQLAlchemy's type
        processing (or the statement is not plain named parameters)."""
        dialect = connection.dialect
        compiled = self.statement.compile(dialect=dialect)
        if not _fast_path_supported(connection, compiled):
            return None
        if dialect.paramstyle != "pyformat" or compiled._bind_processors or compiled.literal_execute_params \
                or compiled.post_compile_params:
            return None
        for column in compiled._result_columns:
            if column.type._cached_result_processor(dialect, None) is not None:
                return None
        defaults = {name: bind.value for bind, name in compiled.bind_names.items()
                    if not bind.required and bind.callable is None}
        return compiled.string, defaults


# What the fast path reads of SQLAlchemy's own (private) attributes, and the driver whose cursor it drives. A
# SQLAlchemy release that renames one of them, or another driver, runs every statement through
# ``Connection.execute`` as SQLite does: slower, never wrong. tests/integration/test_prepared.py checks that the
# fast path is taken on the version installed.
_CONNECTION_ATTRIBUTES = ("_has_events", "_echo", "_log_info", "_handle_dbapi_exception", "dispatch")
_COMPILED_ATTRIBUTES = ("_bind_processors", "literal_execute_params", "post_compile_params", "_result_columns",
                        "bind_names")


def _fast_path_supported(connection: Connection, compiled: Any) -> bool:
    return (connection.dialect.driver == "psycopg"
            and all(hasattr(connection, name) for name in _CONNECTION_ATTRIBUTES)
            and hasattr(connection.engine, "_has_events")
            and all(hasattr(compiled, name) for name in _COMPILED_ATTRIBUTES))
