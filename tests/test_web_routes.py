"""The HTTP side of the server as a browser, a docs site or a script sees it."""

from __future__ import annotations

import json
import re

import pytest
from schema_assertions import assert_schema_valid

from saga_core import FAILURE_KINDS, MODES, load_scenario, scenario_names
from saga_core.cli import main as cli_main
from webapp import create_app, get_runner

PAGE_TEMPLATE = '<script type="application/json" id="config">{{ config_json|safe }}</script>'
ATTRIBUTE_TEMPLATE = '<div data-config="{{ config_json }}"></div>'


@pytest.fixture
def app(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "index.html").write_text(PAGE_TEMPLATE)
    (templates / "embed.html").write_text(ATTRIBUTE_TEMPLATE)
    app = create_app({"TESTING": True, "SAGASCOPE_HISTORY": ":memory:",
                      "SAGASCOPE_TEMPLATE_FOLDER": str(templates)})
    yield app
    get_runner(app).shutdown()


@pytest.fixture
def client(app):
    return app.test_client()


def page_config(response) -> dict:
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    match = re.search(r'id="config">(.*)</script>', text)
    return json.loads(match.group(1))


def test_the_explainer_page_gets_its_whole_starting_state_from_the_link(client):
    config = page_config(client.get(
        "/?mode=choreography&fail=inventory&fail=payment:transient:2&seed=7&speed=2"
        "&autoplay=1&cursor=5"
    ))
    assert config == {
        "mode": "choreography", "scenario": "checkout",
        "failures": ["inventory", "payment:transient:2"], "seed": 7, "speed": 2,
        "autoplay": True, "cursor": 5, "embed": False, "error": None,
        "scenarios": client.get("/api/scenarios").json,
    }


def test_a_plain_visit_gets_the_defaults(client):
    config = page_config(client.get("/"))
    assert {k: config[k] for k in ("mode", "scenario", "failures", "seed", "speed", "autoplay",
                                   "cursor", "embed", "error")} == {
        "mode": "orchestration", "scenario": "checkout", "failures": [], "seed": None,
        "speed": 1, "autoplay": False, "cursor": 0, "embed": False, "error": None,
    }


def test_speed_max_and_the_compare_layout_are_valid_page_links(client):
    config = page_config(client.get("/?mode=compare&speed=max&speed=ignored-second-value"))
    assert (config["mode"], config["speed"], config["error"]) == ("compare", "max", None)


def test_a_bad_page_parameter_still_renders_the_page_and_says_what_is_valid(client):
    config = page_config(client.get(
        "/?mode=telepathy&fail=warehouse&fail=payment:explode&seed=-3&speed=9&autoplay=maybe"
        "&scenario=nope"
    ))
    assert (config["mode"], config["failures"], config["seed"], config["speed"]) == (
        "orchestration", [], None, 1)
    assert config["autoplay"] is False and config["scenario"] == "checkout"
    error = config["error"]
    for says in ["valid modes: orchestration, choreography, hybrid, compare",
                 "valid steps: order, payment, inventory, shipping",
                 "valid kinds: fail, transient, timeout", "from 0 to",
                 "a number from 0.25 to 8, or max", "valid values: 1, true, yes, on",
                 f"valid scenarios: {', '.join(scenario_names())}"]:
        assert says in error
    assert error.count(".") >= 7 and error[0].isupper()


def test_the_embed_page_says_it_is_embedded_and_survives_hostile_text_in_an_attribute(client):
    response = client.get("/embed?mode=%22%3E%3Cscript%3Ealert(1)%3C/script%3E&autoplay=1")
    text = response.get_data(as_text=True)
    assert "<script>" not in text and "</script>" not in text
    from html import unescape

    config = json.loads(unescape(re.search(r'data-config="([^"]*)"', text).group(1)))
    assert config["embed"] is True and config["autoplay"] is True
    assert '"><script>alert(1)</script>' in config["error"]


def test_hostile_text_cannot_close_the_config_script_block(client):
    text = client.get("/?mode=</script><script>alert(1)//").get_data(as_text=True)
    assert text.count("</script>") == 1
    assert "\\u003c/script\\u003e" in text


