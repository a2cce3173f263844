"""The JSON Schema of the study file (``abclab schema``), for editors and validators."""

from __future__ import annotations

import copy
from typing import Any

from abclab import methods as registry
from abclab.config.study import Study

__all__ = ["SCHEMA_ID", "study_json_schema"]

#: Identifier of the schema (``$id``).
SCHEMA_ID = "https://abclab.invalid/schema/study.json"


def study_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a study file, as written in YAML.

    ``methods`` entries are shown in their written form — a method name, or a one-key
    mapping ``{name: {parameters}}`` — and derived, non-writable fields are left out.
    """
    schema = copy.deepcopy(Study.model_json_schema(by_alias=True, mode="validation"))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "abclab study"
    defs = schema.get("$defs", {})
    entries: list[dict[str, Any]] = [{"enum": list(registry.method_names())}]
    for name in registry.method_names():
        cls = registry.method_class(name)
        ref = {"$ref": f"#/$defs/{cls.__name__}"} if cls.__name__ in defs else {}
        entries.append({"type": "object", "properties": {name: {"anyOf": [ref, {"type": "null"}]}},
                        "required": [name], "additionalProperties": False})  # fmt: skip
    props = schema["properties"]
    # forms the models accept that pydantic's schema does not show
    criteria = defs.get("Criteria", {})
    if isinstance(criteria.get("additionalProperties"), dict):
        criteria["additionalProperties"] = {"anyOf": [criteria["additionalProperties"],
                                                      {"type": "null"}]}  # fmt: skip
    cleaning = defs.get("CleaningSection", {})
    if isinstance(cleaning.get("additionalProperties"), dict):
        cleaning["additionalProperties"] = {"anyOf": [cleaning["additionalProperties"],
                                                      {"type": "null"}]}  # fmt: skip
    for section in ("sensitivity", "customer_base"):
        if section in props:
            props[section] = {"anyOf": [props[section], {"type": "boolean"}],
                              "description": "true: the defaults; false or absent: none"}  # fmt: skip
    if "name" in props:
        props["name"] = {**props["name"], "type": ["string", "number"]}
    methods = schema["properties"]["methods"]
    methods["items"] = {"anyOf": entries}
    methods.pop("default", None)
    for required in ("methods", "recommended"):  # filled in when absent
        if required in schema.get("required", []):
            schema["required"].remove(required)
    return schema
