"""What a classification method is: its declared parameters, the tiers it makes, how it runs.

A method is one small class: a :class:`Method` subclass whose pydantic fields are its study
parameters (with their constraints and defaults), whose class variables say what it is
(``method`` name, ``kind``, whether it ``uses_weights``) and whose :meth:`Method.run` turns a
:class:`MethodContext` into a :class:`MethodOutput`. :func:`register` adds it to the registry
that the study schema, the pipeline, the report and the workbook read.
"""

from __future__ import annotations

import inspect
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationInfo, field_validator, model_validator

from abclab import classify
from abclab._model import NonEmptyStr, Number, StudyModel, context_of, fail, quoted
from abclab.exceptions import StudyError
from abclab.io import parse_business_numbers

__all__ = [
    "ABC",
    "SCORE",
    "VALUE_COLUMNS",
    "TransactionLog",
    "Method",
    "MethodContext",
    "MethodOutput",
    "default_value_column",
    "method_class",
    "method_names",
    "register",
]

#: The name that stands for the weighted 0-100 score wherever a method takes a column.
SCORE = "score"
#: Criteria that are "the customer's value" when a method is not told which column to use,
#: first present wins (else the most heavily weighted benefit criterion).
VALUE_COLUMNS: tuple[str, ...] = ("annual_spend", "total_spend", "spend_12m")

Kind = Literal["ranking", "matrix", "clusters"]


def default_value_column(weights: pd.Series, benefit: Sequence[str]) -> str:
    """The value column a method uses by default (see :data:`VALUE_COLUMNS`)."""
    for name in VALUE_COLUMNS:
        if name in weights.index:
            return name
    benefit = [c for c in benefit if c in weights.index]
    return str(weights[benefit].idxmax() if benefit else weights.idxmax())


@dataclass(frozen=True)
class TransactionLog:
    """The study's transaction log, for methods that model purchase histories.

    Attributes
    ----------
    source : path, DataFrame or abclab.features.PreparedLog
        What :func:`abclab.features.from_transactions` reads; in a run, the log read once
        for every step (:func:`abclab.pipeline.read.open_log`).
    customer, date, amount : str
        Column names.
    due_date, paid_date : str or None
        Invoice due and payment date columns, where the log has them.
    as_of : date or None
        Evaluation date, exclusive (None: the day after the last transaction).
    aliases : mapping
        Merged duplicate id -> the id its transactions are booked under.
    """

    source: Any
    customer: str
    date: str
    amount: str
    due_date: str | None = None
    paid_date: str | None = None
    as_of: Any = None
    aliases: Mapping[Any, Any] | None = None


@dataclass(frozen=True)
class MethodContext:
    """Everything a method may read: criteria, scores, weights and other customer columns.

    Attributes
    ----------
    criteria : DataFrame
        Cleaned criteria of the classified customers (index = customer id).
    indicator_scores : DataFrame
        Each criterion normalised to 0-100 (same index).
    score : Series
        The weighted 0-100 score.
    weights : Series
        Criterion weights (sum 1).
    scoring : mapping
        Per-criterion normalisation spec of :func:`abclab.scoring.score`.
    cost : tuple of str
        Criteria where less is better.
    extra : DataFrame or None
        Other columns of the cleaned customers (e.g. ``industry_growth``), same index or a
        superset of it.
    seed : int
        Seed of anything random (clustering).
    transactions : TransactionLog or None
        The transaction log, when the study has one (churn risk, credit grades).
    """

    criteria: pd.DataFrame
    indicator_scores: pd.DataFrame
    score: pd.Series
    weights: pd.Series
    scoring: Mapping[str, Mapping[str, Any]]
    cost: tuple[str, ...] = ()
    extra: pd.DataFrame | None = None
    seed: int = 0
    transactions: TransactionLog | None = None

    @property
    def default_value(self) -> str:
        """The value column of a method that names none (:func:`default_value_column`)."""
        benefit = [c for c in self.criteria.columns if c not in self.cost]
        return default_value_column(self.weights, benefit)

    def values(self, name: str | None, *, others: bool = False) -> pd.Series:
        """A column to classify by: the score, a criterion, or (``others``) another column.

        Other columns (``industry_growth`` from the customer master, source 003's potential)
        may be missing for some customers and may hold business-number text (``"15%"``).
        """
        name = self.default_value if name is None else name
        if name == SCORE:
            return self.score
        if name in self.criteria.columns:
            return self.criteria[name]
        if not others or self.extra is None or name not in self.extra.columns:
            known = sorted({*self.criteria.columns, *([] if self.extra is None else self.extra)})
            raise StudyError(f"column {name!r} not found; available: {known}")
        column = self.extra[name].reindex(self.criteria.index)
        if not pd.api.types.is_numeric_dtype(column):
            column, _ = parse_business_numbers(column.astype("str").where(column.notna()),
                                               column=name)  # fmt: skip
        values = pd.to_numeric(column, errors="coerce")
        if values.notna().sum() == 0:
            raise StudyError(f"column {name!r} has no numeric values")
        return values.astype(float)


