"""Section 6's table lines: metrics on beside off, and their ratios."""
from __future__ import annotations

from bench.metrics_cost import metrics_block


def test_the_block_shows_both_servers_and_the_on_off_ratios() -> None:
    level = {"p50_ms": 10.0, "p95_ms": 20.0, "p99_ms": 30.0, "requests_per_s": 100.0, "requests": 700, "errors": 0}
    result = {"concurrency": 8, "workers": 2, "rounds": 3, "on": {**level, "p99_ms": 33.0},
              "off": level, "p50_ratio": 1.0, "p99_ratio": 1.1, "throughput_ratio": 0.97}
    lines = metrics_block(result).splitlines()
    assert lines[0].startswith("6. Cost of metrics: POST /v1/tag at concurrency 8, 2 workers")
    rows = {line.split("  ")[0].strip(): line.split() for line in lines[3:]}
    assert rows["metrics on"][2:6] == ["10.0", "20.0", "33.0", "100.0"]
    assert rows["metrics off"][2:6] == ["10.0", "20.0", "30.0", "100.0"]
    assert rows["on / off"][3:] == ["1.00", "1.10", "0.97"]
