"""The Trends tab and report.html in headless Chromium: charts drawn, nothing fetched from elsewhere.

Uses the live server and helpers of test_web_browser (skipped the same way when
chromium is absent); the browser here also records every network request.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from report.hand import BY_MONTH, write_tagged
from service.cli import main
from web.test_web_browser import live_url, page, start_chromium, upload, wait  # noqa: F401

from selenium.webdriver.common.by import By  # noqa: E402  (test_web_browser has skipped the module without it)
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """Chromium as in test_web_browser, with the performance log on (every request it makes)."""
    driver = start_chromium(tmp_path_factory.mktemp("chromium-trends"), {"browser": "SEVERE", "performance": "ALL"})
    try:
        yield driver
    finally:
        driver.quit()


def requested(driver: WebDriver) -> list[str]:
    """URLs the browser asked for since the last call."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def show_trends(page: WebDriver) -> None:
    page.find_element(By.ID, "tab-trends").click()
    page.find_element(By.ID, "trends-button").click()


def test_a_tagged_file_is_drawn_as_charts_and_a_table(page: WebDriver, live_url: str, tmp_path: Path) -> None:
    requested(page)
    page.find_element(By.ID, "tab-trends").click()
    page.find_element(By.ID, "trends-file").send_keys(str(write_tagged(tmp_path / "tagged.jsonl")))
    page.find_element(By.ID, "trends-button").click()
    wait(page).until(EC.visibility_of_element_located((By.ID, "trends-result")))
    assert page.find_element(By.ID, "trends-summary").text == "10 of 10 records counted by month (1 undated), 3 periods."
    lines = page.find_elements(By.CSS_SELECTOR, "#trends-topics svg polyline")
    assert len(lines) == 3  # ai, 5g, semiconductors (cybersecurity is only in the undated article)
    assert len(page.find_elements(By.CSS_SELECTOR, "#trends-topics svg circle")) == 9
    assert len(page.find_elements(By.CSS_SELECTOR, "#trends-periods svg rect")) == 6  # all + cooperation, 3 periods
    rows = page.find_elements(By.CSS_SELECTOR, "#trends-table tbody tr")
    assert len(rows) == len(BY_MONTH)
    page.find_element(By.CSS_SELECTOR, "#trends-table th:nth-child(5)").click()
    page.find_element(By.CSS_SELECTOR, "#trends-table th:nth-child(5)").click()  # descending
    assert page.find_element(By.CSS_SELECTOR, "#trends-table tbody tr").text.split() == [
        "2025-10", "JP", "semiconductors", "yes", "3"]
    assert all(url.startswith(live_url) or url.startswith(("data:", "blob:")) for url in requested(page))
    assert page.get_log("browser") == []


def test_filters_matching_nothing_show_the_problem(page: WebDriver, tmp_path: Path) -> None:
    page.find_element(By.ID, "tab-trends").click()
    page.find_element(By.ID, "trends-file").send_keys(str(write_tagged(tmp_path / "tagged.jsonl")))
    page.find_element(By.ID, "trends-country").send_keys("FR")
    page.find_element(By.ID, "trends-button").click()
    alert = wait(page).until(EC.visibility_of_element_located((By.ID, "trends-error")))
    assert alert.text == "No article matches these filters: none of the 10 records"
    assert not page.find_element(By.ID, "trends-result").is_displayed()


def test_the_upload_tabs_results_are_counted_without_a_file(page: WebDriver, tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_text(json.dumps({"id": "a1", "text": "Việt Nam và Nhật Bản hợp tác về 5G."}, ensure_ascii=False)
                    + "\n" + json.dumps({"id": "a2", "text": " "}) + "\n", encoding="utf-8")
    upload(page, path)
    wait(page).until(EC.visibility_of_element_located((By.ID, "file-result")))
    show_trends(page)
    wait(page).until(EC.visibility_of_element_located((By.ID, "trends-result")))
    # the error row is left out; the API echoes no date for these articles, so the one result is undated
    assert page.find_element(By.ID, "trends-summary").text == "1 of 1 records counted by month (1 undated), 0 periods."


def test_report_html_is_self_contained_with_its_charts(browser: WebDriver, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(write_tagged(tmp_path / "tagged.jsonl")), "-o",
                                       str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    requested(browser)
    browser.get((tmp_path / "out" / "report.html").as_uri())
    images = browser.find_elements(By.CSS_SELECTOR, "img[id^=chart-]")
    assert [i.get_attribute("id") for i in images] == ["chart-topics", "chart-partners", "chart-heatmap"]
    wait(browser).until(lambda d: all(d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", i)
                                      for i in images))
    assert all(i.size["width"] > 200 for i in images)
    urls = requested(browser)
    assert urls and all(url.startswith(("file://", "data:")) for url in urls), urls
    header = browser.find_elements(By.CSS_SELECTOR, "table.sortable")[2].find_element(By.CSS_SELECTOR, "th:nth-child(4)")
    header.click()  # counts table, articles ascending
    first = browser.find_elements(By.CSS_SELECTOR, "table.sortable")[2].find_element(By.CSS_SELECTOR, "tbody tr td:nth-child(4)")
    assert first.text == "1"
    assert browser.get_log("browser") == []
