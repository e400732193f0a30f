"""``GET /v/{token}``: the page an emailed link opens — the code, and a button to the app.

It works without JavaScript: the button is a plain link to ``otpkeep://verify?...``.
Answers are never cached, send no referrer, and run under a CSP that allows nothing but
the page's own stylesheet.
"""

from __future__ import annotations

import html
from functools import cache
from importlib import resources
from string import Template

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from otpkeep.server.db import verifications
from otpkeep.server.routes.deps import RuntimeDep
from otpkeep.server.services.links import open_link

router = APIRouter(include_in_schema=False)

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


@cache
def _asset(name: str) -> str:
    return (resources.files("otpkeep.server.web") / name).read_text(encoding="utf-8")


def page(title: str, content: str, status: int, *, forms: bool = False) -> HTMLResponse:
    """One of the service's pages, under its security headers (``forms``: may post to itself)."""
    body = Template(_asset("landing.html")).substitute(title=html.escape(title), content=content)
    headers = dict(SECURITY_HEADERS)
    if forms:
        headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
            "form-action 'none'", "form-action 'self'"
        )
    return HTMLResponse(body, status_code=status, headers=headers)


def _gone() -> HTMLResponse:
    return page(
        "This link has expired",
        "<p>This code has expired or was already used. Ask otpkeep for a new code.</p>",
        410,
    )


@router.get("/v/{token}", response_class=HTMLResponse)
def landing(token: str, rt: RuntimeDep) -> HTMLResponse:
    """The code and a button that opens the app."""
    contents = open_link(rt.keys.link_token, token)
    if contents is None:
        return page(
            "This link is not valid",
            "<p>This link is not valid. Copy the whole link from the email, or type the code "
            "into otpkeep.</p>",
            404,
        )
    now = rt.now()
    with rt.unit() as db:
        row = verifications.get(db, contents.verification_id)
        live = (
            row is not None
            and row.used_at is None
            and row.expires_at > now
            and row.attempts_left > 0
        )
    if not live:
        return _gone()
    code = html.escape(contents.code)
    link = html.escape(contents.deep_link, quote=True)
    return page(
        "Your otpkeep code",
        f'<p>Enter this code in otpkeep:</p><p class="code" id="code">{code}</p>'
        f'<p><a class="open" id="open" href="{link}">Open otpkeep</a></p>'
        '<p class="note">The button opens otpkeep on this device and verifies your address. '
        "If you asked for the code on another device, type it there.</p>",
        200,
    )


@router.get("/static/landing.css")
def stylesheet() -> Response:
    """The landing page's stylesheet."""
    return Response(
        _asset("landing.css"),
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
