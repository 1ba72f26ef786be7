"""Response headers: a Content-Security-Policy with no inline script, no MIME sniffing, a quiet
referrer, and framing rules (`/embed` may sit in any page, docs sites embed it; everything else
only in SagaScope itself). Both framing rules are configurable."""

from __future__ import annotations

import re

from flask import Flask, Response, request

EMBED_ENDPOINTS = {"pages.embed"}
DEFAULT_FRAME_ANCESTORS = "'self'"
DEFAULT_EMBED_FRAME_ANCESTORS = "*"
_SOURCE_LIST = re.compile(r"^[^;,\r\n]+$")
POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)


def content_security_policy(frame_ancestors: str) -> str:
    return "; ".join([*POLICY, f"frame-ancestors {frame_ancestors}"])


def check_source_list(value: object, key: str) -> str:
    """A CSP source list such as `'self'`, `*` or `https://docs.example.org 'self'`."""
    if isinstance(value, str) and _SOURCE_LIST.match(value.strip()):
        return value.strip()
    raise ValueError(f"{key} must be a CSP source list such as \"'self'\", \"*\" or "
                     f"\"https://docs.example.org\" (no ';' or ','), not {value!r}")


def init_app(app: Flask, page: str, embed: str) -> None:
    """Every response gets the headers; `page` and `embed` are the checked frame-ancestors
    source lists of / (and the API) and of /embed."""
    policies = {False: content_security_policy(page), True: content_security_policy(embed)}

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        embedded = request.endpoint in EMBED_ENDPOINTS
        response.headers["Content-Security-Policy"] = policies[embedded]
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if (embed if embedded else page) == "'self'":
            response.headers["X-Frame-Options"] = "SAMEORIGIN"  # for browsers without CSP 3
        return response
