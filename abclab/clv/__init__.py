"""Customer-base analysis: who is still a customer, how much they will buy, what they are worth.

- :func:`rfm_summary`: a transaction log → one row per customer with the BG/NBD inputs
  (``frequency``, ``recency``, ``T``) and the Gamma-Gamma input (``monetary_value``),
  optionally the hold-out counts (DuckDB, as :mod:`abclab.features`).
- :class:`BetaGeo`: the BG/NBD model (Fader, Hardie & Lee 2005) — P(alive) and expected
  purchases.
- :class:`GammaGamma`: expected spend per purchase (Fader & Hardie 2013).
- :func:`customer_lifetime_value`: discounted expected margin over a horizon.
- :func:`churn_codes` / :func:`rule_codes`: churn-risk tiers (source 003 §二(三)) from the
  model or from days without a purchase; :func:`back_test` checks them on a hold-out window
  (hit rates per tier, ROC AUC, a calibration table) → :class:`BackTest`.
- :func:`customer_base_criteria`: ``clv_12m`` and ``p_alive`` per customer, criteria a study
  can weight like any other.
- :func:`payment_behaviour` and :func:`credit_grades`: on-time rate, days overdue, open
  receivables per customer, and the credit grade they earn (source 001).

Estimators follow scikit-learn: ``__init__`` stores options, ``fit`` validates and returns
the model, fitted attributes end in ``_``. A fit that the data cannot support (too few repeat
buyers, no convergence, a singular Hessian) raises :class:`abclab.exceptions.InputDataError`.
"""

from abclab.clv._bgnbd import BetaGeo
from abclab.clv._churn import (
    BACKTEST_CALIBRATION_COLUMNS,
    BACKTEST_CUSTOMER_COLUMNS,
    BACKTEST_TIER_COLUMNS,
    CHURN_TIERS,
    BackTest,
    back_test,
    churn_codes,
    probability_of_purchase,
    rule_codes,
)
from abclab.clv._criteria import CUSTOMER_BASE_CRITERIA, customer_base_criteria
from abclab.clv._gamma_gamma import GammaGamma
from abclab.clv._payments import CREDIT_LABELS, PAYMENT_COLUMNS, credit_grades, payment_behaviour
from abclab.clv._summary import PERIOD_DAYS, rfm_summary
from abclab.clv._value import customer_lifetime_value

__all__ = [
    "BACKTEST_CALIBRATION_COLUMNS",
    "BACKTEST_CUSTOMER_COLUMNS",
    "BACKTEST_TIER_COLUMNS",
    "CHURN_TIERS",
    "CREDIT_LABELS",
    "CUSTOMER_BASE_CRITERIA",
    "PAYMENT_COLUMNS",
    "PERIOD_DAYS",
    "BackTest",
    "BetaGeo",
    "GammaGamma",
    "back_test",
    "churn_codes",
    "credit_grades",
    "customer_base_criteria",
    "customer_lifetime_value",
    "payment_behaviour",
    "probability_of_purchase",
    "rfm_summary",
    "rule_codes",
]
