"""The demo: courts, accounts, the synthetic city's tables, cases and lots (``xunpai demo``, and ``xunpai serve``
on an empty embedded database). ``build.build_demo`` runs the builders of this package in order."""
