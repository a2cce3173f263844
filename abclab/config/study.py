"""The study root: name, language, seed, data, criteria, weights, methods, tiers, sensitivity."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from abclab import methods as registry
from abclab._model import NonEmptyStr, PositiveNumber, StrictInt, StudyModel, fail, quoted
from abclab.config._errors import line_of
from abclab.config.criteria import CleaningSection, Criteria, CriterionSpec
from abclab.config.customer_base import CustomerBaseSpec
from abclab.config.data import DataSpec
from abclab.config.weights import WeightsSpec
from abclab.strategy import LANGUAGES

__all__ = ["DEFAULT_METHODS", "MethodEntry", "SensitivitySpec", "Study", "TiersSpec"]

Language = Literal[LANGUAGES]  # type: ignore[valid-type]
#: Methods compared when a study lists none.
DEFAULT_METHODS: tuple[str, ...] = ("weighted_abc", "pareto")


def _method_tag(item: Any) -> str | None:
    """The method an entry names: ``"pareto"`` or ``{pareto: {...}}``."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and len(item) == 1:
        return str(next(iter(item)))
    if isinstance(item, registry.Method):
        return item.method
    return None


def _method_entry_type() -> Any:
    members = tuple(
        Annotated[registry.method_class(name), Tag(name)] for name in registry.method_names()
    )
    return Annotated[Union[members], Discriminator(_method_tag)]  # noqa: UP007


#: One ``methods`` entry: any registered method, written ``name`` or ``{name: {params}}``.
MethodEntry = _method_entry_type()


class TiersSpec(StudyModel):
    """Display labels and strategy overrides per tier code."""

    labels: dict[str, NonEmptyStr] = Field(
        default_factory=dict, description="Tier code -> name shown in the report."
    )
    strategies: dict[str, NonEmptyStr] = Field(
        default_factory=dict, description="Tier code -> strategy text (overrides the default)."
    )


class SensitivitySpec(StudyModel):
    """Weight sensitivity: Monte Carlo draws, Dirichlet concentration or uniform spread."""

    draws: Annotated[StrictInt, Field(ge=1)] = 500
    concentration: PositiveNumber = Field(100.0, description="Dirichlet concentration.")
    spread: Annotated[float, Field(ge=0, strict=True)] | None = Field(
        None, description="Uniform +-spread instead of the Dirichlet (e.g. 0.2 = +-20 %)."
    )
    method: NonEmptyStr | None = Field(None, description="Method tested (default recommended).")

    @model_validator(mode="after")
    def _one_scheme(self) -> SensitivitySpec:
        if self.spread is not None and "concentration" in self.model_fields_set:
            raise fail("give concentration (Dirichlet) or spread (uniform), not both",
                       at=("spread",))  # fmt: skip
        return self


