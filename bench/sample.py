"""The articles every section runs on: a fixed sample of the pool, or a generated stand-in.

Articles are plain dicts with `id`, `title`, `lead` and `text`, which is what
`Tagger.tag`, `tagger tag` and `POST /v1/tag` all accept.
"""
from __future__ import annotations

import gzip
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from bench.stats import median

Article = dict[str, Any]
POOL = Path(__file__).resolve().parents[2] / "shared" / "data" / "pool.jsonl.gz"
SEED = 20261123

# Syllables of tech-news Vietnamese, for the stand-in set used where the pool is absent.
_SYLLABLES = (
    "Việt Nam Nhật Bản Hàn Quốc công nghệ thông tin hợp tác phát triển trí tuệ nhân tạo mạng 5G "
    "doanh nghiệp chuyển đổi số bán dẫn dữ liệu an ninh mạng chính phủ bộ trưởng ký kết thỏa thuận "
    "đầu tư nghiên cứu sản phẩm dịch vụ người dùng thị trường điện thoại ứng dụng hệ thống viễn thông "
    "tập đoàn năm nay tháng trước cho biết sẽ được đã có những các một trong với của và tại về theo"
).split()


class Sample(NamedTuple):
    """The articles and where they came from ("pool" or "generated")."""

    articles: list[Article]
    source: str


def article_chars(article: Article) -> int:
    """Characters of an article's title, lead and text together."""
    return sum(len(article.get(k) or "") for k in ("title", "lead", "text"))


def full_text(article: Article) -> str:
    """Title, lead and text joined by newlines: what the tokenizer floor reads."""
    return "\n".join(t for t in (article.get("title"), article.get("lead"), article.get("text")) if t)


def every_kth(lines: Sequence[Any], n: int) -> list[Any]:
    """`n` items spread evenly over `lines`: every k-th from the first, k = len // n (all if fewer)."""
    if n >= len(lines):
        return list(lines)
    step = len(lines) // n
    return [lines[i * step] for i in range(n)]


def pool_sample(n: int, pool: Path = POOL) -> list[Article]:
    """Every k-th article of the pool file, `n` in all, as tagger input records."""
    with gzip.open(pool, "rb") as fh:
        lines = [line for line in fh if line.strip()]
    rows = [json.loads(line) for line in every_kth(lines, n)]
    return [{"id": str(r["id"]), "title": r.get("title") or "", "lead": r.get("lead") or "", "text": r["body"]}
            for r in rows]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_SYLLABLES, k=rng.randint(8, 24))
    return " ".join(words).capitalize() + "."


def _paragraphs(rng: random.Random, chars: int) -> str:
    sentences: list[str] = []
    while sum(len(s) + 1 for s in sentences) < chars:
        sentences.append(_sentence(rng))
    return " ".join(sentences)


def generated_sample(n: int, seed: int = SEED) -> list[Article]:
    """`n` Vietnamese-looking articles, the same for the same seed; bodies of about 2,500 characters."""
    rng = random.Random(seed)
    return [{"id": f"gen-{i:05d}", "title": _sentence(rng), "lead": _sentence(rng),
             "text": _paragraphs(rng, int(rng.lognormvariate(7.8, 0.45)))} for i in range(n)]


def load_sample(n: int, pool: Path = POOL) -> Sample:
    """The pool sample when the pool file is there, else the generated set."""
    if pool.is_file():
        return Sample(pool_sample(n, pool), f"pool: every k-th of {pool.name}")
    return Sample(generated_sample(n), f"generated (seed {SEED}): {pool} is absent")


def write_jsonl(articles: Sequence[Article], path: Path) -> Path:
    """Write `articles` as JSON Lines, the input of `tagger tag`."""
    with open(path, "w", encoding="utf-8") as fh:
        for article in articles:
            fh.write(json.dumps(article, ensure_ascii=False) + "\n")
    return path


def request_bytes(article: Article) -> int:
    """Size of `article` as a POST /v1/tag body."""
    return len(json.dumps(article, ensure_ascii=False).encode("utf-8"))


def closest_in_size(articles: Sequence[Article], target_bytes: int) -> Article:
    """The article whose request body is closest to `target_bytes`."""
    return min(articles, key=lambda a: abs(request_bytes(a) - target_bytes))


def cut_into(articles: Sequence[Article], pieces: int, piece_chars: int) -> list[Article]:
    """`pieces` articles of exactly `piece_chars` characters of text each, cut from the
    texts of `articles` joined end to end (cycling if they are too short).

    Every size cut from the same articles reads the same text, only in longer or
    shorter pieces, so per-character costs of different sizes can be compared.
    """
    if not articles or pieces < 1 or piece_chars < 1:
        raise ValueError("need articles, at least one piece and a positive length")
    stream = "\n".join(a["text"] for a in articles)
    while len(stream) < pieces * piece_chars:
        stream = stream + "\n" + stream
    return [{"id": f"cut-{piece_chars}-{i}", "title": "", "lead": "",
             "text": stream[i * piece_chars:(i + 1) * piece_chars]} for i in range(pieces)]


def median_chars(articles: Sequence[Article]) -> int:
    """The median article length in characters (title, lead and text)."""
    return int(median([article_chars(a) for a in articles]))
