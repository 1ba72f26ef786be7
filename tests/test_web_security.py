"""Headers: no inline script, no sniffing, a quiet referrer, and who may frame which page."""

from __future__ import annotations

import pytest

from webapp import create_app


def make_app(tmp_path, **config):
    templates = tmp_path / "templates"
    templates.mkdir(exist_ok=True)
    for name in ("index.html", "embed.html"):
        (templates / name).write_text("<p>{{ config_json }}</p>")
    return create_app({"TESTING": True, "SAGASCOPE_HISTORY": ":memory:",
                       "SAGASCOPE_TEMPLATE_FOLDER": str(templates), **config})


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


@pytest.mark.parametrize("path", ["/", "/embed", "/api/scenarios", "/healthz", "/api/nothing"])
def test_every_response_forbids_inline_script_and_sniffing(tmp_path, path):
    response = make_app(tmp_path).test_client().get(path)
    csp = directives(response)
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert csp["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_docs_site_may_frame_embed_but_only_sagascope_may_frame_the_explainer(tmp_path):
    client = make_app(tmp_path).test_client()
    embed, page = client.get("/embed"), client.get("/")
    assert directives(embed)["frame-ancestors"] == "*"
    assert "X-Frame-Options" not in embed.headers
    assert directives(page)["frame-ancestors"] == "'self'"
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_framing_is_configurable_for_both_pages(tmp_path):
    client = make_app(
        tmp_path,
        SAGASCOPE_FRAME_ANCESTORS="https://school.example",
        SAGASCOPE_EMBED_FRAME_ANCESTORS="'self' https://docs.example",
    ).test_client()
    assert directives(client.get("/"))["frame-ancestors"] == "https://school.example"
    assert "X-Frame-Options" not in client.get("/").headers
    assert directives(client.get("/embed"))["frame-ancestors"] == "'self' https://docs.example"


@pytest.mark.parametrize("bad", ["'self'; script-src *", "", "a,b", 42])
def test_a_framing_rule_that_would_break_the_policy_is_refused_at_startup(tmp_path, bad):
    with pytest.raises(ValueError, match="must be a CSP source list"):
        make_app(tmp_path, SAGASCOPE_EMBED_FRAME_ANCESTORS=bad)


def test_an_unknown_limit_is_refused_at_startup_with_the_valid_names(tmp_path):
    with pytest.raises(ValueError, match="valid limits: runs_per_client, runs_total"):
        make_app(tmp_path, SAGASCOPE_LIMITS={"runs_per_student": 3})
