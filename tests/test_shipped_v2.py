"""The committed bundle on the real feed items of dev_short, and on the known traps (needs ../shared/data)."""
from __future__ import annotations

import pytest

from model.bundle import DEFAULT_BUNDLE, load_bundle
from training.data import load_labelled
from training.evaluate import evaluate_rows

from conftest import SHARED_DATA

DEV_SHORT = SHARED_DATA / "dev_short.jsonl"

pytestmark = [
    pytest.mark.shipped,
    pytest.mark.skipif(not DEV_SHORT.is_file(), reason=f"{DEV_SHORT} is absent: the shared data folder is not beside the repo"),
]


@pytest.fixture(scope="module")
def shipped():
    return load_bundle(DEFAULT_BUNDLE)


@pytest.fixture(scope="module")
def dev_short_report(shipped) -> dict:
    return evaluate_rows(shipped, load_labelled(DEV_SHORT))


@pytest.mark.parametrize("family", ["topics", "countries_big4", "countries", "cooperation", "partners"])
def test_feed_items_are_tagged_better_than_by_keywords(dev_short_report: dict, family: str) -> None:
    model = dev_short_report["model"]["families"][family]["micro_f1"]
    baseline = dev_short_report["baseline"]["families"][family]["micro_f1"]
    assert model > baseline, f"{family}: model {model:.3f}, keyword baseline {baseline:.3f}"


def test_at_most_two_percent_of_topics_are_given_without_their_terms(dev_short_report: dict) -> None:
    found = dev_short_report["faithfulness"]
    assert found["given"] > 50
    assert found["unfaithful"] <= 0.02 * found["given"]


@pytest.mark.parametrize("title, text, absent", [
    ("Sinh viên khoa học máy tính giành giải", "Đội sinh viên ngành khoa học máy tính của Đại học Bách khoa "
     "giành giải nhất cuộc thi lập trình quốc tế.", "ai"),
    ("Từ 1/7 người dân đổi sang căn cước gắn chip", "Công an phường hướng dẫn người dân làm thủ tục cấp căn cước "
     "gắn chip, mang theo giấy tờ tùy thân.", "semiconductors"),
    ("Mở hộp điện thoại tầm trung mới", "Máy có màn hình 6,7 inch, chip Snapdragon, RAM 8 GB, pin 5.000 mAh, "
     "giá bán 7 triệu đồng.", "semiconductors"),
    ("Huawei và Mỹ: căng thẳng chưa hạ nhiệt", "Mỹ tiếp tục đưa thêm công ty Trung Quốc vào danh sách hạn chế, "
     "Huawei phản đối.", "5g"),
])
def test_a_trap_is_not_given_the_topic(shipped, title: str, text: str, absent: str) -> None:
    result = shipped.tag({"title": title, "text": text})
    assert absent not in result["topics"], result["scores"]


def test_chips_for_ai_are_semiconductors(shipped) -> None:
    result = shipped.tag({"title": "Nvidia ra mắt chip AI mới", "text": "Nvidia giới thiệu dòng chip AI thế hệ mới "
                          "cho trung tâm dữ liệu, sản xuất trên tiến trình 3 nm của TSMC."})
    assert {"semiconductors", "ai"} <= set(result["topics"]), result["scores"]
