"""The unit of work: the one owner of a transaction (cosmicpython, ``service_layer/unit_of_work.py``, chapter 6).

Every service function takes a ``UnitOfWork`` as its first argument and opens its transaction itself::

    def record_sale(uow: UnitOfWork, lot_id: int, ...) -> Lot:
        with uow:
            lot = uow.session.get(Lot, lot_id)
            ...
            uow.commit()
        return lot

Views and commands never commit: a view takes the request's unit of work (``web.database.uow()``), a command
builds one over ``xunpai.cli.support.engine()``, and each passes it to one service.

The rules:

* ``with uow:`` begins a block; ``uow.commit()`` inside it makes its writes permanent. Leaving the block with an
  exception, or without ``commit()``, rolls back everything written in it.
* Blocks nest. A service that calls another service inside its own ``with uow:`` shares one transaction: the
  inner block's ``commit()`` keeps its writes in that transaction, and only the outermost block really commits
  (the demo builder and the bulk imports rely on this to be atomic). An inner block runs in a SAVEPOINT: left
  with an exception (or without ``commit()``), it rolls back its own writes and nothing else, so an outer
  service that catches the error may go on and commit what it did itself; nothing half-done is committed.
* Several blocks in sequence are several transactions: ``publishing`` records an intent and commits it before a
  remote call, then records the result in a second block, so a crash in between leaves a visible intent.
* One unit of work keeps one SQLAlchemy session (``uow.session``) from its first use to ``close()``; objects a
  service returns stay attached to it, and loaded attributes are never expired by a commit. Between blocks no
  transaction is held open, so SQLite's write lock (taken at BEGIN, see ``xunpai.storage.db``) is free while a
  view renders or a remote platform is called. One exception, on PostgreSQL alone: the read transaction that
  ``reading()`` (a request's sign-in check) begins stays open, without a snapshot or a row lock (READ COMMITTED),
  for the request's next block to go on in it on the same connection. A block that wrote nothing ends its read
  transaction without expiring what it loaded (there is nothing to roll back).
* A unit of work belongs to one thread (a web request, a command, a background job); it is not shared.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from xunpai.storage.db import session_factory

_FLUSHED = "xunpai_uow_flushed"


@event.listens_for(Session, "after_flush")  # every session's (a listener per session costs more than the flag)
def _mark_flushed(session: Session, _flush_context) -> None:
    session.info[_FLUSHED] = True


def mark_written(session: Session) -> None:
    """A write made with a Core statement on the session's connection (the ledger's append): the block that made
    it has written, so leaving it without ``commit()`` rolls it back like any ORM write."""
    session.info[_FLUSHED] = True


class UnitOfWork:
    """One transaction owner over an engine; see the module docstring for the rules."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session] | None = None):
        self.engine = engine
        self._sessions = sessions or session_factory(engine)
        self._session: Session | None = None
        # One entry per open block: [savepoint (None for the outermost block), committed?]
        self._blocks: list[list] = []
        self._reading = False

    # -- the session -------------------------------------------------------------------------------------------
    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = self._sessions()
        return self._session

    @property
    def depth(self) -> int:
        """How many ``with uow:`` blocks are open (0: none)."""
        return len(self._blocks)

    # -- blocks --------------------------------------------------------------------------------------------------
    def __enter__(self) -> UnitOfWork:
        if self._reading:
            raise RuntimeError("a block opened inside uow.reading(), which may only read")
        if not self._blocks:
            self.session.info[_FLUSHED] = False
            self._blocks.append([None, False])
        else:
            self._blocks.append([self.session.begin_nested(), False])
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        savepoint, committed = self._blocks.pop()
        if savepoint is not None:
            if savepoint.is_active:
                if exc_type is None and committed:
                    savepoint.commit()
                else:
                    savepoint.rollback()
            return
        if exc_type is not None:
            self._rollback()
        elif not committed:
            self._end_uncommitted()

    @contextmanager
    def reading(self) -> Iterator[UnitOfWork]:
        """A block that only reads (the sign-in checks every request makes), at the least cost per request.

        Inside an open block it is part of that block's transaction. Opened on its own on PostgreSQL, its
        statements begin the session's transaction and leave it open: the request's next block goes on in it, on
        the same connection (no second checkout from the pool, no second BEGIN), and commits or rolls it back;
        a request with no block after it ends it at ``close()``. Its reads are READ COMMITTED, as every block's:
        each statement, there or in the next block, sees what is committed when it runs, so the read transaction
        keeps no snapshot and no row lock while the view works between the two. On SQLite (whose every
        transaction holds the write lock) it is an ordinary block. Nothing may be written in it, and no block
        opened inside it."""
        if self._blocks or self.engine.dialect.name != "postgresql":
            with self:
                yield self
            return
        self._reading = True
        try:
            yield self
        except BaseException:
            self._reading = False
            self._rollback()
            raise
        self._reading = False

    def commit(self) -> None:
        """Make the block's writes permanent (an inner block's: part of the outer transaction, committed with it)."""
        if not self._blocks:
            raise RuntimeError("commit() outside a `with uow:` block")
        block = self._blocks[-1]
        if block[0] is None:
            self.session.commit()
            self.session.info[_FLUSHED] = False
        block[1] = True

    def rollback(self) -> None:
        """Discard everything written in the current block (the outermost: the whole transaction); the block
        stays open for what follows."""
        if self._blocks and self._blocks[-1][0] is not None:
            savepoint = self._blocks[-1][0]
            if savepoint.is_active:
                savepoint.rollback()
            self._blocks[-1] = [self.session.begin_nested(), False]
            return
        self._rollback()

    def close(self) -> None:
        """Roll back anything left open and release the session (end of a request, a command, a job)."""
        if self._session is not None:
            self._session.rollback()
            self._session.close()
            self._session = None
        self._blocks = []

    # -- internals -------------------------------------------------------------------------------------------------
    def _rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()
            self._session.info[_FLUSHED] = False

    def _end_uncommitted(self) -> None:
        session = self._session
        if session is None:
            return
        wrote = session.info.get(_FLUSHED) or session.new or session.dirty or session.deleted
        if wrote:
            self._rollback()
        elif session.in_transaction():
            # A read-only block: nothing to undo. Ending the read transaction by commit keeps what was loaded
            # (a rollback would expire every object) and frees the connection and SQLite's lock.
            session.commit()