@dataclass(frozen=True)
class MethodOutput:
    """Tiers of the classified customers and, where the method has one, the number it ranks by.

    ``fit`` is what a method fitted or derived on its way that a later pipeline step reuses
    instead of computing it again (``churn_risk``: its :class:`~abclab.methods.ChurnFit`;
    ``credit_grade``: the payment table); None for most methods.
    """

    tiers: pd.Series
    scores: pd.Series | None = None
    fit: object | None = None


class Method(StudyModel):
    """Base of a classification method (see the module docstring)."""

    #: Name in the study file and the registry.
    method: ClassVar[str] = ""
    #: ``ranking`` (one ordered score), ``matrix`` (quadrants of two dimensions) or ``clusters``.
    kind: ClassVar[Kind] = "ranking"
    #: Whether the tiers depend on the criteria weights.
    uses_weights: ClassVar[bool] = False
    #: Whether :meth:`run` reads the transaction log (``MethodContext.transactions``).
    uses_transactions: ClassVar[bool] = False
    #: Whether the tiers rank customers by their value to the company, so that agreement with
    #: the other value classifications means something. Churn risk and credit grades assess
    #: another dimension (will they stay, will they pay): they are shown beside the value
    #: tiers but not counted in agreement or disputes.
    ranks_value: ClassVar[bool] = True
    #: Scheme of :func:`abclab.strategy.strategy_table` for the method's tiers (None: the
    #: tiers have no default strategies; the study's ``tiers.strategies`` give them).
    strategy_scheme: ClassVar[str | None] = "abc_accounts"

    alias: NonEmptyStr | None = Field(
        None, alias="as", description="Name of this run (to compare one method twice)."
    )

    @model_validator(mode="before")
    @classmethod
    def _unwrap_entry(cls, data: Any) -> Any:
        """A study entry ``pareto`` or ``{pareto: {...}}`` holds the parameters."""
        if isinstance(data, str) and data == cls.method:
            return {}
        if isinstance(data, dict) and len(data) == 1 and cls.method in data:
            params = data[cls.method]
            return {} if params is None else params
        return data

    @property
    def name(self) -> str:
        """The name results are filed under (``as``, else the method name)."""
        return self.alias or self.method

    @property
    def params(self) -> dict[str, Any]:
        """The parameters given in the study (without ``as``)."""
        return self.model_dump(exclude_unset=True, exclude={"alias"})

    def tier_labels(self) -> tuple[str, ...] | None:
        """The tiers the method produces, best first (None when they depend on the data)."""
        return None

    def data_columns(self) -> tuple[str, ...]:
        """Columns of the customer data (beyond the criteria) the method reads."""
        return ()

    def weight_rule(self) -> dict[str, Any] | None:
        """How the weighted score becomes tiers, if this method's tiers follow the weights.

        The keyword arguments of :func:`abclab.sensitivity.weight_monte_carlo` (``rule`` and
        its cut-offs), or None when the weight Monte Carlo cannot re-run the method.
        """
        return None

    @abstractmethod
    def run(self, ctx: MethodContext) -> MethodOutput:
        """Classify the customers of ``ctx`` (every registered method implements it)."""


