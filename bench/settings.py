"""How big a run is (full or `--quick`) and which sections there are."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

SECTIONS = {
    1: "floor (word_tokenize alone)",
    2: "tagger tag --jobs 1/2",
    3: "cost growth 1x/4x/16x",
    4: "REST latency at concurrency 1/8/32",
    5: "bundle load time and worker memory",
    6: "REST p99 at concurrency 8, metrics on beside off",
    7: "tagger watch: one cycle over 50 local feeds x 100 items",
    8: "tagger report over 1,000,000 synthetic tagged rows",
    9: "instructions per Tagger.tag call (callgrind; needs valgrind)",
}


@dataclass(frozen=True)
class Sizes:
    """Sizes and repeats of a run; every figure is a median of `repeats` runs after a warm-up."""

    name: str = "full"
    articles: int = 2000          # the sample, every k-th article of the pool
    repeats: int = 3              # runs per figure (sections 1 and 3)
    batch_repeats: int = 5        # runs per --jobs setting, taking turns (section 2: the machine's noise is widest there)
    chunk_size: int = 200         # `tagger tag --chunk-size`: the CLI's default
    longest_pieces: int = 4       # articles of 16x the median length (4x: 4 times as many, 1x: 16 times)
    rest_requests: dict[int, int] = field(default_factory=lambda: {1: 600, 8: 2100, 32: 2100})
    rest_repeats: int = 3         # runs per concurrency, each of requests // rest_repeats
    rest_time_limit_s: float = 60  # per run: a run stops sending then, whatever its count
    memory_requests: int = 5000   # RSS is read idle and after at least this many requests
    load_repeats: int = 5         # fresh processes loading the bundle
    rest_article_bytes: int = 3000  # the REST article: the sample's closest to this size as JSON


FULL = Sizes()
QUICK = Sizes(name="quick", articles=200, repeats=2, batch_repeats=2, chunk_size=25, longest_pieces=1,
              rest_requests={1: 60, 8: 200, 32: 200}, rest_repeats=2, rest_time_limit_s=20,
              memory_requests=500, load_repeats=2)


def with_articles(sizes: Sizes, articles: int) -> Sizes:
    """`sizes` with another sample size, e.g. a larger one so that `--jobs 2`'s work outweighs its start-up.

    Raises
    ------
    ValueError
        If `articles` is not a multiple of two chunks larger than two chunks
        (section 2 needs whole rounds of two chunks, see `bench.batch`).
    """
    rounds = 2 * sizes.chunk_size
    if articles <= rounds or articles % rounds:
        raise ValueError(f"must be a multiple of {rounds} (two chunks of {sizes.chunk_size}) above {rounds}, "
                         f"not {articles}")
    return replace(sizes, articles=articles)


def parse_sections(text: str) -> set[int]:
    """The section numbers in "1,3,5" (spaces allowed).

    Raises
    ------
    ValueError
        If a part is not one of the section numbers, or none is given.
    """
    chosen: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) not in SECTIONS:
            raise ValueError(f"{part!r} is not a section; use numbers from {min(SECTIONS)} to {max(SECTIONS)}")
        chosen.add(int(part))
    if not chosen:
        raise ValueError("no section given")
    return chosen
