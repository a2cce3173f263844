"""Study models: the study file as typed, validated, frozen pydantic models.

One class per section (:class:`Study` at the root; :class:`DataSpec`, :class:`CriterionSpec`,
:class:`WeightsSpec`, the registered methods of :mod:`abclab.methods`, :class:`TiersSpec`,
:class:`SensitivitySpec`). Every choice comes from the module that implements it (RI tables
and weight methods from :mod:`abclab.ahp`, normalisations from :mod:`abclab.scoring`, cleaning
rules from :mod:`abclab.cleaning`, methods and their parameters from :mod:`abclab.methods`).
:func:`load_study` reads YAML safely (no duplicate keys, bounded aliases) and reports every
problem with its key path and line; :func:`study_json_schema` is what ``abclab schema`` prints.
"""

from abclab.config._errors import key_path
from abclab.config._load import load_study, study_from_dict
from abclab.config._schema import study_json_schema
from abclab.config.criteria import CleaningPolicy, CleaningSection, Criteria, CriterionSpec
from abclab.config.customer_base import CustomerBaseSpec
from abclab.config.data import CustomersSource, DataSpec, PreviousSource, TransactionsSource
from abclab.config.study import DEFAULT_METHODS, SensitivitySpec, Study, TiersSpec
from abclab.config.weights import (
    AHPSpec,
    Dimension,
    Experts,
    HierarchySpec,
    Judgements,
    LocalPriorities,
    WeightsSpec,
)

__all__ = [
    "DEFAULT_METHODS",
    "AHPSpec",
    "CleaningPolicy",
    "CleaningSection",
    "Criteria",
    "CriterionSpec",
    "CustomerBaseSpec",
    "CustomersSource",
    "DataSpec",
    "Dimension",
    "Experts",
    "HierarchySpec",
    "Judgements",
    "LocalPriorities",
    "PreviousSource",
    "SensitivitySpec",
    "Study",
    "TiersSpec",
    "TransactionsSource",
    "WeightsSpec",
    "key_path",
    "load_study",
    "study_from_dict",
    "study_json_schema",
]
