"""service.dates: every accepted form becomes ISO 8601; anything else is kept as given."""
from __future__ import annotations

from typing import Any

import pytest

from service.dates import normalise_date


@pytest.mark.parametrize(("given", "iso"), [
    ("2025-08-14", "2025-08-14"),
    ("  2025-08-14 ", "2025-08-14"),
    ("2025-08-14T10:20:00", "2025-08-14T10:20:00"),
    ("2025-08-14 10:20:00", "2025-08-14T10:20:00"),
    ("2025-08-14T10:20:00+07:00", "2025-08-14T10:20:00+07:00"),
    ("2025-08-14T23:59:00-05:00", "2025-08-14T23:59:00-05:00"),  # the local day is kept, not moved to UTC
    ("2025-08-14T03:20:00Z", "2025-08-14T03:20:00+00:00"),
    ("2025-08-14T03:20:00.250Z", "2025-08-14T03:20:00.250000+00:00"),
    ("2025-08-14T10:20", "2025-08-14T10:20:00"),
    ("14/08/2025", "2025-08-14"),
    ("4/8/2025", "2025-08-04"),
    ("14-08-2025", "2025-08-14"),
    ("14.08.2025", "2025-08-14"),
    ("2025/08/14", "2025-08-14"),
    ("20250814", "2025-08-14"),
    ("2019-05", "2019-05"),
    ("2019-5", "2019-05"),
    ("2019", "2019"),
    ("Thu, 14 Aug 2025 10:20:00 +0700", "2025-08-14T10:20:00+07:00"),
    ("Thu, 14 Aug 2025 10:20:00 GMT", "2025-08-14T10:20:00+00:00"),
])
def test_readable_dates_become_iso(given: str, iso: str) -> None:
    assert normalise_date(given) == (iso, True)


@pytest.mark.parametrize("absent", [None, "", "   "])
def test_an_absent_date_is_none_and_fine(absent: Any) -> None:
    assert normalise_date(absent) == (None, True)


@pytest.mark.parametrize("garbage", [
    "next week", "hôm qua", "2025-13-01", "2025-02-30", "31/02/2025", "32/01/2025", "2019-00", "2019-13",
    "14/08/25", "0999-01-01", "3000", "2025-08-14T25:00", "08/2025x", "Thu, 99 Aug 2025", "--",
])
def test_garbage_is_kept_as_given_and_flagged(garbage: str) -> None:
    assert normalise_date(garbage) == (garbage, False)


@pytest.mark.parametrize("odd", [20250814, 2019.5, True, ["2025-08-14"], {"y": 2025}])
def test_a_date_that_is_not_text_is_kept_and_flagged(odd: Any) -> None:
    result = normalise_date(odd)
    assert result.value is odd and result.ok is False
