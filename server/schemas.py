"""Request bodies: content type, size, JSON syntax, depth, then shape against `openapi.json`.

The OpenAPI document is the single source of the request shapes, so the published contract and
what the server accepts cannot drift apart. Every body is checked by a validator that
fastjsonschema compiles from that document (a 50-message batch costs ~0.1 ms, not ~2.5 ms as with
jsonschema); a rejected body is checked again by jsonschema, whose errors name the field and the
rule. A schema using a keyword the two libraries might read differently is checked by jsonschema
alone, so a change to the document can make validation slower but never weaker.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any, cast

import fastjsonschema
from flask import Request
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from server.errors import ApiError

MAX_DEPTH = 16

# Keywords that mean the same to fastjsonschema (draft 7) and jsonschema (draft 2020-12) as used
# here: assertions on types, properties, lengths and values, plus annotations. `$ref` is safe
# only without assertion siblings (draft 7 ignores them, 2020-12 applies them).
_SAME_IN_BOTH = frozenset(
    {"type", "required", "properties", "items", "enum", "const"}
    | {"maxItems", "minItems", "maxLength", "minLength", "additionalProperties"}
)
_ANNOTATIONS = frozenset({"description", "default", "title", "examples"})


@cache
def openapi_document() -> dict[str, Any]:
    text = resources.files("server").joinpath("openapi.json").read_text(encoding="utf-8")
    return cast(dict[str, Any], json.loads(text))


def _schema(component: str) -> dict[str, Any]:
    doc = openapi_document()
    return {"$ref": f"#/components/schemas/{component}", "components": doc["components"]}


@cache
def _validator(component: str) -> Draft202012Validator:
    return Draft202012Validator(_schema(component))


def _read_alike(node: object, schemas: dict[str, Any], seen: set[str]) -> bool:
    """True when every schema reachable from `node` uses only keywords both libraries share."""
    if not isinstance(node, dict):
        return False
    keys = set(node)
    if "$ref" in node:
        ref = str(node["$ref"])
        name = ref.removeprefix("#/components/schemas/")
        if name == ref or name not in schemas or keys - {"$ref"} - _ANNOTATIONS:
            return False
        if name in seen:
            return True
        seen.add(name)
        return _read_alike(schemas[name], schemas, seen)
    if keys - _SAME_IN_BOTH - _ANNOTATIONS or isinstance(node.get("items"), list):
        return False  # an unknown keyword, or `items: [...]` (tuples in draft 7 only)
    children = list(cast(dict[str, object], node.get("properties", {})).values())
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            children.append(node[key])
    return all(_read_alike(child, schemas, seen) for child in children)


@cache
def _fast_check(component: str) -> Callable[[object], object] | None:
    """A compiled validator for `component`, or None when only jsonschema may judge it."""
    schema = _schema(component)
    if not _read_alike({"$ref": schema["$ref"]}, schema["components"]["schemas"], set()):
        return None
    # use_default=False: never write defaults into the body; use_formats=False: like jsonschema,
    # `format` is an annotation (and _read_alike keeps schemas with `format` away anyway).
    check = fastjsonschema.compile(schema, use_default=False, use_formats=False)
    return cast(Callable[[object], object], check)


def _depth(value: object) -> int:
    """Nesting depth (a scalar counts as a level), without recursion: the value may be hostile."""
    deepest, stack = 1, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children: Any
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if children:
            deepest = max(deepest, level + 1)
            stack.extend((c, level + 1) for c in children if isinstance(c, (dict, list)))
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
    check = _fast_check(component)
    if check is not None:
        try:
            check(value)
        except fastjsonschema.JsonSchemaException:
            pass  # rejected: jsonschema below says where and why
        else:
            return
    errors = sorted(_validator(component).iter_errors(value), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        raise ApiError(422, "invalid", f"{_where(first)}: {_describe(first)}")
    if check is not None:  # the two disagree: refuse rather than let a body through unchecked
        raise ApiError(422, "invalid", "body: does not match the schema")


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
