"""Vehicle valuation (车辆估价): used-car records in, a depreciation table out, a quote with its price curve.

Plain Python, NumPy, pandas and SciPy; no database, no ``web`` or ``xunpai`` imports. The seed: Helan court
(案例 15) values seized vehicles from transaction data with the current price and the historical price curve.
"""