def test_scenarios_lists_what_a_client_needs_to_build_its_menus(client):
    payload = client.get("/api/scenarios").json
    assert payload["modes"] == list(MODES)
    assert payload["failure_kinds"] == list(FAILURE_KINDS)
    assert payload["speeds"] == {"min": 0.25, "max": 8, "default": 1}
    assert [s["name"] for s in payload["scenarios"]] == scenario_names()
    checkout = next(s for s in payload["scenarios"] if s["name"] == "checkout")
    saga = load_scenario("checkout")
    assert [s["name"] for s in checkout["steps"]] == saga.step_names
    payment = checkout["steps"][1]
    assert payment == {
        "name": "payment", "service": "PaymentService",
        "action": saga.step("payment").action.text,
        "compensation": saga.step("payment").compensate.text,
        "retry": saga.step("payment").retry.to_dict(),
        "timeout_ms": saga.step("payment").timeout_ms,
    }
    assert checkout["services"] == ["OrderService", "PaymentService", "InventoryService",
                                    "ShippingService"]
    assert checkout["side_subscribers"]["PaymentSucceeded"] == ["Fraud", "Audit"]
    assert {"OrderCreated", "PaymentSucceeded"} <= {n["id"] for n in checkout["flow"]["nodes"]}
    assert checkout["title"] and checkout["description"]


def test_scenarios_carry_each_failure_kinds_label_and_meaning_per_mode(client):
    info = client.get("/api/scenarios").json["failure_kind_info"]
    assert [k["kind"] for k in info] == list(FAILURE_KINDS)
    for entry in info:
        kind = FAILURE_KINDS[entry["kind"]]
        assert entry == {"kind": kind.name, "label": kind.label, "summary": kind.summary,
                         "counted": kind.counted, "modes": kind.modes}
        assert set(entry["modes"]) == set(MODES)
    assert {k["kind"] for k in info if k["counted"]} == {"transient", "timeout", "compensate",
                                                         "drop"}


def test_trace_answers_the_same_events_as_the_cli(client, capsys):
    args = ["--mode", "hybrid", "--fail", "payment:transient:2", "--fail", "shipping",
            "--seed", "5"]
    assert cli_main(["trace", *args, "--json"]) == 0
    from_cli = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    response = client.get("/api/trace?mode=hybrid&fail=payment:transient:2&fail=shipping&seed=5")
    assert response.status_code == 200
    assert response.json["events"] == from_cli
    assert response.json["outcome"] == "compensated"
    assert_schema_valid(from_cli)


@pytest.mark.parametrize(("query", "code", "says"), [
    ("mode=telepathy", "bad_payload", "valid modes: orchestration, choreography, hybrid"),
    ("fail=warehouse", "bad_failure_spec", "valid steps: order, payment, inventory, shipping"),
    ("fail=payment:explode", "bad_failure_spec", "valid kinds: fail, transient"),
    ("seed=abc", "bad_payload", "is not a whole number from 0 to"),
    ("scenario=nope", "bad_payload", "valid scenarios: "),
    ("failure=payment", "bad_payload", "valid parameters: mode, fail, seed, scenario"),
    ("fail=order&" * 11, "bad_payload", "at most 10"),
])
def test_a_bad_trace_parameter_answers_400_with_the_valid_values(client, query, code, says):
    response = client.get(f"/api/trace?{query}")
    assert response.status_code == 400
    assert response.json["error"]["code"] == code
    assert says in response.json["error"]["reason"]


def test_an_unknown_api_route_answers_json_and_a_page_route_html(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404 and "routes: /api/scenarios" in (
        response.json["error"]["reason"])
    assert client.get("/nothing").status_code == 404


def test_healthz_says_the_server_is_up(client):
    assert client.get("/healthz").json == {"status": "ok", "live_runs": 0}


def test_the_history_of_a_run_that_is_not_recorded_is_a_404_with_a_hint(client):
    response = client.get("/api/runs/r-nope")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "unknown_run"
    assert client.get("/api/runs").json == {"runs": []}


def test_the_real_templates_render(tmp_path):
    app = create_app({"TESTING": True, "SAGASCOPE_HISTORY": ":memory:"})
    try:
        for path in ("/?mode=hybrid&fail=payment", "/embed?autoplay=1"):
            response = app.test_client().get(path)
            assert response.status_code == 200
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    finally:
        get_runner(app).shutdown()
