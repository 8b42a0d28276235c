"""Request bodies: content type, size, JSON syntax, depth, then shape against `openapi.json`.

The OpenAPI document is the single source of the request shapes, so the published contract and
what the server accepts cannot drift apart.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, cast

from flask import Request
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from server.errors import ApiError

MAX_DEPTH = 16


@cache
def openapi_document() -> dict[str, Any]:
    text = resources.files("server").joinpath("openapi.json").read_text(encoding="utf-8")
    return cast(dict[str, Any], json.loads(text))


@cache
def _validator(component: str) -> Draft202012Validator:
    doc = openapi_document()
    schema = {"$ref": f"#/components/schemas/{component}", "components": doc["components"]}
    return Draft202012Validator(schema)


def _depth(value: object) -> int:
    """Nesting depth, without recursion (the value may be hostile)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return deepest


def _where(error: ValidationError) -> str:
    where = "body"
    for part in error.absolute_path:
        where += f"[{part}]" if isinstance(part, int) else f".{part}"
    return where


def _describe(error: ValidationError) -> str:
    """A message that names the field and the rule, and never echoes the value."""
    rule, limit = error.validator, error.validator_value
    if rule == "required":
        return str(error.message)  # "'text' is a required property"
    if rule == "type":
        return f"must be of type {limit}"
    if rule == "enum":
        return "must be one of " + ", ".join(json.dumps(v) for v in cast(list[object], limit))
    if rule == "const":
        return f"must be {json.dumps(limit)}"
    if rule == "maxItems":
        return f"must have at most {limit} items"
    if rule == "minItems":
        return f"must have at least {limit} items"
    if rule == "maxLength":
        return f"must be at most {limit} characters"
    if rule == "minLength":
        return f"must be at least {limit} characters"
    return f"fails the '{rule}' check"


def validate(component: str, value: object) -> None:
    """Raise a 422 naming the first bad field, in document order."""
    errors = sorted(_validator(component).iter_errors(value), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        raise ApiError(422, "invalid", f"{_where(first)}: {_describe(first)}")


def read_json(request: Request, component: str) -> dict[str, Any]:
    """The request body as a dict of the `component` shape, or an ApiError."""
    mimetype = request.mimetype
    if mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "bad_json", "The body is not valid UTF-8.") from None
    except RecursionError:
        raise ApiError(400, "bad_json", f"JSON nests deeper than {MAX_DEPTH} levels.") from None
    except ValueError as error:
        raise ApiError(400, "bad_json", f"The body is not valid JSON ({error}).") from None
    if _depth(value) > MAX_DEPTH:
        raise ApiError(400, "bad_json", f"JSON nests deeper than {MAX_DEPTH} levels.")
    validate(component, value)
    return cast(dict[str, Any], value)
