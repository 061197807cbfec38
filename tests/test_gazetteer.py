"""Finding countries, places and actors in text."""
from __future__ import annotations

import pytest

from model.gazetteer import load_gazetteer
from model.text import normalize


def codes(text: str) -> list[tuple[str, str]]:
    return [(m.code, m.group) for m in load_gazetteer().find(normalize(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nhật Bản hợp tác với Việt Nam", [("JP", "names"), ("VN", "names")]),
        # Vietnamese parties beyond the country's name: a ministry, a province, a firm
        ("Bộ KH&CN và tỉnh Bắc Ninh làm việc với VinFast",
         [("VN", "actors"), ("VN", "places"), ("VN", "actors")]),
        ("Tập đoàn Samsung mở nhà máy", [("KR", "actors")]),
        ("Đại sứ quán tại Washington", [("US", "places")]),
        ("Hàn Quốc và Triều Tiên", [("KR", "names"), ("KP", "names")]),  # longest match wins over "Hàn"
        ("Hyosung mở nhà máy mới", [("KR", "actors")]),  # a home-country company
        # A product is found in a group of its own: the country model learns how much it
        # counts (a headline about it, or a spec line: LABELING.md calls the latter passing).
        ("iPhone 17 về Việt Nam", [("US", "products"), ("VN", "names")]),
        ("Tổng thống Hàn Quốc Lee Jae Myung", [("KR", "names"), ("KR", "actors")]),  # a 2025 leader
        ("Ông Tập nhấn mạnh", [("CN", "actors")]),  # Xi Jinping by his family name, as the press calls him
    ],
)
def test_finds_countries(text: str, expected: list[tuple[str, str]]) -> None:
    assert codes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ông Nguyễn Đức Chung phát biểu",  # "Đức" inside a person's name is not Germany
        "anh Tuấn Anh về quê",             # nor is "Anh" England
        "hôm Chủ Nhật trời mưa",           # "Nhật" in Sunday is not Japan
        "cập nhật phần mềm",               # lower case is not a name
        "Pháp luật quy định rõ",            # "Pháp luật" is law, not France
        "bị hại là ông Cao Toàn Mỹ",        # "Mỹ" in a person's name is not the US
        "anh Mỹ khai tại tòa",
        "cháy gara gần sân Mỹ Đình",        # a place in Hanoi
        "cuộc kháng chiến chống Mỹ cứu nước",  # history, not the US as an actor
        "sửa Nhà thờ Đức Bà",               # Notre-Dame, not Germany
        "biên giới Đức Huệ (Long An)",      # a district of Long An
        "đường Trường Sơn Đông bị chia cắt",  # a Vietnamese road, not Shandong
        "cả nhà tập thể dục, ông tập chạy",  # "tập" (to practise) is not Xi
        "học sinh Trường Quốc tế Mỹ; Bệnh viện Quốc tế Mỹ (AIH)",  # Vietnamese institutions, not the US
    ],
)
def test_ignores_lookalikes(text: str) -> None:
    assert [found for found in codes(text) if found[0] != "VN"] == []


def test_country_name_after_lowercase_word_counts() -> None:
    assert codes("Tổng thống Nga Vladimir Putin") == [("RU", "names"), ("RU", "actors")]


@pytest.mark.parametrize("text", ["Theo Mỹ, thỏa thuận vẫn còn hiệu lực", "Với Đức, đây là ưu tiên"])
def test_short_name_after_a_capitalised_sentence_opener_counts(text: str) -> None:
    assert len(codes(text)) == 1


def test_mentions_carry_offsets_into_the_text() -> None:
    text = normalize("Hợp tác với Hàn Quốc")
    (m,) = load_gazetteer().find(text)
    assert text[m.start:m.end] == "Hàn Quốc" == m.surface


def test_every_code_is_iso_alpha2_or_eu() -> None:
    gaz = load_gazetteer()
    assert "VN" not in gaz.foreign_codes
    assert all(len(c) == 2 and c.isupper() for c in gaz.codes)
    assert {"JP", "KR", "US", "CN", "EU"} <= set(gaz.foreign_codes)


def test_countries_in_a_list_are_marked_as_listed() -> None:
    from model.features import PAIR_FEATURES, country_pairs, prepare

    doc = prepare({"title": "Mỹ cấm xuất khẩu chip",
                   "text": "Các nước như Nhật Bản, Hàn Quốc và Đài Loan bị ảnh hưởng. Mỹ nói rõ lý do. Mỹ sẽ xem xét."})
    codes, rows = country_pairs(doc)
    listed = dict(zip(codes, rows[:, PAIR_FEATURES.index("listed_share")]))
    assert listed["JP"] == listed["KR"] == listed["TW"] == 1.0
    assert listed["US"] == 0.0
    title_others = dict(zip(codes, rows[:, PAIR_FEATURES.index("title_names_others")]))
    assert title_others["US"] == 0.0 and title_others["JP"] == 1.0
