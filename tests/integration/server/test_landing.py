"""The landing page of an emailed link, over HTTP and in headless Chromium."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

if TYPE_CHECKING:
    from service_harness import ServiceHarness


def link_path(service: ServiceHarness, email: str) -> str:
    """The path of the latest link mailed to ``email``."""
    service.client.post("/v1/verifications", json={"email": email, "purpose": "enable"})
    return urlsplit(service.link(email)).path


def test_landing_page_shows_the_code_and_the_deep_link(service: ServiceHarness) -> None:
    """The page shows the emailed code and links to otpkeep://verify with id and code."""
    path = link_path(service, "lan@example.com")
    code = service.code("lan@example.com")
    page = service.client.get(path)
    assert page.status_code == 200
    assert code in page.text
    assert f"code={code}" in page.text
    assert 'href="otpkeep://verify?id=' in page.text
    assert "<script" not in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]


def test_landing_page_of_a_used_code_says_it_expired(service: ServiceHarness) -> None:
    """Once the code was used, the page says so and no longer shows it."""
    started = service.client.post(
        "/v1/verifications", json={"email": "used@example.com", "purpose": "enable"}
    ).json()
    path = urlsplit(service.link("used@example.com")).path
    code = service.code("used@example.com")
    service.client.post(
        f"/v1/verifications/{started['verification_id']}/confirm", json={"code": code}
    )
    page = service.client.get(path)
    assert page.status_code == 410
    assert code not in page.text


def test_altered_link_is_not_valid(service: ServiceHarness) -> None:
    """A token that was altered shows the not-valid page with 404."""
    path = link_path(service, "alt@example.com")
    altered = path[:-2] + ("AA" if not path.endswith("AA") else "BB")
    page = service.client.get(altered)
    assert page.status_code == 404
    assert "not valid" in page.text
    assert service.client.get("/v/x").status_code == 404


def test_landing_stylesheet_is_served(service: ServiceHarness) -> None:
    """The page's only resource, its stylesheet, is served from the service."""
    answer = service.client.get("/static/landing.css")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/css")


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.mark.slow
def test_landing_page_in_chromium_without_javascript(live_service: ServiceHarness) -> None:
    """Headless Chromium with JavaScript off shows the code; the button carries the link."""
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Chromium is not installed at /usr/bin/chromium: browser test skipped")
    playwright_api = pytest.importorskip("playwright.sync_api")
    service = live_service
    path = link_path(service, "browser@example.com")
    code = service.code("browser@example.com")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(java_script_enabled=False)
            page = context.new_page()
            response = page.goto(service.url + path)
            assert response is not None
            assert response.status == 200
            assert page.locator("#code").inner_text().strip() == code
            href = page.locator("#open").get_attribute("href")
            assert page.locator("#open").is_visible()
        finally:
            browser.close()
    assert href is not None
    deep_link = urlsplit(href)
    assert (deep_link.scheme, deep_link.netloc) == ("otpkeep", "verify")
    query = parse_qs(deep_link.query)
    assert query["code"] == [code]
    assert len(query["id"][0]) == 36
