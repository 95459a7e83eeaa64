"""The rules' shared constants (static/js/lib/rules-constants.json, docs/rules.md) are served
as JSON: the page imports them as a JSON module, which the browser only accepts with a JSON
MIME type. The server reads the same bytes (tasks/rules/constants.py)."""

from __future__ import annotations

import json

from tasks.rules import constants


def test_the_constants_are_served_as_json_and_equal_the_servers(client):
    res = client.get("/static/js/lib/rules-constants.json")
    assert res.status_code == 200
    assert res["Content-Type"].split(";")[0] == "application/json"
    served = json.loads(b"".join(res.streaming_content))
    assert served["tolerances"] == constants.TOLERANCES
    assert served["messages"] == constants.MESSAGES


def test_the_module_that_imports_them_is_served(client):
    res = client.get("/static/js/lib/ruletext.js")
    assert res.status_code == 200
    body = b"".join(res.streaming_content).decode()
    assert 'from "./rules-constants.json" with { type: "json" }' in body
