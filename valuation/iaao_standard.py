"""Acceptance thresholds of a ratio study (比率研究), in one place with their source.

Source: IAAO *Standard on Ratio Studies* (2013), as summarised in RULES.md section 9:

- level (水平): median ratio within 0.90-1.10;
- uniformity (均匀度): COD 5-10 for newer, homogeneous residential property, 5-15 for older or mixed stock;
  a COD below 5 suggests sales chasing or a non-representative sample;
- vertical equity (垂直公平): PRD within 0.98-1.03; PRB within ±0.05, unacceptable when its 95% confidence
  interval lies wholly outside ±0.10;
- at least 30 sales in a stratum before it is judged;
- outlier screening (IAAO Appendix B): ratios beyond 3 × IQR from the quartiles are extreme outliers.

``MIN_COVERAGE`` is this project's own rule: a study priced fewer than 95% of the sales it was given does not
pass (the statistics of the rest say nothing about the sales the tables could not value).
``SALES_CHASING_P`` is the significance level of the sold-versus-unsold distribution test (Appendix E).

``SALES_CHASING_RATIO`` is this project's own rule, not IAAO's: in-sample COD below that share of the
out-of-sample COD means the model has learned the sample rather than the market.
"""

from __future__ import annotations

MEDIAN_RATIO_RANGE = (0.90, 1.10)
COD_MAX = {"homogeneous": 10.0, "mixed": 15.0}  # 新建、同质住宅 / 较旧或混合的存量房
COD_SUSPICIOUSLY_LOW = 5.0
PRD_RANGE = (0.98, 1.03)
PRB_LIMIT = 0.05
PRB_UNACCEPTABLE = 0.10
MIN_STRATUM_SALES = 30
OUTLIER_IQR_MULTIPLIER = 3.0  # IAAO Appendix B: extreme outliers
SALES_CHASING_RATIO = 0.75  # project rule (see the module docstring)
PPE_THRESHOLDS = (0.05, 0.10, 0.20)
MIN_COVERAGE = 0.95  # project rule (see the module docstring)
SALES_CHASING_P = 0.05
