"""Repositories: the queries of each area as plain functions taking the session first (the only SQL outside the
models). Services call them inside their unit of work's block."""
