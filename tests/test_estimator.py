"""TaggerModel: how a cooperation story's areas raise its topics."""
from __future__ import annotations

import numpy as np
import pytest

from model.estimator import TaggerModel
from model.heads.topics import topic_areas
from model.labels import TOPICS, label_names
from model.features import AREA_TOPICS, cue_features, cue_names, prepare
from model.tagger import Tagger
from training.data import label_matrix, load_labelled

from conftest import TEST_DATA, TINY_PARAMS

COOP = len(TOPICS)


def _doc(text: str):
    return prepare({"title": "", "text": text})


def test_topics_listed_together_or_with_cooperation_are_areas() -> None:
    areas = topic_areas([
        _doc("Giá rau tăng. Hợp tác về 5G và trí tuệ nhân tạo."),  # a list of areas
        _doc("Hai bên ký kết hợp tác về bán dẫn."),                # one area, with a cooperation word
        _doc("Điện thoại mới hỗ trợ 5G. Hai bên hợp tác."),         # 5G and cooperation apart
        _doc("Giá rau tăng."),
    ])
    assert areas.tolist() == [[1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]]


def test_area_topics_follow_the_model_topics() -> None:
    assert AREA_TOPICS == TOPICS


def test_area_precision_counts_cooperation_articles_naming_a_topic() -> None:
    docs = [_doc("Hợp tác về 5G và trí tuệ nhân tạo."), _doc("Hợp tác về bán dẫn."), _doc("Tin tặc và 5G.")]
    Y = np.zeros((3, len(label_names())), dtype=int)
    Y[0, COOP] = Y[1, COOP] = 1
    Y[0, TOPICS.index("5g")] = 1          # named and labelled; "ai" named, not labelled
    Y[1, TOPICS.index("semiconductors")] = 1
    Y[2, TOPICS.index("5g")] = 0          # not a cooperation article: not counted
    # 3 (article, named topic) pairs in cooperation articles, 2 labelled; Beta(1, 1) prior.
    assert TaggerModel()._fit_area_precision(docs, Y) == pytest.approx((2 + 1) / (3 + 2))


def test_cooperation_areas_raise_only_the_named_topics() -> None:
    model = TaggerModel(topic_gate=False)
    model.area_precision_ = 0.9
    out = np.zeros((2, len(label_names())))
    out[:, :COOP] = 0.01
    out[:, COOP] = [0.8, 0.0]
    docs = [_doc("Hai nước hợp tác về 5G."), _doc("Hai nước hợp tác về 5G.")]
    model._adjust_topics(docs, out)
    assert out[0, TOPICS.index("5g")] == pytest.approx(1 - 0.99 * (1 - 0.8 * 0.9))
    assert out[0, TOPICS.index("ai")] == pytest.approx(0.01)   # not named: unchanged
    assert out[1, :COOP] == pytest.approx([0.01] * COOP)       # no cooperation: unchanged


@pytest.mark.parametrize("text, named", [
    ("Hai nước hợp tác về 5G.", {"5g"}),
    ("Sinh viên ngành khoa học máy tính nhận học bổng.", set()),     # computer science is not AI
    ("Người dân làm căn cước gắn chip tại phường.", set()),           # an ID card's chip is no chip industry
    ("Huawei và Mỹ: căng thẳng leo thang.", set()),                   # a company or country alone names no topic
    ("Nvidia ra mắt chip AI mới cho trung tâm dữ liệu.", {"ai", "semiconductors"}),
])
def test_the_gate_zeroes_every_topic_the_text_does_not_name(text: str, named: set[str]) -> None:
    model = TaggerModel(cooperation_areas=False)
    out = np.zeros((1, len(label_names())))
    out[:, :COOP] = 0.7
    model._adjust_topics([_doc(text)], out)
    assert {t for j, t in enumerate(TOPICS) if out[0, j] > 0} == named
    assert all(out[0, j] == 0.7 for j, t in enumerate(TOPICS) if t in named)


