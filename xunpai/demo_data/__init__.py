"""Demo data beyond the baseline and the accounts: each area adds a module here with
``build(session, context: dict) -> None`` (run in module-name order by ``xunpai.demo.build_demo``).
``context`` holds ``seed``, ``city`` (the synthetic city), ``courts`` and ``users`` (username → User)."""
