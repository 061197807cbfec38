"""Topic and cooperation keywords, matched whole-word on normalised text.

Used three ways: the keyword baseline (`training.baseline`), weak labels on
the unlabelled pool (`training.weak`), and count features of the model.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from model.phrases import phrase_pattern
from model.text import normalize

# Entries in capitals ("AI", "5G") match case-sensitively; the rest match in any case.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "5g": ("5G", "6G", "5.5G", "Open RAN", "OpenRAN", "O-RAN", "mạng di động thế hệ thứ năm", "mạng thế hệ thứ 5"),
    "ai": (
        "AI", "trí tuệ nhân tạo", "học máy", "machine learning", "deep learning", "học sâu",
        "ChatGPT", "chatbot", "GPT", "OpenAI", "AI tạo sinh", "mạng nơ-ron", "mạng nơ ron",
        "thị giác máy tính", "nhận diện khuôn mặt", "Gemini", "Copilot", "DeepMind", "AlphaGo",
        # 2025-26 names (pool_recent.jsonl.gz): models, assistants and labs a headline may name alone
        "DeepSeek", "Claude", "Anthropic", "Grok", "Llama", "LLM", "mô hình ngôn ngữ lớn", "deepfake", "Sora",
        "Midjourney", "Perplexity", "trợ lý ảo", "AI agent", "tác tử AI",
        "xAI", "GenAI", "Nano Banana", "Veo 3", "agentic", "Apple Intelligence",
    ),
    "semiconductors": (
        "bán dẫn", "chip", "vi mạch", "chất bán dẫn", "semiconductor", "TSMC", "vi xử lý",
        "wafer", "đóng gói chip", "thiết kế chip", "foundry", "Nvidia", "SMIC",
        "GPU", "H100", "H200", "H20", "Blackwell", "ASML", "vi điều khiển",
        # names of 2025-26 chips, memory and chipmaking that a headline may give alone
        "HBM", "HBM3", "HBM3E", "HBM4", "EUV", "quang khắc", "in thạch bản", "2nm", "3nm", "SK Hynix", "B200", "B300", "GB200",
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

# Cues only (not labels): phrases that tell a topic's news from a passing
# mention, so the model can weigh "a chip factory" against "the phone's chip".
CONTEXT_CUES: dict[str, tuple[str, ...]] = {
    "chip_industry": (
        "bán dẫn", "vi mạch", "sản xuất chip", "nhà máy chip", "thiết kế chip", "xuất khẩu chip",
        "thiếu chip", "thiếu hụt chip", "khủng hoảng chip", "chip AI", "TSMC", "foundry", "wafer",
        "đóng gói chip", "kiểm thử chip", "ngành chip", "chuỗi cung ứng chip",
    ),
    "device_specs": (
        "vi xử lý", "RAM", "bộ nhớ trong", "màn hình", "dung lượng pin", "camera", "smartphone",
        "điện thoại", "laptop", "máy tính bảng", "cấu hình", "giá bán", "phiên bản",
    ),
    "ai_core": (
        "trí tuệ nhân tạo", "học máy", "machine learning", "deep learning", "AI tạo sinh",
        "ChatGPT", "mô hình ngôn ngữ lớn", "LLM", "dữ liệu lớn", "thuật toán",
    ),
    "network_5g": (
        "mạng 5G", "thử nghiệm 5G", "phủ sóng 5G", "triển khai 5G", "giấy phép 5G", "băng tần",
        "tần số", "trạm phát sóng", "nhà mạng", "thương mại hóa 5G", "thiết bị 5G",
    ),
    "security_event": (
        "tấn công", "xâm nhập", "lừa đảo", "đánh cắp", "rò rỉ", "chiếm quyền", "tài khoản",
        "mật khẩu", "dữ liệu cá nhân", "an ninh", "bảo mật", "gián điệp", "nghe lén", "cửa hậu", "backdoor",
    ),
    # Technology as the subject of a cooperation (LABELING.md's third condition), beside the topics.
    "technology": (
        "công nghệ", "công nghệ cao", "công nghệ thông tin", "CNTT", "ICT", "chuyển đổi số", "số hóa",
        "kỹ thuật số", "viễn thông", "đổi mới sáng tạo", "khoa học", "dữ liệu", "phần mềm", "trung tâm dữ liệu",
        "điện tử", "internet", "khởi nghiệp", "startup", "R&D", "vệ tinh", "robot", "tự động hóa",
        "điện toán đám mây", "blockchain", "kinh tế số", "chính phủ điện tử",
        # Research as science, not "nghiên cứu" alone, which as often means "to study" a plan, a route
        # or an opponent's play (no cooperation row of the training files names technology by it alone).
        "nghiên cứu khoa học", "hợp tác nghiên cứu", "nghiên cứu chung", "viện nghiên cứu",
        "trung tâm nghiên cứu", "cơ sở nghiên cứu", "nghiên cứu và phát triển", "nghiên cứu phát triển",
        "nghiên cứu và đổi mới", "nghiên cứu và đào tạo", "nghiên cứu ứng dụng", "công trình nghiên cứu",
        "dự án nghiên cứu", "nhóm nghiên cứu", "nhà nghiên cứu", "nghiên cứu sinh",
    ),
    # International organisations: a foreign party of a cooperation that has no country code (LABELING.md).
    "international": (
        "ASEAN", "ITU", "Liên minh Viễn thông Quốc tế", "Ngân hàng Thế giới", "World Bank", "WB", "ADB",
        "Ngân hàng Phát triển châu Á", "UNDP", "UNESCO", "UNICEF", "Liên Hợp Quốc", "Liên hợp quốc", "LHQ",
        "WEF", "Diễn đàn Kinh tế Thế giới", "APEC", "G20", "G7", "OECD", "IMF", "WTO", "GSMA", "Interpol",
        "INTERPOL", "ASEANAPOL", "WIPO", "IAEA", "ASEM", "tổ chức quốc tế",
        "châu Âu",  # Europe as a party ("Việt Nam và châu Âu bàn ... bán dẫn"); the EU's own names are in the gazetteer
    ),
}

# Cue tables that name a topic as well as its keywords do (`names_topic`). Only security: on the
# training files, 11 % of whole articles labelled cybersecurity speak of spying, intrusion or stolen
# data without a keyword of the topic; the other topics' keywords already cover 97-100 % of theirs.
TOPIC_CUES = {"cybersecurity": ("security_event",)}

# Phrases that contain a keyword but do not mean it; matched first and not counted.
STOPS: dict[str, tuple[str, ...]] = {
    "ai": ("khoa học máy tính", "học máy tính", "cơ học máy", "Ai Cập", "AI CẬP",
           "học máy lạnh",  # "phòng học máy lạnh": an air-conditioned classroom
           "xai lầm"),  # "sai lầm" (a mistake) misspelt, not xAI
    "semiconductors": ("thẻ chip", "thẻ gắn chip", "Chip Chip", "căn cước gắn chip", "căn cước có gắn chip",
                       "căn cước công dân gắn chip", "CCCD gắn chip", "CCCD có gắn chip", "hộ chiếu gắn chip",
                       # a microchip implanted in a pet, an animal or a person (LABELING.md: no chip industry)
                       "cấy chip", "chip định vị", "gắn chip điện tử", "gắn chip định vị"),
}


class KeywordMatcher:
    """Finds the keywords of many labels in normalised text, a few regex passes in all.

    Each table in `tables` (e.g. the labels' keywords, then the context cues)
    is matched in one pass for its case-insensitive phrases and one for its
    case-sensitive ones (capitals or digits: "AI", "5G"), longest phrase first.
    A stop phrase is matched like the others and counts for nothing.
    """

    def __init__(self, tables: list[dict[str, tuple[str, ...]]], stops: dict[str, tuple[str, ...]] | None = None):
        self.labels = [label for table in tables for label in table]
        # (pattern, its re.IGNORECASE twin for case-insensitive tables, phrase -> labels)
        self._passes: list[tuple[re.Pattern[str], re.Pattern[str] | None, dict[str, tuple[str, ...]]]] = []
        for table in tables:
            loose: dict[str, list[str]] = {}
            exact: dict[str, list[str]] = {}
            for label, words in table.items():
                for word in words:
                    key = normalize(word)
                    if word.isupper() or any(c.isdigit() for c in word):
                        exact.setdefault(key, []).append(label)
                    else:
                        loose.setdefault(key.lower(), []).append(label)
            for label, words in (stops or {}).items():
                if label in table:
                    for word in words:
                        key = normalize(word)
                        if word.isupper():
                            exact.setdefault(key, [])
                        else:
                            loose.setdefault(key.lower(), [])
            for lookup, fold in ((loose, True), (exact, False)):
                if lookup:
                    labels = {k: tuple(dict.fromkeys(v)) for k, v in lookup.items()}
                    fallback = phrase_pattern(list(lookup), re.IGNORECASE) if fold else None
                    self._passes.append((phrase_pattern(list(lookup)), fallback, labels))

    def _found(self, text: str) -> list[tuple[re.Match[str], tuple[str, ...]]]:
        # Case-insensitive phrases are matched on the lower-cased text, which is
        # much faster than re.IGNORECASE; where lower-casing changes the length
        # (a few rare letters), offsets would shift, so fall back to IGNORECASE.
        lowered = text.lower()
        same_length = len(lowered) == len(text)
        found = []
        for pattern, fallback, lookup in self._passes:
            if fallback is None:
                hits = pattern.finditer(text)
            else:
                hits = pattern.finditer(lowered) if same_length else fallback.finditer(text)
            for m in hits:
                labels = lookup.get(m.group() if fallback is None else m.group().lower(), ())
                if labels:
                    found.append((m, labels))
        return found

    def labelled_spans(self, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
        """Start, end and labels of every keyword match in `text`, in order."""
        return sorted((m.start(), m.end(), labels) for m, labels in self._found(text))

    def counts(self, text: str) -> dict[str, int]:
        """Number of keyword matches per label in `text` (already normalised)."""
        return self.label_counts(self.labelled_spans(text))

    def label_counts(self, spans: list[tuple[int, int, tuple[str, ...]]]) -> dict[str, int]:
        """Number of matches per label (every label, 0 included) in `labelled_spans` output."""
        result = dict.fromkeys(self.labels, 0)
        for _, _, labels in spans:
            for label in labels:
                result[label] += 1
        return result

    def spans(self, text: str, label: str) -> list[tuple[int, int]]:
        """Start and end offsets of every keyword of `label` in `text`, in order."""
        return sorted(m.span() for m, labels in self._found(text) if label in labels)

    def matches(self, text: str, label: str) -> list[str]:
        """The keyword surfaces of `label` found in `text`, in order."""
        return [text[a:b] for a, b in self.spans(text, label)]


def names_topic(counts: Mapping[str, int], topic: str) -> bool:
    """Does a text with these keyword `counts` (`KeywordMatcher.label_counts`) name `topic`:
    one of its keywords, or of its cue tables (`TOPIC_CUES`)?"""
    return any(counts.get(label, 0) > 0 for label in (topic, *TOPIC_CUES.get(topic, ())))


@lru_cache(maxsize=1)
def keyword_matcher() -> KeywordMatcher:
    """The matcher over `KEYWORDS` (built once)."""
    return KeywordMatcher([KEYWORDS, CONTEXT_CUES], STOPS)
