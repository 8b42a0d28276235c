"""The compiled request validator accepts and refuses exactly what jsonschema does.

Bodies are checked by a fastjsonschema validator compiled from openapi.json, and a refused body
is checked again by jsonschema for the error message. If the two ever disagreed, a body could get
through that the published contract refuses: these tests hold them to the same verdict on hand-made
edge cases and on many random mutations of valid bodies.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from server import schemas
from server.errors import ApiError

COMPONENTS = ["AnalyzeRequest", "LinksRequest", "FeedbackRequest", "PairRequest"]

VALID: dict[str, Any] = {
    "AnalyzeRequest": {
        "messages": [
            {
                "id": "m1",
                "text": "hello",
                "thread": "t",
                "direction": "in",
                "sender": "s",
                "links": ["https://a.example"],
            },
            {"id": "m2", "text": "x"},
        ],
        "page": "https://www.messenger.com/t/1",
        "lang": "vi",
    },
    "LinksRequest": {"urls": ["https://a.example", "http://b.example/x"]},
    "FeedbackRequest": {
        "kind": "not_a_problem",
        "rules": ["secrecy.vi.x"],
        "thread": "t",
        "sender": "s",
        "message_hash": "abc",
        "categories": ["secrecy", "money"],
    },
    "PairRequest": {"code": "123456"},
}

# Values that sit on or across a limit, or have a type JSON can produce but the schema refuses.
REPLACEMENTS: list[object] = [
    None,
    True,
    0,
    1.5,
    "",
    "in",
    "x" * 32,
    "x" * 33,
    "x" * 256,
    "x" * 257,
    "x" * 2048,
    "x" * 2049,
    "x" * 4097,
    [],
    ["x"] * 50,
    ["x"] * 51,
    {},
    {"id": "1", "text": "t"},
    "secrecy",
    "not_a_problem",
    "fr",
]


def reference(component: str, body: object) -> bool:
    """jsonschema's verdict on the published schema: the definition of a valid body."""
    doc = schemas.openapi_document()
    schema = {"$ref": f"#/components/schemas/{component}", "components": doc["components"]}
    return Draft202012Validator(schema).is_valid(body)


def accepted(component: str, body: object) -> bool:
    try:
        schemas.validate(component, body)
    except ApiError as error:
        assert error.status == 422
        return False
    return True


def test_every_request_shape_gets_the_compiled_validator() -> None:
    # a schema edit that made one of them fall back to jsonschema would be slow, not wrong
    assert all(schemas._fast_check(c) is not None for c in COMPONENTS)


@pytest.mark.parametrize(
    ("component", "body"),
    [
        ("AnalyzeRequest", {"messages": []}),
        ("AnalyzeRequest", {"messages": [{"id": "1", "text": "t"}] * 200}),
        ("AnalyzeRequest", {"messages": [{"id": "1", "text": "t"}] * 201}),
        ("AnalyzeRequest", {"messages": [{"id": "1", "text": "t", "future": {"a": [1]}}]}),
        ("AnalyzeRequest", {"messages": [{"id": "1", "text": "t", "direction": None}]}),
        ("AnalyzeRequest", {"messages": [{"id": "1", "text": "\ud83d"}]}),  # lone surrogate
        ("AnalyzeRequest", {"messages": [{"id": "é" * 256, "text": ""}]}),  # code points
        ("AnalyzeRequest", {"messages": [{"id": "😀" * 257, "text": ""}]}),
        ("AnalyzeRequest", {"messages": {"0": {"id": "1", "text": "t"}}}),
        ("AnalyzeRequest", {"messages": [], "lang": None}),
        ("AnalyzeRequest", []),
        ("AnalyzeRequest", "messages"),
        ("AnalyzeRequest", None),
        ("LinksRequest", {"urls": []}),
        ("LinksRequest", {"urls": [1]}),
        ("FeedbackRequest", {"kind": "missed", "rules": [""]}),
        ("FeedbackRequest", {"kind": "missed", "categories": ["secrecy"] * 13}),
        ("FeedbackRequest", {"kind": "missed", "categories": ["secrecy"] * 14}),
        ("FeedbackRequest", {"kind": "MISSED"}),
        ("PairRequest", {}),
        ("PairRequest", {"code": "1" * 33}),
        ("PairRequest", {"code": 123456.0}),
    ],
)
def test_edge_cases_get_the_reference_verdict(component: str, body: object) -> None:
    assert accepted(component, body) == reference(component, body)


def _paths(value: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value where a mutation can go."""
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += _paths(child, (*prefix, index))
    return out


def _mutate(body: object, rng: random.Random) -> object:
    body = copy.deepcopy(body)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_paths(body))
        if not path:
            continue
        parent: Any = body
        for part in path[:-1]:
            parent = parent[part]
        action = rng.random()
        if action < 0.6:
            parent[path[-1]] = copy.deepcopy(rng.choice(REPLACEMENTS))
        elif action < 0.8 and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[rng.choice(["future", "id", "text", "kind", "urls", "lang"])] = rng.choice(
                REPLACEMENTS
            )
    return body


@pytest.mark.parametrize("component", COMPONENTS)
def test_random_mutations_get_the_reference_verdict(component: str) -> None:
    rng = random.Random(component)
    verdicts = set()
    for _ in range(600):
        body = _mutate(VALID[component], rng)
        expected = reference(component, body)
        assert accepted(component, body) == expected, body
        verdicts.add(expected)
    assert verdicts == {True, False}, "the mutations never produced both kinds of body"


@pytest.mark.parametrize(
    ("value", "depth"),
    [
        (1, 1),
        ("x", 1),
        ({}, 1),
        ([], 1),
        ({"a": 1}, 2),
        ([[]], 2),
        ([[1]], 3),
        ({"a": [{"b": "c"}], "d": 1}, 4),
        ([[[[[]]]]], 5),
        ([0, [0, [0, [0]]], 0], 5),
    ],
)
def test_depth_counts_every_level(value: object, depth: int) -> None:
    assert schemas._depth(value) == depth


@pytest.mark.parametrize(
    ("schema", "alike"),
    [
        ({"type": "string", "maxLength": 3, "description": "d"}, True),
        ({"type": "array", "items": {"$ref": "#/components/schemas/Str"}}, True),
        ({"$ref": "#/components/schemas/Str", "default": "x"}, True),
        # draft 7 ignores keywords beside $ref; 2020-12 applies them
        ({"$ref": "#/components/schemas/Str", "maxLength": 3}, False),
        ({"type": "string", "pattern": "^a"}, False),
        ({"type": "string", "format": "uri"}, False),
        ({"type": "array", "items": [{"type": "string"}]}, False),  # tuples only in draft 7
        ({"type": "object", "properties": {"a": {"type": "array", "uniqueItems": True}}}, False),
        ({"$ref": "#/components/schemas/Missing"}, False),
        ({"$ref": "other.json#/Str"}, False),
    ],
)
def test_only_schemas_both_libraries_read_alike_are_compiled(
    schema: dict[str, Any], alike: bool
) -> None:
    assert schemas._read_alike(schema, {"Str": {"type": "string"}}, set()) == alike