def test_switching_cooperation_areas_off_changes_only_topic_scores() -> None:
    rows = load_labelled(TEST_DATA / "tiny.jsonl")
    docs = [prepare(r) for r in rows]
    Y = label_matrix(rows, label_names())
    on = TaggerModel(**TINY_PARAMS).fit(docs, Y)
    off = TaggerModel(**TINY_PARAMS, cooperation_areas=False).fit(docs, Y)
    assert 0 < on.area_precision_ < 1 and off.area_precision_ == 0.0
    new = [_doc("Việt Nam và Nhật Bản ký kết hợp tác. Các lĩnh vực gồm 5G và an ninh mạng.")]
    p_on, p_off = on.predict_proba(new), off.predict_proba(new)
    assert np.all(p_on[:, :COOP] >= p_off[:, :COOP])
    assert p_on[0, TOPICS.index("5g")] > p_off[0, TOPICS.index("5g")]
    np.testing.assert_allclose(p_on[:, COOP:], p_off[:, COOP:])


def test_tagger_evidence_names_the_cooperation_area(tiny_tagger: Tagger) -> None:
    result = tiny_tagger.tag({"title": "Việt Nam và Nhật Bản hợp tác",
                              "text": "Hai bên ký kết hợp tác về 5G và an ninh mạng."}, explain=True)
    assert result["cooperation"] and "5g" in result["topics"]
    assert result["evidence"]["5g"][0] == "5G"   # the keyword as written, ahead of the n-grams