_REGISTRY: dict[str, type[Method]] = {}


def register(cls: type[Method]) -> type[Method]:
    """Add a method class to the registry (a class decorator; checks the declaration)."""
    if not cls.method or not cls.method.isidentifier():
        raise TypeError(f"{cls.__name__}.method must be an identifier, got {cls.method!r}")
    if cls.method in _REGISTRY and _REGISTRY[cls.method] is not cls:
        raise TypeError(f"method {cls.method!r} is registered twice")
    if inspect.isabstract(cls):
        raise TypeError(f"{cls.__name__} must implement run()")
    _REGISTRY[cls.method] = cls
    return cls


def method_names() -> tuple[str, ...]:
    """Registered method names, in registration order."""
    return tuple(_REGISTRY)


def method_class(name: str) -> type[Method]:
    """The registered class of ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise StudyError(f"unknown method {name!r}; expected one of {quoted(_REGISTRY)}") from None


# --------------------------------------------------------------------------- shared parameters
def _criterion_or_score(value: str | None, info: ValidationInfo) -> str | None:
    names = context_of(info).criteria
    if value is not None and names and value != SCORE and value not in names:
        raise fail(f"expected a criterion ({quoted(names)}) or 'score', got {value!r}")
    return value


#: Tiers of the share and Pareto rules, best first.
ABC = ("A", "B", "C")


def _shares_sum_to_one(shares: tuple[float, ...]) -> tuple[float, ...]:
    if len(shares) != len(ABC) or any(s < 0 for s in shares) or abs(sum(shares) - 1) > 1e-9:
        raise fail(f"expected {len(ABC)} non-negative shares (A, B, C) summing to 1, got "
                   f"{list(shares)} (sum {sum(shares):g})")  # fmt: skip
    return shares


def _increasing_cutoffs(cutoffs: tuple[float, ...]) -> tuple[float, ...]:
    bad = any(not 0 < c <= 1 for c in cutoffs) or bool(np.any(np.diff(cutoffs) <= 0))
    if len(cutoffs) != len(ABC) - 1 or bad:
        raise fail(f"expected {len(ABC) - 1} increasing cumulative shares in (0, 1] (A|B, B|C), "
                   f"got {list(cutoffs)}")  # fmt: skip
    return cutoffs


Shares = Annotated[tuple[Number, ...], Field(description="Count shares, best tier first.")]
Cutoffs = Annotated[tuple[Number, ...], Field(description="Cumulative value shares, increasing.")]


class ValueParams(Method):
    """A method that classifies by one column (``value``: a criterion or ``score``)."""

    value: NonEmptyStr | None = Field(
        None, description="Criterion (or 'score') to classify by; default the spend criterion."
    )

    @field_validator("value")
    @classmethod
    def _known_value(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _criterion_or_score(value, info)


class RankRule(Method):
    """A method that ranks by a score and then cuts by count shares or Pareto cut-offs."""

    how: Literal["shares", "pareto"] = Field("shares", description="Cut the ranking by ...")
    shares: Shares = (0.2, 0.3, 0.5)
    cutoffs: Cutoffs = (0.8, 0.95)

    @field_validator("shares")
    @classmethod
    def _valid_shares(cls, shares: tuple[float, ...]) -> tuple[float, ...]:
        return _shares_sum_to_one(shares)

    @field_validator("cutoffs")
    @classmethod
    def _valid_cutoffs(cls, cutoffs: tuple[float, ...]) -> tuple[float, ...]:
        return _increasing_cutoffs(cutoffs)

    @model_validator(mode="after")
    def _rule_uses_its_parameter(self) -> RankRule:
        unused = "cutoffs" if self.how == "shares" else "shares"
        if unused in self.model_fields_set:
            raise fail(f"'{unused}' is not used with how: {self.how}", at=(unused,))
        return self

    def cut(self, score: pd.Series) -> pd.Series:
        """Tiers of the ranking ``score`` by the rule."""
        if self.how == "shares":
            return classify.shares(score, shares=tuple(self.shares))
        return classify.pareto(score, cutoffs=tuple(self.cutoffs))
