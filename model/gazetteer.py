"""Find mentions of countries, their places and their actors in Vietnamese text.

The data lives in ``gazetteer.json`` beside this module: for every ISO code,
``names`` (the country and its people), ``places`` (capital, cities, seats of
power), ``actors`` (leaders, state bodies, home-country companies) and
``products`` (a home-country company's products and services).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from model.phrases import phrase_pattern
from model.text import normalize

GAZETTEER_PATH = Path(__file__).with_name("gazetteer.json")
GROUPS = ("names", "places", "actors", "products")
# A product stands for its maker's country in the country model, but is no party to a cooperation.
PARTIES = ("names", "places", "actors")
HOME = "VN"
# A one-syllable name ("Đức", "Anh", "Nga") right after one of these is a person.
PERSON_TITLES = frozenset(
    "ông bà anh chị em cô chú bác cháu con cụ thầy cậu mợ dì bé chàng nàng".split()
)
# Capitalised only because they open a sentence ("Theo Mỹ, ..."): not part of a name.
SENTENCE_OPENERS = frozenset(
    "theo với tại ở còn nhưng trong khi sau từ cả phía và của cho đến tới giữa trước nay riêng như cùng"
    " nếu vì do bởi trừ ngoài hay hoặc chính ngay sang về ra vào giúp tuy dù mà để khác là có được"
    " bên gồm thăm cũng đây đó này hiện".split()
)
_PREV_WORD = re.compile(r"(\w+)(\W*)$")


@dataclass(frozen=True)
class Mention:
    """One match: the country `code`, its `group`, and where it stands."""

    code: str
    group: str
    start: int
    end: int
    surface: str


def is_foreign_party(mention: Mention) -> bool:
    """Is `mention` a foreign party: another country's name, place or actor (not a product)?"""
    return mention.code != HOME and mention.group in PARTIES


class Gazetteer:
    """Compiled gazetteer; `find(text)` lists the mentions in normalised text."""

    def __init__(self, entries: dict[str, dict[str, list[str]]], ambiguous: list[str], stop: list[str]):
        self.codes = sorted(entries)
        self.foreign_codes = [c for c in self.codes if c != HOME]
        self._lookup: dict[str, list[tuple[str, str]]] = {}
        for code, groups in entries.items():
            for group in GROUPS:
                for phrase in groups.get(group, []):
                    key = normalize(phrase)
                    pair = (code, group)
                    if pair not in self._lookup.setdefault(key, []):
                        self._lookup[key].append(pair)
        for phrase in stop:
            self._lookup.setdefault(normalize(phrase), [])
        self._ambiguous = frozenset(normalize(a) for a in ambiguous)
        # Longest phrase first, so that "Hàn Quốc" wins over "Hàn".
        self._pattern = phrase_pattern(list(self._lookup))

    def _is_person(self, text: str, start: int) -> bool:
        prev = _PREV_WORD.search(text, max(0, start - 60), start)
        if prev is None:
            return False
        word, gap = prev.group(1), prev.group(2)
        if word.lower() in PERSON_TITLES and word.islower():
            return True
        # "Nguyễn Đức Chung", "Tuấn Anh": a capitalised word just before, in the same sentence.
        return (word[:1].isupper() and not word.isupper() and gap.strip(" ") == ""
                and word.lower() not in SENTENCE_OPENERS)

    def find(self, text: str) -> list[Mention]:
        """Mentions in `text`, which must already be normalised (`model.text.normalize`)."""
        found: list[Mention] = []
        for match in self._pattern.finditer(text):
            surface = match.group()
            pairs = self._lookup.get(surface, [])
            if not pairs or (surface in self._ambiguous and self._is_person(text, match.start())):
                continue
            for code, group in pairs:
                found.append(Mention(code, group, match.start(), match.end(), surface))
        return found


@lru_cache(maxsize=4)
def load_gazetteer(path: str = str(GAZETTEER_PATH)) -> Gazetteer:
    """Load and compile the gazetteer at `path` (cached).

    Raises
    ------
    OSError, ValueError
        If the file cannot be read or is not valid gazetteer JSON.
    """
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    entries = {k: v for k, v in raw.items() if not k.startswith("_")}
    return Gazetteer(entries, raw.get("_ambiguous", []), raw.get("_stop", []))
