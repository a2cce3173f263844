"""The ``criteria`` and ``cleaning`` sections: what is scored, and how bad values are treated.

Normalisations and directions are those :mod:`abclab.scoring` implements; the cleaning rules
and their defaults are the fields of :class:`abclab.cleaning.CriterionPolicy` (declared there
once and turned into a study model here).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Annotated, Any, get_type_hints

from pydantic import (
    BeforeValidator,
    Field,
    RootModel,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from abclab._model import (
    NamedEntries,
    NonEmptyStr,
    Number,
    StudyModel,
    context_of,
    fail,
    named_entries,
    quoted,
)
from abclab.cleaning import CriterionPolicy
from abclab.scoring import Direction
from abclab.scoring import Method as Normalisation

__all__ = ["CleaningPolicy", "CleaningSection", "Criteria", "CriterionSpec"]


def _band(value: Any) -> Any:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise fail(f"expected [lower bound, score], got {value!r}")
    lower = -math.inf if value[0] is None else value[0]
    return (lower, value[1])


#: One piecewise band ``[lower bound, score]``; ``null`` is "no lower bound".
Band = Annotated[
    tuple[float, Number],
    BeforeValidator(_band),
    WithJsonSchema(
        {
            "type": "array",
            "prefixItems": [{"type": ["number", "null"]}, {"type": "number"}],
            "minItems": 2,
            "maxItems": 2,
            "description": "[lower bound (null: none), score]",
        }
    ),
]


class CriterionSpec(StudyModel):
    """One scoring criterion: direction, normalisation and optional piecewise bands."""

    name: SkipJsonSchema[str] = Field("", exclude=True)  # the key in ``criteria``
    direction: Direction = Field("benefit", description="benefit: more is better; cost: less.")
    normalise: Normalisation = Field(
        "minmax", description="0-100 normalisation (default bands if given, else minmax)."
    )
    bands: tuple[Band, ...] | None = Field(
        None, description="[[lower bound or null, score], ...] for normalise: bands."
    )
    label: NonEmptyStr | None = Field(None, description="Name shown in the report.")

    @model_validator(mode="before")
    @classmethod
    def _bands_imply_normalise(cls, data: Any) -> Any:
        if data is None:
            return {}
        if isinstance(data, dict) and "bands" in data and "normalise" not in data:
            return {**data, "normalise": "bands"}
        return data

    @field_validator("bands")
    @classmethod
    def _sorted_distinct(cls, bands: tuple | None) -> tuple | None:
        if bands is None:
            return None
        if not bands:
            raise fail("expected at least one [lower bound, score] pair")
        lowers = [lo for lo, _ in bands]
        if len(set(lowers)) != len(lowers):
            raise fail(f"expected distinct lower bounds, got {lowers}")
        return tuple(sorted(bands))

    @model_validator(mode="after")
    def _bands_for_bands(self) -> CriterionSpec:
        if self.normalise == "bands" and self.bands is None:
            raise fail("expected bands [[lower, score], ...] for normalise 'bands'", at=("bands",))
        if self.normalise != "bands" and self.bands is not None:
            raise fail(f"bands are only used with normalise: bands, not {self.normalise!r}",
                       at=("bands",))  # fmt: skip
        return self

    def scoring_spec(self) -> dict[str, Any]:
        """The per-criterion spec of :func:`abclab.scoring.score` (bands as table rows)."""
        spec: dict[str, Any] = {"method": self.normalise, "direction": self.direction}
        if self.bands is not None:
            rows = []
            for k, (lower, score) in enumerate(self.bands):
                upper = self.bands[k + 1][0] if k + 1 < len(self.bands) else None
                rows.append({"lower": None if math.isinf(lower) else lower, "upper": upper,
                             "score": score})  # fmt: skip
            spec["bands"] = rows
        return spec


class Criteria(NamedEntries, RootModel[dict[str, CriterionSpec]]):
    """The criteria in study order; iterating gives :class:`CriterionSpec` objects."""

    model_config = {"frozen": True}

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data: Any) -> Any:
        return named_entries(data, what="criterion")

    @property
    def names(self) -> list[str]:
        """Criterion names in study order."""
        return list(self.root)


def _policy_fields() -> dict[str, Any]:
    hints = get_type_hints(CriterionPolicy)
    fields = {
        f.name: (hints[f.name], Field(f.default)) for f in dataclasses.fields(CriterionPolicy)
    }
    # nonpositive first: the check of ``missing`` reads it
    return {"nonpositive": fields.pop("nonpositive"), **fields}


class _PolicyChecks(StudyModel):
    @field_validator("missing", check_fields=False)
    @classmethod
    def _missing_fits(cls, missing: str, info: ValidationInfo) -> str:
        nonpositive = info.data.get("nonpositive", "allow")
        if missing == "zero" and nonpositive != "allow":
            raise fail(f"'zero' contradicts nonpositive {nonpositive!r} (0 is not positive)")
        if missing == "recent_average" and not context_of(info).has_transactions:
            raise fail("'recent_average' needs data.transactions")
        return missing

    @model_validator(mode="after")
    def _policy_accepts(self) -> Any:
        try:
            CriterionPolicy(**self.to_dict())
        except ValueError as err:
            raise fail(str(err)) from None
        return self

    def to_dict(self) -> dict[str, Any]:
        """The keyword arguments of :class:`abclab.cleaning.CriterionPolicy`."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(CriterionPolicy)}


#: Cleaning policy of one criterion (the fields of :class:`abclab.cleaning.CriterionPolicy`).
CleaningPolicy = create_model(
    "CleaningPolicy", __base__=_PolicyChecks, __module__=__name__, **_policy_fields()
)
CleaningPolicy.__doc__ = CriterionPolicy.__doc__


class CleaningSection(RootModel[dict[str, CleaningPolicy]]):  # type: ignore[valid-type]
    """Cleaning policy per criterion; ``default`` applies to criteria not listed."""

    model_config = {"frozen": True}

    @model_validator(mode="before")
    @classmethod
    def _known_criteria(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        names = context_of(info).criteria
        for key in data:
            if key != "default" and names and key not in names:
                raise fail(
                    f"expected a criterion ({quoted(names)}) or 'default', got {key!r}", at=(key,)
                )
        return {k: ({} if v is None else v) for k, v in data.items()}

    def policy(self, criterion: str) -> Any:
        """The policy of ``criterion`` (its own, else ``default``, else the defaults)."""
        return self.root.get(criterion) or self.root.get("default") or CleaningPolicy()

    def __bool__(self) -> bool:
        return bool(self.root)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dict):
            return self.root == other
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]
