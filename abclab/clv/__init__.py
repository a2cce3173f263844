"""Customer-base analysis: who is still a customer, how much they will buy, what they are worth.

- :func:`rfm_summary`: a transaction log → one row per customer with the BG/NBD inputs
  (``frequency``, ``recency``, ``T``) and the Gamma-Gamma input (``monetary_value``),
  optionally the hold-out counts (DuckDB, as :mod:`abclab.features`).
- :class:`BetaGeo`: the BG/NBD model (Fader, Hardie & Lee 2005) — P(alive) and expected
  purchases.
- :class:`GammaGamma`: expected spend per purchase (Fader & Hardie 2013).
- :func:`customer_lifetime_value`: discounted expected margin over a horizon.
- :func:`payment_behaviour` and :func:`credit_grades`: on-time rate, days overdue, open
  receivables per customer, and the credit grade they earn (source 001).

Estimators follow scikit-learn: ``__init__`` stores options, ``fit`` validates and returns
the model, fitted attributes end in ``_``. A fit that the data cannot support (too few repeat
buyers, no convergence, a singular Hessian) raises :class:`abclab.exceptions.InputDataError`.
"""

from abclab.clv._bgnbd import BetaGeo
from abclab.clv._gamma_gamma import GammaGamma
from abclab.clv._payments import CREDIT_LABELS, PAYMENT_COLUMNS, credit_grades, payment_behaviour
from abclab.clv._summary import PERIOD_DAYS, rfm_summary
from abclab.clv._value import customer_lifetime_value

__all__ = [
    "CREDIT_LABELS",
    "PAYMENT_COLUMNS",
    "PERIOD_DAYS",
    "BetaGeo",
    "GammaGamma",
    "credit_grades",
    "customer_lifetime_value",
    "payment_behaviour",
    "rfm_summary",
]
