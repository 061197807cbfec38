"""Topic and cooperation keywords, matched whole-word on normalised text.

Used three ways: the keyword baseline (`training.baseline`), weak labels on
the unlabelled pool (`training.weak`), and count features of the model.
"""
from __future__ import annotations

import re
from functools import lru_cache

from model.text import normalize

# Entries in capitals ("AI", "5G") match case-sensitively; the rest match in any case.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "5g": ("5G", "6G", "Open RAN", "OpenRAN", "O-RAN", "mạng di động thế hệ thứ năm", "mạng thế hệ thứ 5"),
    "ai": (
        "AI", "trí tuệ nhân tạo", "học máy", "machine learning", "deep learning", "học sâu",
        "ChatGPT", "chatbot", "GPT", "OpenAI", "AI tạo sinh", "mạng nơ-ron", "mạng nơ ron",
        "thị giác máy tính", "nhận diện khuôn mặt", "Gemini", "Copilot", "DeepMind", "AlphaGo",
    ),
    "semiconductors": (
        "bán dẫn", "chip", "vi mạch", "chất bán dẫn", "semiconductor", "TSMC", "vi xử lý",
        "wafer", "đóng gói chip", "thiết kế chip", "foundry", "Nvidia", "SMIC",
    ),
    "cybersecurity": (
        "an ninh mạng", "an toàn thông tin", "tin tặc", "hacker", "mã độc", "malware",
        "ransomware", "tấn công mạng", "lỗ hổng bảo mật", "bảo mật", "virus máy tính",
        "phishing", "lừa đảo trực tuyến", "rò rỉ dữ liệu", "đánh cắp dữ liệu", "an ninh thông tin",
        "WannaCry", "DDoS", "botnet", "tấn công DDoS", "gián điệp mạng", "chiến tranh mạng",
    ),
    "cooperation": (
        "hợp tác", "ký kết", "biên bản ghi nhớ", "MoU", "thỏa thuận hợp tác", "đối tác",
        "đầu tư", "chuyển giao công nghệ", "liên doanh",
    ),
}

# Phrases that contain a keyword but do not mean it; matched first and not counted.
STOPS: dict[str, tuple[str, ...]] = {
    "ai": ("khoa học máy tính", "học máy tính", "cơ học máy", "Ai Cập", "AI CẬP"),
    "semiconductors": ("thẻ chip", "thẻ gắn chip", "Chip Chip"),
}


class KeywordMatcher:
    """Counts keyword matches per label in normalised text."""

    def __init__(self, keywords: dict[str, tuple[str, ...]], stops: dict[str, tuple[str, ...]] | None = None):
        self.labels = list(keywords)
        self._patterns: dict[str, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}
        self._stops = {label: {normalize(w).lower() for w in words} for label, words in (stops or {}).items()}
        for label, words in keywords.items():
            words = words + (stops or {}).get(label, ())
            exact = [normalize(w) for w in words if w.isupper() or any(c.isdigit() for c in w)]
            loose = [normalize(w) for w in words if normalize(w) not in exact]
            self._patterns[label] = (
                self._compile(loose, re.IGNORECASE),
                self._compile(exact, 0) if exact else None,
            )

    @staticmethod
    def _compile(words: list[str], flags: int) -> re.Pattern[str]:
        alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", flags)

    def _finditer(self, text: str, label: str) -> list[re.Match[str]]:
        loose, exact = self._patterns[label]
        stops = self._stops.get(label, set())
        found = [m for m in loose.finditer(text) if m.group().lower() not in stops]
        if exact is not None:
            found += [m for m in exact.finditer(text) if m.group().lower() not in stops]
        return sorted(found, key=lambda m: m.start())

    def counts(self, text: str) -> dict[str, int]:
        """Number of keyword matches per label in `text` (already normalised)."""
        return {label: len(self._finditer(text, label)) for label in self.labels}

    def spans(self, text: str, label: str) -> list[tuple[int, int]]:
        """Start and end offsets of every keyword of `label` in `text`."""
        return [m.span() for m in self._finditer(text, label)]

    def matches(self, text: str, label: str) -> list[str]:
        """The keyword surfaces of `label` found in `text`, in order."""
        return [m.group() for m in self._finditer(text, label)]


@lru_cache(maxsize=1)
def keyword_matcher() -> KeywordMatcher:
    """The matcher over `KEYWORDS` (built once)."""
    return KeywordMatcher(KEYWORDS, STOPS)
