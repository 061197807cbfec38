"""Reading the Prometheus text of GET /metrics in tests."""
from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def sample(text: str, name: str, **labels: str) -> float:
    """The value of the sample `name` with exactly `labels` in `text`; 0.0 when absent
    (a counter nobody incremented yet has no sample)."""
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return s.value
    return 0.0


def label_values(text: str, name: str, label: str) -> dict[str, float]:
    """Values of the samples `name` by their `label` (other labels ignored, values summed)."""
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and label in s.labels:
                found[s.labels[label]] = found.get(s.labels[label], 0.0) + s.value
    return found
