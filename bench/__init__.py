"""`python -m bench` (`make bench`): throughput, latency, cost growth and memory of the tagger.

One module per job: `sample` (the articles), `stats` (medians, percentiles,
ratios), the sections `floor`, `batch`, `growth`, `rest` and `memory`, the
server and load generator they drive (`server`, `load`), and `report` (the
table, the targets and the JSON). docs/bench.md says how to run and read it.
"""
