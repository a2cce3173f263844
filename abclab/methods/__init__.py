"""The classification methods a study can compare, one registered class each.

Every method is a :class:`Method`: its pydantic fields are the study parameters (checked
when the study is loaded), ``run(context)`` returns its tiers (and the number it ranks by).
The study schema, the pipeline, the report and the workbook all read this registry, so adding
a method is: its kernel, one registered class here, its name in the report catalogue
(:mod:`abclab.report._i18n`), its tests.

>>> from abclab.methods import method_names
>>> method_names()[:3]
('pareto', 'shares', 'computed_abc')
"""

# isort: skip_file
# (registration order below = the order methods are listed in messages and in the schema)
from abclab.methods._base import (
    SCORE,
    VALUE_COLUMNS,
    Method,
    MethodContext,
    MethodOutput,
    TransactionLog,
    default_value_column,
    method_class,
    method_names,
    register,
)
from abclab.methods.ranking import Bands, ComputedABC, Pareto, ShareABC, WeightedABC
from abclab.methods.matrix import NO_DATA_TIER, RFM, ValuePotential
from abclab.methods.literature import EDAS, TOPSIS, Ng, Ramanathan, ZhouFan
from abclab.methods.clusters import GMM, KMeans, Ward
from abclab.methods.customer_base import (
    CHURN_LABELS,
    CHURN_LABELS_ZH,
    ChurnFit,
    ChurnRisk,
    CreditGrade,
)

__all__ = [
    "CHURN_LABELS",
    "CHURN_LABELS_ZH",
    "EDAS",
    "GMM",
    "NO_DATA_TIER",
    "RFM",
    "SCORE",
    "TOPSIS",
    "VALUE_COLUMNS",
    "Bands",
    "ChurnFit",
    "ChurnRisk",
    "ComputedABC",
    "CreditGrade",
    "KMeans",
    "Method",
    "MethodContext",
    "MethodOutput",
    "Ng",
    "Pareto",
    "Ramanathan",
    "ShareABC",
    "TransactionLog",
    "ValuePotential",
    "Ward",
    "WeightedABC",
    "ZhouFan",
    "default_value_column",
    "method_class",
    "method_names",
    "register",
]
