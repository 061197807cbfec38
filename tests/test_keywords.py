"""Keyword matching behind the baseline, the cues and the weak labels."""
from __future__ import annotations

import pytest

from model.keywords import keyword_matcher
from model.text import normalize


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("Triển khai mạng 5G tại Hà Nội", "5g", 1),
        ("ai cũng biết điều đó", "ai", 0),                  # "ai" = who: capitals only
        ("Ứng dụng AI và trí tuệ nhân tạo", "ai", 2),
        ("Ngành khoa học máy tính tuyển sinh", "ai", 0),    # contains "học máy", is not ML
        ("Du lịch Ai Cập; AI CẬP", "ai", 0),
        ("Phòng học máy lạnh, wifi", "ai", 0),  # an air-conditioned classroom, not machine learning
        ("Đổi sang thẻ chip nội địa", "semiconductors", 0),  # chip cards are not semiconductors
        ("Gắn chip điện tử cho chó nuôi; cấy chip vào tay", "semiconductors", 0),  # implants, not the industry
        ("Nhà máy chip bán dẫn", "semiconductors", 2),
        ("Tin tặc phát tán mã độc", "cybersecurity", 2),
        ("Xe Toyota Camry 2.5G và mạng 5G", "5g", 1),       # "2.5G" is a car trim
        ("Huawei thử nghiệm 5.5G", "5g", 1),                # 5G-Advanced, though it follows a decimal point
        # 2025-26 names a headline may give alone, and a lookalike that is not one
        ("Google ra mắt Veo 3.1 và Nano Banana", "ai", 2),
        ("Nước hồ trong veo", "ai", 0),                      # "trong veo" (crystal clear) is not Google's Veo
        ("Xai lầm của xAI", "ai", 1),                        # "xai lầm" misspells "sai lầm" (a mistake)
        ("SK Hynix tăng sản lượng HBM4; máy quang khắc EUV", "semiconductors", 4),
        # A name written with mixed capitals matches in any capitals: the news writes "MOU", "NVIDIA",
        # "Châu Âu", "Liên hợp quốc" (the training files and pool_recent hold some 200 such variants)
        ("Trao MOU với đối tác", "cooperation", 2),
        ("Cổ phiếu NVIDIA tăng", "semiconductors", 1),
        ("Châu Âu và Liên hợp quốc", "international", 2),
    ],
)
def test_counts(text: str, label: str, expected: int) -> None:
    assert keyword_matcher().counts(normalize(text))[label] == expected


def test_spans_point_at_the_keywords() -> None:
    text = normalize("Hai bên ký kết hợp tác")
    spans = keyword_matcher().spans(text, "cooperation")
    assert [text[a:b] for a, b in spans] == ["ký kết", "hợp tác"]
