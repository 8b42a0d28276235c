"""The OpenAPI document: valid, served as-is, and describing exactly the routes the app has."""

from __future__ import annotations

import json
from pathlib import Path

from openapi_spec_validator import validate
from server_helpers import HOST, Harness

DOC = Path(__file__).resolve().parents[2] / "server" / "openapi.json"


def test_document_is_valid_openapi() -> None:
    validate(json.loads(DOC.read_text(encoding="utf-8")))


def test_served_document_is_the_file_in_the_repo(harness: Harness) -> None:
    reply = harness.client.get("/v1/openapi.json", headers={"Host": HOST})
    assert reply.status_code == 200
    assert reply.get_json() == json.loads(DOC.read_text(encoding="utf-8"))


def test_document_and_routes_list_the_same_operations(harness: Harness) -> None:
    documented = {
        (path, method.upper())
        for path, item in json.loads(DOC.read_text(encoding="utf-8"))["paths"].items()
        for method in item
    }
    routed = {
        (rule.rule, method)
        for rule in harness.app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    assert routed == documented


def test_every_operation_documents_its_errors() -> None:
    doc = json.loads(DOC.read_text(encoding="utf-8"))
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert {"403", "500"} <= statuses, (method, path)
            if operation.get("security", doc["security"]):
                assert "401" in statuses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "415", "422"} <= statuses, (method, path)
