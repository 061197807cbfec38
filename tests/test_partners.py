"""The partner head and the decision rules that tie partners to cooperation and countries."""
from __future__ import annotations

import copy

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier

from model.features import prepare
from model.heads.countries import mentioned_pairs
from model.heads.partners import CONTEXT_FEATURES, partner_context
from model.labels import COOPERATION, TOPICS, is_partner, partner_label
from model.tagger import Tagger


def test_partner_context_sees_where_a_country_meets_vietnam_and_cooperation() -> None:
    doc = prepare({"title": "Việt Nam và Nhật Bản hợp tác bán dẫn",
                   "text": "Việt Nam và Nhật Bản ký thỏa thuận hợp tác. Trung Quốc cũng sản xuất chip."})
    rows = dict(zip(["JP", "CN"], partner_context(doc, ["JP", "CN"])))
    jp, cn = (dict(zip(CONTEXT_FEATURES, rows[c])) for c in ("JP", "CN"))
    assert jp["sentences_with_VN_and_cooperation"] > 0 and cn["sentences_with_VN_and_cooperation"] == 0
    assert jp["in_head"] == jp["head_cooperation"] == jp["head_VN"] == 1.0
    assert cn["in_head"] == 0.0 and cn["cooperation_share"] == 0.0


def test_a_partner_scores_cooperation_times_its_conditional(tiny_tagger: Tagger) -> None:
    model = tiny_tagger.model
    docs = tiny_tagger.prepare([{"title": "Việt Nam và Hàn Quốc hợp tác bán dẫn",
                                 "text": "Samsung và Việt Nam ký thỏa thuận hợp tác đào tạo kỹ sư chip."}])
    P = model.predict_proba(docs)
    labels = model.labels_
    kr, us = P[0, labels.index(partner_label("KR"))], P[0, labels.index(partner_label("US"))]
    assert 0 < kr <= P[0, labels.index(COOPERATION)]
    assert us == 0.0  # not mentioned: no pair, no score


def test_a_partner_needs_cooperation_and_is_a_country(tiny_tagger: Tagger) -> None:
    labels = tiny_tagger.labels
    P = np.zeros((2, len(labels)))
    P[:, labels.index(partner_label("JP"))] = 0.99
    P[0, labels.index(COOPERATION)] = 0.99            # row 0 reports cooperation, row 1 does not
    given = tiny_tagger.decide(P, [False, False])
    assert given[0, labels.index(partner_label("JP"))] == 1 and given[0, labels.index("JP")] == 1
    assert given[1, labels.index(partner_label("JP"))] == 0 and given[1, labels.index("JP")] == 0


def test_feed_items_are_decided_at_their_own_thresholds(tiny_tagger: Tagger) -> None:
    labels = tiny_tagger.labels
    # Not a partner nor a country: those are also decided by cooperation and by the partners.
    differ = [label for label in labels if tiny_tagger.thresholds[label] != tiny_tagger.short_thresholds[label]
              and label in (*TOPICS, COOPERATION)]
    assert differ, "the tiny model's two threshold sets should differ on a topic or cooperation"
    j = labels.index(differ[0])
    long_t, short_t = tiny_tagger.thresholds[differ[0]], tiny_tagger.short_thresholds[differ[0]]
    P = np.zeros((2, len(labels)))
    P[:, j] = (long_t + short_t) / 2                  # between the two thresholds
    given = tiny_tagger.decide(P, [False, True])
    assert given[0, j] == (P[0, j] >= long_t) and given[1, j] == (P[1, j] >= short_t)
    assert given[0, j] != given[1, j]


def test_partner_scores_equal_cooperation_times_the_boosting_own_predict_proba(tiny_tagger: Tagger) -> None:
    """The boosted path (`boosted_proba`) and the column of each pair, against scikit-learn's
    own `predict_proba`: the tiny model's partner head is only a prior, so one is fitted here."""
    model = copy.deepcopy(tiny_tagger.model)
    docs = tiny_tagger.prepare([
        {"title": "Việt Nam và Nhật Bản hợp tác bán dẫn", "text": "Việt Nam và Nhật Bản ký thỏa thuận hợp tác. "
                                                              "Trung Quốc cũng sản xuất chip, Mỹ thì không."},
        {"title": "Hàn Quốc hỗ trợ Việt Nam về AI", "text": "Samsung và Việt Nam hợp tác đào tạo kỹ sư AI tại Hà Nội."},
    ])
    index, blocks = mentioned_pairs(docs)
    assert len({code for _, code in index}) >= 3
    X = model._partner_matrix(docs, index, blocks)
    y = np.arange(len(index)) % 2
    model.partner_model_ = GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, y)
    P = model._own_proba(docs)
    expected = P[[i for i, _ in index], model.labels_.index(COOPERATION)] * model.partner_model_.predict_proba(X)[:, 1]
    got = P[[i for i, _ in index], [model.labels_.index(partner_label(code)) for _, code in index]]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert len(set(np.round(got, 6))) > 1
    mentioned = {(i, partner_label(code)) for i, code in index}
    others = [(i, j) for i in range(len(docs)) for j, label in enumerate(model.labels_)
              if is_partner(label) and (i, label) not in mentioned]
    assert all(P[i, j] == 0.0 for i, j in others)  # a country not mentioned is no partner
