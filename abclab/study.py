"""Study files: the YAML that names a client's data, criteria, judgements and methods.

The public entry points of :mod:`abclab.config` under their historical names:
:func:`load_study` reads and validates a study file, :func:`study_from_dict` an already parsed
mapping; both return a frozen :class:`Study` and raise :class:`~abclab.exceptions.StudyError`
naming the key path (and line) of every problem, e.g.::

    study.yaml: criteria.annual_spend.direction: expected 'benefit' or 'cost', got 'up' (line 41)

The schema is printed by ``abclab schema``; ``abclab init`` writes a commented example.
"""

from abclab.config import (
    AHPSpec,
    CleaningPolicy,
    CriterionSpec,
    CustomersSource,
    DataSpec,
    PreviousSource,
    SensitivitySpec,
    Study,
    TiersSpec,
    TransactionsSource,
    WeightsSpec,
    load_study,
    study_from_dict,
    study_json_schema,
)
from abclab.exceptions import StudyError

__all__ = [
    "AHPSpec",
    "CleaningPolicy",
    "CriterionSpec",
    "CustomersSource",
    "DataSpec",
    "PreviousSource",
    "SensitivitySpec",
    "Study",
    "StudyError",
    "TiersSpec",
    "TransactionsSource",
    "WeightsSpec",
    "load_study",
    "study_from_dict",
    "study_json_schema",
]
