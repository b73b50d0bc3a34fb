"""Market data in, a calibrated baseline out (市场数据 → 校准后的计税基准表).

- :mod:`valuation.mapping`, :mod:`valuation.transactions`: column mappings and the transaction import;
- :mod:`valuation.screening`: sales screening, a reason per excluded sale;
- :mod:`valuation.hedonic`, :mod:`valuation.calibration`, :mod:`valuation.pipeline`: the hedonic fit, the
  table version it becomes, and a calibration run with its ratio studies;
- :mod:`valuation.ratio_study`, :mod:`valuation.iaao_standard`, :mod:`valuation.report`: the IAAO ratio
  study, its thresholds, and the printable HTML report;
- :mod:`valuation.comparables`: reference samples for an inquiry (参考价规定 art. 11);
- :mod:`valuation.diagnostics`: statsmodels inference for the published coefficients.
"""
