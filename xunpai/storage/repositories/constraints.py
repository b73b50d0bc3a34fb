"""Inserts that a database constraint may refuse under concurrency (a double submission, a seat taken).

The constraint decides, not a check before the insert: two requests that both see a free seat (or no earlier
filing) race to insert, and the database keeps exactly one. The loser's insert is rolled back in its own
savepoint; the rest of the caller's transaction stays.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def add_unless_refused(session: Session, row: object) -> bool:
    """Add and flush ``row`` in a savepoint; False (nothing written) if a unique or check constraint refused it."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True
