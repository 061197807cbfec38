"""Fixtures for the REST service (the app fixtures live in tests/conftest.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def alerts_file(tmp_path: Path) -> Path:
    """An alerts file as `tagger watch` writes it: two alerts, one of them with a later
    status line, and a torn last line (the watcher in the middle of a write)."""
    def alert(ident: str, created: str, status: str, attempts: int = 0) -> dict:
        item = {"id": ident, "title": "Nhật Bản và Việt Nam hợp tác bán dẫn", "date": "2026-03-01T00:00:00+00:00",
                "source": "Tin thử", "url": f"http://example.invalid/{ident}", "countries": ["JP"],
                "topics": ["semiconductors"], "partners": ["JP"], "cooperation": True, "scores": {"JP": 0.9}}
        return {"alert_id": f"chips|{ident}", "rule": "chips", "created": created, "at": created, "status": status,
                "attempts": attempts, "error": None, "item": item}

    lines = [alert("a1", "2026-03-01T08:00:00+00:00", "pending"), alert("a2", "2026-03-05T08:00:00+00:00", "recorded"),
             alert("a1", "2026-03-01T08:00:00+00:00", "delivered", 1)]
    path = tmp_path / "news.jsonl.alerts.jsonl"
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in lines) + '{"alert_id": "chi',
                    encoding="utf-8")
    return path
