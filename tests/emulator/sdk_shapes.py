"""Check a JSON response against the official SDK's response model: wire names and types."""

from __future__ import annotations

import re
from typing import Any

import pytest

models = pytest.importorskip("huaweicloudsdkmetastudio.v1.model")

_PRIMITIVES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "float": (int, float), "bool": (bool,), "datetime": (str,), "date": (str,),
}


def response_model(api_name: str) -> type:
    return getattr(models, f"{api_name}Response")


def sdk_shape_errors(data: Any, type_name: str, where: str = "$") -> list[str]:
    """Every place where ``data`` does not fit the SDK type ``type_name``."""
    if data is None or type_name == "object":
        return []
    if match := re.fullmatch(r"list\[(.+)\]", type_name):
        if not isinstance(data, list):
            return [f"{where}: expected a list for {type_name}, got {type(data).__name__}"]
        return [e for i, item in enumerate(data) for e in sdk_shape_errors(item, match[1], f"{where}[{i}]")]
    if match := re.fullmatch(r"dict\(str, (.+)\)", type_name):
        if not isinstance(data, dict):
            return [f"{where}: expected an object for {type_name}"]
        return [e for k, v in data.items() for e in sdk_shape_errors(v, match[1], f"{where}.{k}")]
    if type_name in _PRIMITIVES:
        ok = isinstance(data, _PRIMITIVES[type_name]) and not (type_name != "bool" and isinstance(data, bool))
        return [] if ok else [f"{where}: expected {type_name}, got {type(data).__name__} {data!r}"]
    klass = getattr(models, type_name)
    if not klass.openapi_types:  # an enum class such as JobState, or a response without fields
        if isinstance(data, str) or data == {}:
            return []
        return [f"{where}: expected an enum string or nothing for {type_name}, got {data!r}"]
    if not isinstance(data, dict):
        return [f"{where}: expected an object for {type_name}, got {type(data).__name__}"]
    wire = {v: klass.openapi_types[k] for k, v in klass.attribute_map.items()}
    errors = [f"{where}.{k}: not a field of {type_name}" for k in data if k not in wire]
    for key, value in data.items():
        if key in wire:
            errors += sdk_shape_errors(value, wire[key], f"{where}.{key}")
    return errors


def assert_sdk_shape(api_name: str, body: Any) -> None:
    errors = sdk_shape_errors(body, response_model(api_name).__name__)
    assert not errors, f"{api_name} response does not match the SDK model:\n" + "\n".join(errors)