class Study(StudyModel):
    """A validated study file (the schema is ``abclab schema``; an example ``abclab init``)."""

    name: NonEmptyStr = Field(description="Title of the study (shown on the report).")
    description: str | None = Field(None, description="Free text for the study's authors.")
    client: NonEmptyStr | None = Field(
        None, description="The client's name: on the cover and in the confidentiality line."
    )
    language: Language = Field("en", description="Language of the report.")
    audience: Literal["client", "analyst"] = Field(
        "client",
        description=(
            "Who reads the report: client (no machine paths, hashes, timings or package "
            "versions; those stay in provenance.json) or analyst (adds them)."
        ),
    )
    seed: Annotated[StrictInt, Field(ge=0)] = Field(0, description="Seed of every random step.")
    data: DataSpec
    id_column: NonEmptyStr | None = Field(None, description="Customer id column.")
    name_column: NonEmptyStr | None = Field(None, description="Customer name column.")
    pii: tuple[NonEmptyStr, ...] | None = Field(
        None,
        description="More columns to mask in reports, besides the detected ones (phones, "
        "e-mails, ID and bank card numbers, contact persons, addresses).",
    )
    criteria: Criteria
    cleaning: CleaningSection = Field(default_factory=lambda: CleaningSection({}))
    weights: WeightsSpec = Field(
        default_factory=lambda: WeightsSpec.model_construct(), description="Default: equal."
    )
    methods: tuple[MethodEntry, ...] = Field(description="Methods compared, side by side.")
    recommended: NonEmptyStr = Field(description="Method whose tiers the report recommends.")
    tiers: TiersSpec = Field(default_factory=TiersSpec)
    sensitivity: SensitivitySpec | None = None
    customer_base: CustomerBaseSpec | None = Field(
        None,
        description="Churn risk, lifetime value, triggers and back-test of the transaction log "
        "(also run, with these defaults, when a churn_risk or credit_grade method is compared).",
    )
    _path: Path = PrivateAttr(Path("<study>"))
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)
    _lines: dict[tuple, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _defaults_from_the_document(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        data.setdefault("methods", list(DEFAULT_METHODS))
        if data["methods"] == [] or data["methods"] is None:
            raise fail("expected at least one method", at=("methods",))
        if "recommended" not in data and isinstance(data["methods"], list):
            names = [_entry_name(m) for m in data["methods"]]
            data["recommended"] = "weighted_abc" if "weighted_abc" in names else names[0]
        if data.get("sensitivity") is True:
            data["sensitivity"] = {}
        elif data.get("sensitivity") is False:
            data["sensitivity"] = None
        if data.get("customer_base") is True:
            data["customer_base"] = {}
        elif data.get("customer_base") is False:
            data["customer_base"] = None
        return data

    @field_validator("methods")
    @classmethod
    def _names_unique(cls, methods: tuple[registry.Method, ...]) -> tuple[registry.Method, ...]:
        seen: list[str] = []
        for i, m in enumerate(methods):
            if m.name in seen:
                raise fail(f"method name {m.name!r} used twice; give one of them 'as: other_name'",
                           at=(i,))  # fmt: skip
            seen.append(m.name)
        return methods

    @field_validator("recommended")
    @classmethod
    def _recommended_is_compared(cls, name: str, info: ValidationInfo) -> str:
        methods = info.data.get("methods")
        if methods is not None and name not in [m.name for m in methods]:
            names = [m.name for m in methods]
            expected = (
                " or ".join(map(repr, names)) if len(names) <= 2 else f"one of {quoted(names)}"
            )
            raise fail(f"expected {expected}, got {name!r}")
        return name

    @model_validator(mode="after")
    def _sensitivity_method_is_compared(self) -> Study:
        spec = self.sensitivity
        if spec is not None and spec.method is not None and spec.method not in self.method_names:
            raise fail(f"expected one of {quoted(self.method_names)}, got {spec.method!r}",
                       at=("sensitivity", "method"))  # fmt: skip
        return self

    @model_validator(mode="after")
    def _customer_base_has_its_log(self) -> Study:
        spec, log = self.customer_base, self.data.transactions
        if spec is not None and log is None:
            raise fail("customer_base reads the transaction log, and the study has none; add "
                       "data.transactions (customer, date, amount) or drop this section",
                       at=("customer_base",))  # fmt: skip
        if spec is not None and spec.margin == "profit" and log is not None and not log.profit:
            raise fail("margin: profit needs the log's profit column (data.transactions.profit); "
                       "give revenue or a share in (0, 1] instead",
                       at=("customer_base", "margin"))  # fmt: skip
        return self

    # ----------------------------------------------------------------- derived views
    @property
    def path(self) -> Path:
        """The study file (``<study>`` for a study built from a mapping)."""
        return self._path

    @property
    def criterion_names(self) -> list[str]:
        """Criterion names in study order."""
        return self.criteria.names

    @property
    def method_names(self) -> list[str]:
        """Names of the methods compared (``as`` names included), in study order."""
        return [m.name for m in self.methods]

    def method(self, name: str) -> registry.Method:
        """The method compared under ``name``."""
        for m in self.methods:
            if m.name == name:
                return m
        raise KeyError(f"no method {name!r} in the study; methods: {quoted(self.method_names)}")

    def criterion(self, name: str) -> CriterionSpec:
        """The criterion ``name``."""
        return self.criteria[name]

    @property
    def cost_criteria(self) -> tuple[str, ...]:
        """Criteria where less is better."""
        return tuple(c.name for c in self.criteria if c.direction == "cost")

    def scoring_spec(self) -> dict[str, dict[str, Any]]:
        """Per-criterion spec of :func:`abclab.scoring.score`."""
        return {c.name: c.scoring_spec() for c in self.criteria}

    def line_of(self, *key_path: str | int) -> int | None:
        """The study file's line of the key at ``key_path`` (``"criteria", "spend"``), or of
        its nearest written parent; None for a study built from a mapping or a default."""
        return line_of(tuple(key_path), self._lines)

    def to_dict(self) -> dict[str, Any]:
        """The study as written (JSON-safe: dates as text), for provenance and the appendix."""
        return _plain(self._raw)


def _entry_name(entry: Any) -> Any:
    if isinstance(entry, dict) and len(entry) == 1:
        params = next(iter(entry.values()))
        if isinstance(params, dict) and "as" in params:
            return params["as"]
        return next(iter(entry))
    return entry


def _plain(value: Any) -> Any:
    """Parsed YAML with dates and other scalars as JSON-safe values (a new tree, bounded)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
