"""xunpai (询拍): the shell around the domain packages.

Command line, configuration, database and migrations, and the audit ledger (台账) live here;
the rules live in ``tax_baseline``, ``valuation`` and ``auction``.
"""

__version__ = "0.1.0"
