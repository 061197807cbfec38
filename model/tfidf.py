"""TF-IDF of one text field: the vectoriser's settings, and its transform without per-call checks.

`tfidf_rows` and `count_rows` give the same numbers as `TfidfVectorizer.transform`
for `make_vectorizer`'s settings (the hot path of every request); other
settings go through scikit-learn itself.
"""
from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from model.sparse_rows import Rows, rows_of
from model.text import split_tokens


def make_vectorizer(ngram_max: int, min_df: int, max_features: int | None) -> TfidfVectorizer:
    """The TF-IDF vectoriser of one text field (sublinear tf, float32)."""
    return TfidfVectorizer(
        tokenizer=split_tokens,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, ngram_max),
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
        dtype=np.float32,
    )


def tfidf_rows(vectorizer: TfidfVectorizer, docs: list[str]) -> Rows:
    """The arrays of `vectorizer.transform(docs)`, without its TF-IDF step's input checks.

    The same counts, sublinear tf, idf weights and l2 norm, in the same float32
    operations (`TfidfTransformer.transform`'s), so the same numbers; the
    checks cost as much as the counting on one article. Other settings than
    `make_vectorizer`'s go through `transform` itself.
    """
    tfidf = vectorizer._tfidf  # the fitted step `transform` ends with: its settings are the ones applied
    if vectorizer.binary or not tfidf.use_idf or tfidf.norm not in ("l2", None):
        return rows_of(vectorizer.transform(docs))
    X = count_rows(vectorizer, docs)
    data = X.data  # changed in place: `Rows` is a tuple, its fields cannot be assigned
    if tfidf.sublinear_tf:
        np.log(data, data)
        data += 1.0
    data *= tfidf.idf_[X.indices]
    if tfidf.norm == "l2":
        inplace_csr_row_normalize_l2(X)  # reads only the arrays and the shape, which `Rows` has
    return X


def count_rows(vectorizer: CountVectorizer, docs: list[str]) -> Rows:
    """The arrays of `CountVectorizer.transform(vectorizer, docs)`: for `make_vectorizer`'s
    settings, n-grams of space-split tokens counted with `Counter` over the vocabulary (C loops),
    not scikit-learn's per-n-gram Python loop; the same matrix, indices sorted. Other settings
    go through `CountVectorizer.transform` itself.
    """
    min_n, max_n = vectorizer.ngram_range
    plain = (vectorizer.analyzer == "word" and vectorizer.tokenizer is split_tokens and not vectorizer.lowercase
             and vectorizer.preprocessor is None and vectorizer.stop_words is None and vectorizer.input == "content"
             and vectorizer.strip_accents is None and not vectorizer.binary and min_n == 1)
    if not plain:
        return rows_of(CountVectorizer.transform(vectorizer, docs))
    vocabulary = vectorizer.vocabulary_
    indices: list[int] = []
    values: list[int] = []
    indptr = [0]
    for doc in docs:
        tokens = doc.split()
        grams = itertools.chain(tokens, *(map(" ".join, zip(*(tokens[k:] for k in range(n))))
                                          for n in range(2, max_n + 1)))
        counts = Counter(map(vocabulary.get, grams))
        counts.pop(None, None)
        found = sorted(counts)
        indices.extend(found)
        values.extend(map(counts.__getitem__, found))
        indptr.append(len(indices))
    return Rows(np.fromiter(values, dtype=vectorizer.dtype, count=len(values)),
                np.fromiter(indices, dtype=np.int32, count=len(indices)),
                np.fromiter(indptr, dtype=np.int32, count=len(indptr)), (len(docs), len(vocabulary)))
