"""GET / and its static files, through the Flask test client (no browser)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

from service.web import ASSETS, STATIC
from conftest import AppFactory

ABSOLUTE_URL = re.compile(r"\bhttps?://|\bwss?://", re.IGNORECASE)
LOCAL_URL = re.compile(r"/(?!/)|#|data:")  # a path on this server, a fragment or inline data, never //host


class Elements(HTMLParser):
    """The start tags of a page, with their attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def by_id(self) -> dict[str, tuple[str, dict[str, str]]]:
        return {attrs["id"]: (tag, attrs) for tag, attrs in self.tags if "id" in attrs}

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for t, attrs in self.tags if t == tag]


def test_the_page_has_the_form_the_tabs_and_the_api_urls(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = Elements(response.get_data(as_text=True))
    ids = page.by_id()
    assert ids["one-form"][0] == "form"
    assert ids["title"] == ("input", {"id": "title", "name": "title", "type": "text", "autocomplete": "off"})
    assert ids["text"][0] == "textarea"
    assert ids["tag-button"][0] == "button" and ids["tag-button"][1]["type"] == "submit"
    assert ids["example"][0] == "button" and ids["example"][1]["type"] == "button"
    assert ids["file"][1]["type"] == "file"
    body = page.all("body")[0]
    assert (body["data-tag-url"], body["data-batch-url"], body["data-model-url"]) == (
        "/v1/tag", "/v1/tag/batch", "/v1/model")
    assert {"href": "/v1/model"} in page.all("a")


def test_every_field_has_a_label_and_every_button_a_type(client: FlaskClient) -> None:
    page = Elements(client.get("/").get_data(as_text=True))
    labelled = {attrs["for"] for attrs in page.all("label")}
    fields = [attrs["id"] for tag, attrs in page.tags if tag in ("input", "textarea", "select")]
    assert fields and set(fields) <= labelled
    assert all(attrs.get("type") in ("button", "submit") for attrs in page.all("button"))


def test_the_tabs_follow_the_aria_tabs_pattern(client: FlaskClient) -> None:
    page = Elements(client.get("/").get_data(as_text=True))
    ids = page.by_id()
    tabs = [attrs for tag, attrs in page.tags if attrs.get("role") == "tab"]
    assert [t["id"] for t in tabs][:3] == ["tab-one", "tab-file", "tab-trends"]
    assert [t["aria-selected"] for t in tabs] == ["true"] + ["false"] * (len(tabs) - 1)
    assert [t.get("tabindex") for t in tabs] == [None] + ["-1"] * (len(tabs) - 1)  # one tab stop: the selected tab
    for tab in tabs:
        panel = ids[tab["aria-controls"]][1]
        assert panel["role"] == "tabpanel" and panel["aria-labelledby"] == tab["id"]
    assert ["hidden" in ids[t["aria-controls"]][1] for t in tabs] == [False] + [True] * (len(tabs) - 1)


@pytest.mark.parametrize("batch_max", [1, 64, 500])
def test_the_page_carries_the_configured_batch_limit(make_app: AppFactory, batch_max: int) -> None:
    html = make_app(BATCH_MAX=batch_max).test_client().get("/").get_data(as_text=True)
    assert Elements(html).all("body")[0]["data-batch-max"] == str(batch_max)
    assert f'<span id="batch-max">{batch_max}</span>' in html


def test_the_assets_the_page_links_are_served(client: FlaskClient) -> None:
    page = Elements(client.get("/").get_data(as_text=True))
    links = [a["href"] for a in page.all("link") if a["rel"] == "stylesheet"] + [s["src"] for s in page.all("script") if "src" in s]
    assert sorted(links) == sorted(f"/static/{name}" for name in ASSETS)
    for link in links:
        with client.get(link) as response:  # closes the file it streams
            assert response.status_code == 200, link
            assert response.mimetype in ("text/css", "text/javascript"), link
            assert response.mimetype_params.get("charset") == "utf-8"
            assert response.get_data() == (STATIC / link.rsplit("/", 1)[1]).read_bytes()


@pytest.mark.parametrize("path", ["/static/index.html", "/static/nothing.js", "/static/..%2Fweb.py", "/static/"])
def test_only_the_assets_are_served_from_static(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_the_page_names_no_other_host(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    texts = {"/": html, **{name: (STATIC / name).read_text(encoding="utf-8") for name in ASSETS}}
    for name, text in texts.items():
        assert not ABSOLUTE_URL.search(text), f"{name} names another host: {ABSOLUTE_URL.search(text)}"
    page = Elements(html)
    for tag, attrs in page.tags:
        for name in ("href", "src", "action"):
            if name in attrs:
                assert LOCAL_URL.match(attrs[name]), f"<{tag} {name}={attrs[name]!r}> is not on this server"
    css = texts["web.css"]
    assert "@import" not in css and "url(" not in css


def test_the_urls_follow_the_script_root(client: FlaskClient) -> None:
    # Mounted under a path prefix (a reverse proxy's SCRIPT_NAME), the page still finds the API.
    html = client.get("/", environ_overrides={"SCRIPT_NAME": "/tagger"}).get_data(as_text=True)
    body = Elements(html).all("body")[0]
    assert body["data-tag-url"] == "/tagger/v1/tag"
    assert 'href="/tagger/static/web.css"' in html


def test_the_alerts_panel_starts_hidden_and_reads_the_alerts_endpoint(client: FlaskClient) -> None:
    html = client.get("/", environ_overrides={"SCRIPT_NAME": "/tagger"}).get_data(as_text=True)
    tag, attrs = Elements(html).by_id()["alerts-panel"]
    assert tag == "section" and "hidden" in attrs
    assert attrs["data-alerts-url"] == "/tagger/v1/alerts"
    assert client.get("/v1/alerts").status_code == 404  # what keeps it hidden without an alerts file
