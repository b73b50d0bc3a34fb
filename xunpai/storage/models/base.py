"""The declarative base every ORM model derives from (``Base.metadata`` holds the whole schema)."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