def test_length_cues_tell_a_feed_item_from_an_article() -> None:
    from model.features import SHORT_BODY, cue_features, cue_names
    names = cue_names()
    assert len(cue_features(_doc("Hợp tác về 5G."))) == len(names)
    kchars, short = names.index("length:body_kchars"), names.index("length:short")
    item = cue_features(_doc("Hai bên hợp tác về 5G."))
    article = cue_features(_doc("Hai bên hợp tác về 5G. " * (SHORT_BODY // 10)))
    assert item[short] == 1.0 and article[short] == 0.0
    assert 0.0 < item[kchars] < article[kchars]


@pytest.mark.parametrize("split", [True, False])
def test_cue_split_gives_short_inputs_and_articles_their_own_cue_weights(split: bool) -> None:
    from model.features import SHORT_BODY, cue_names
    model = TaggerModel(cue_split=split)
    item, article = _doc("Hai bên hợp tác về 5G."), _doc("Hai bên hợp tác về 5G. " * (SHORT_BODY // 10))
    cues = model._cues([item, article])
    n = len(cue_names())
    assert cues.shape == (2, 3 * n if split else n)
    if split:
        shared, short, whole = cues[:, :n], cues[:, n:2 * n], cues[:, 2 * n:]
        assert (short[0] == shared[0]).all() and not whole[0].any()
        assert (whole[1] == shared[1]).all() and not short[1].any()


def test_split_cue_names_describe_as_their_words(tiny_tagger: Tagger) -> None:
    model = tiny_tagger.model
    assert model.cue_split
    names = [str(n) for n in model.feature_names_ if str(n).startswith("cue:")]
    assert "cue:body_keywords:5g@short" in names and "cue:body_keywords:5g@article" in names
    doc = prepare({"title": "", "text": "Việt Nam thử nghiệm mạng 5G."})
    assert model._describe("cue:body_keywords:5g@short", doc) == model._describe("cue:body_keywords:5g", doc) == ["5G"]


def _long(row: dict) -> dict:
    """`row` with its body repeated past `SHORT_BODY`: a whole article."""
    from model.features import SHORT_BODY
    return {**row, "text": " ".join([row["text"]] * (SHORT_BODY // len(row["text"]) + 1))}


@pytest.fixture(scope="module")
def mixed_model() -> TaggerModel:
    """Fitted on the tiny sentences as short inputs and as whole articles; the
    whole articles say nothing is about 5G, the short inputs keep their labels."""
    rows = load_labelled(TEST_DATA / "tiny.jsonl")
    docs = [prepare(r) for r in rows] + [prepare(_long(r)) for r in rows]
    Y = label_matrix(rows, label_names())
    long_Y = Y.copy()
    long_Y[:, TOPICS.index("5g")] = 0
    return TaggerModel(**TINY_PARAMS).fit(docs, np.vstack([Y, long_Y]))


FIVE_G = {"title": "Việt Nam thử nghiệm 5G", "text": "Nhà mạng triển khai mạng 5G tại Hà Nội."}


def test_whole_articles_learn_only_from_whole_articles(mixed_model: TaggerModel) -> None:
    twin = mixed_model.short_model_
    assert isinstance(twin, TaggerModel) and twin.short_model_ is None
    assert mixed_model.text_models_["5g"] == 0.0           # the whole articles have no 5G: a prior
    assert not isinstance(twin.text_models_["5g"], float)  # the twin learnt 5G from the short rows
    assert twin.head_vectorizer_ is mixed_model.head_vectorizer_
    assert twin.lsa_components_ is mixed_model.lsa_components_


def test_short_inputs_are_scored_by_the_twin(mixed_model: TaggerModel) -> None:
    short, article = prepare(FIVE_G), prepare(_long(FIVE_G))
    proba = mixed_model.predict_proba([article, short, article])
    np.testing.assert_array_equal(proba[1], mixed_model.short_model_._own_proba([short])[0])
    np.testing.assert_array_equal(proba[[0, 2]], mixed_model._own_proba([article, article]))
    five_g = TOPICS.index("5g")
    assert proba[0, five_g] == 0.0 < proba[1, five_g]
    assert mixed_model.text_evidence(article, "5g") == []
    assert mixed_model.text_evidence(short, "5g") == mixed_model.short_model_.text_evidence(short, "5g") != []


def test_the_twin_is_pickled_without_a_second_copy_of_the_features(mixed_model: TaggerModel) -> None:
    import pickle
    state = mixed_model.__getstate__()
    assert "short_model_" not in state
    assert not {"head_vectorizer_", "body_vectorizer_", "lsa_components_"} & set(state["_short_model_state"])
    loaded = pickle.loads(pickle.dumps(mixed_model))
    docs = [prepare(FIVE_G), prepare(_long(FIVE_G))]
    np.testing.assert_array_equal(loaded.predict_proba(docs), mixed_model.predict_proba(docs))
    assert loaded.short_model_.body_vectorizer_ is loaded.body_vectorizer_


def test_without_short_models_every_row_trains_one_model() -> None:
    rows = load_labelled(TEST_DATA / "tiny.jsonl")
    docs = [prepare(r) for r in rows] + [prepare(_long(r)) for r in rows]
    Y = label_matrix(rows, label_names())
    model = TaggerModel(**TINY_PARAMS, short_models=False).fit(docs, np.vstack([Y, Y]))
    assert model.short_model_ is None
    short = prepare(FIVE_G)
    np.testing.assert_array_equal(model.predict_proba([short]), model._own_proba([short]))


def test_the_twin_shares_the_parents_lsa_transpose_and_pickles_no_cache(mixed_model: TaggerModel) -> None:
    import pickle
    from model.estimator import CACHES
    loaded = pickle.loads(pickle.dumps(mixed_model))
    assert loaded.lsa_components_ is not None
    loaded.predict_proba([prepare(FIVE_G), prepare(_long(FIVE_G))])  # both paths build their caches
    assert loaded._lsa_matrix() is loaded.short_model_._lsa_matrix()  # one copy, not one per model
    np.testing.assert_array_equal(loaded._lsa_matrix(), loaded.lsa_components_.T)
    twin_state = loaded.__getstate__()["_short_model_state"]
    assert not set(CACHES) & set(twin_state), "the twin's caches would be pickled"


def test_warm_up_runs_both_the_twin_and_the_whole_article_model(tiny_tagger: Tagger,
                                                                mixed_model: TaggerModel) -> None:
    import copy
    tagger = copy.deepcopy(tiny_tagger)
    model = copy.deepcopy(mixed_model)
    tagger.pipeline.steps[-1] = ("tag", model)
    assert "_text_weights_cache" not in vars(model) and "_text_weights_cache" not in vars(model.short_model_)
    tagger.warm_up()
    assert "_text_weights_cache" in vars(model)              # a whole article ran
    assert "_text_weights_cache" in vars(model.short_model_)  # and a feed item


def test_the_technology_cue_counts_sentences_where_all_four_meet() -> None:
    names = cue_names()
    tech = names.index("sentences:cooperation_VN_foreign_tech")
    with_tech = _doc("Việt Nam và Nhật Bản ký thỏa thuận hợp tác về chuyển đổi số. Hai bên hợp tác về 5G.")
    without = _doc("Việt Nam và Nhật Bản ký thỏa thuận hợp tác về du lịch. Hai bên hợp tác về nông nghiệp.")
    assert with_tech.cooperation_cues[-1] == 1    # the first sentence: 5G alone names no party
    assert without.cooperation_cues[-1] == 0 and without.cooperation_cues[2] == 1
    assert cue_features(with_tech)[tech] > cue_features(without)[tech] == 0.0


def test_an_international_organisation_is_a_foreign_party() -> None:
    with_org = _doc("Việt Nam và ITU ký thỏa thuận hợp tác về chuyển đổi số.")
    without = _doc("Việt Nam ký thỏa thuận hợp tác về chuyển đổi số.")
    assert with_org.cooperation_cues[-1] == 1 and without.cooperation_cues[-1] == 0


def test_a_product_is_no_party_to_a_cooperation() -> None:
    names = cue_names()
    foreign = names.index("mentions:top_foreign")
    product = _doc("Việt Nam hợp tác về AI với iPhone.")
    company = _doc("Việt Nam hợp tác về AI với Apple.")
    assert any(fm.mention.group == "products" for fm in product.mentions)
    assert product.cooperation_cues[-1] == 0 and company.cooperation_cues[-1] == 1
    assert cue_features(product)[foreign] == 0.0 < cue_features(company)[foreign]


def test_a_product_fills_its_own_pair_columns_only() -> None:
    from model.features import PAIR_FEATURES, country_pairs
    codes, rows = country_pairs(prepare({"title": "Trải nghiệm iPhone 17", "text": "Pin tốt hơn."}))
    assert codes == ["US"]
    row = dict(zip(PAIR_FEATURES, rows[0]))
    assert row["products_title"] > 0 and row["total"] == 0.0 and row["is_top"] == 0.0
    codes, rows = country_pairs(prepare({"title": "Apple ra mắt iPhone 17", "text": "Pin tốt hơn."}))
    row = dict(zip(PAIR_FEATURES, rows[0]))
    assert row["total"] == np.log1p(1) and row["actors_title"] > 0 and row["products_title"] > 0


def test_cooperation_without_a_foreign_party_scores_zero() -> None:
    model = TaggerModel(cooperation_areas=False)
    docs = [_doc("MobiFone và VNPAY ký thỏa thuận hợp tác về chuyển đổi số."),      # two Vietnamese parties
            _doc("MobiFone và Ericsson ký thỏa thuận hợp tác về chuyển đổi số."),    # a foreign company
            _doc("Việt Nam và ITU ký thỏa thuận hợp tác về chuyển đổi số."),         # an international organisation
            _doc("Việt Nam hợp tác với iPhone về chuyển đổi số.")]                   # a product is no party
    out = np.zeros((len(docs), len(label_names())))
    out[:, COOP] = 0.9
    model._adjust_topics(docs, out)
    assert out[:, COOP].tolist() == [0.0, 0.9, 0.9, 0.0]


def test_cooperation_without_any_technology_scores_zero() -> None:
    model = TaggerModel(cooperation_areas=False)
    out = np.zeros((2, len(label_names())))
    out[:, COOP] = 0.9
    docs = [_doc("Việt Nam và Lào ký thỏa thuận hợp tác về nông nghiệp."),
            _doc("Việt Nam và Lào ký thỏa thuận hợp tác về chuyển đổi số.")]
    model._adjust_topics(docs, out)
    assert out[:, COOP].tolist() == [0.0, 0.9]
    studied = [_doc("Việt Nam và Jordan hợp tác, nghiên cứu mở đường bay thẳng."),  # "to study" a route
               _doc("Việt Nam và Nhật Bản hợp tác nghiên cứu vật liệu mới."),       # research together
               _doc("Đại học Bách khoa và Đại học Tokyo lập viện nghiên cứu chung.")]
    out = np.zeros((len(studied), len(label_names())))
    out[:, COOP] = 0.9
    model._adjust_topics(studied, out)
    assert out[:, COOP].tolist() == [0.0, 0.9, 0.9]
    off = np.full((1, len(label_names())), 0.9)
    TaggerModel(topic_gate=False)._adjust_topics(docs[:1], off)
    assert off[0, COOP] == 0.9
