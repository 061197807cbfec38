"""`model.sparse_rows`: CSR arrays without scipy objects, multiplied in scipy's order."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from model.sparse_rows import Rows, dense_rows, product, rows_of

DTYPES = st.sampled_from([np.float32, np.float64])


@st.composite
def _blocks_and_matrix(draw: st.DrawFn) -> tuple[list[sp.csr_matrix], np.ndarray]:
    """Blocks side by side (some rows empty, some entries explicit zeros) and a matrix to multiply them by."""
    n_rows = draw(st.integers(0, 4))
    widths = draw(st.lists(st.integers(1, 6), min_size=1, max_size=4))
    # Magnitudes far apart, so adding in another order gives other float32 sums.
    values = st.one_of(st.floats(-1e4, 1e4, width=32), st.sampled_from([0.0, 1e-3, 3e7, -3e7]))
    blocks = []
    for width in widths:
        dense = draw(hnp.arrays(draw(DTYPES), (n_rows, width), elements=values))
        keep = draw(hnp.arrays(bool, (n_rows, width)))
        block = sp.csr_matrix(np.where(keep, dense, 0))
        if block.nnz and draw(st.booleans()):
            block.data[0] = 0.0  # an explicit zero: stored and multiplied, as scipy does
        blocks.append(block)
    matrix = draw(hnp.arrays(draw(DTYPES), (sum(widths), draw(st.integers(1, 3))), elements=values))
    return blocks, matrix


@settings(max_examples=300, deadline=None)
@given(_blocks_and_matrix())
def test_product_equals_scipy_stacked_product(case: tuple[list[sp.csr_matrix], np.ndarray]) -> None:
    blocks, matrix = case
    expected = sp.hstack(blocks, format="csr") @ matrix
    for given_blocks in (blocks, [rows_of(b) for b in blocks]):
        got = product(given_blocks, matrix)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected, strict=True)


def test_product_adds_in_the_stacked_order() -> None:
    # float32: (3e7 + 1) - 3e7 == 0 but 3e7 - 3e7 + 1 == 1, so the order of the blocks shows.
    first, second = sp.csr_matrix(np.float32([[3e7, 1.0]])), sp.csr_matrix(np.float32([[-3e7]]))
    ones = np.ones((3, 1), dtype=np.float32)
    assert product([first, second], ones)[0, 0] == (sp.hstack([first, second]) @ ones)[0, 0] == 0.0
    assert product([second, sp.csr_matrix(np.float32([[3e7, 1.0]]))], ones)[0, 0] == 1.0


@pytest.mark.parametrize("blocks, matrix, message", [
    ([Rows(np.ones(1), np.array([0]), np.array([0, 1]), (1, 2))], np.ones((3, 1)), "do not match"),
    ([Rows(np.ones(1), np.array([2]), np.array([0, 1]), (1, 2))], np.ones((2, 1)), "out of range"),
    ([Rows(np.ones(1), np.array([-1]), np.array([0, 1]), (1, 2))], np.ones((2, 1)), "out of range"),
    ([Rows(np.ones(1), np.array([0]), np.array([0, 2]), (1, 2))], np.ones((2, 1)), "invalid indptr"),
    ([Rows(np.ones(1), np.array([0]), np.array([0, 1]), (2, 2))], np.ones((2, 1)), "invalid indptr"),
    ([], np.ones((2, 1)), "no blocks"),
])
def test_product_refuses_what_scipy_loop_would_misread(blocks: list[Rows], matrix: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        product(blocks, matrix)


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.float32, hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=5),
                  elements=st.sampled_from([0.0, 0.0, 1.5, -2.0])))
def test_dense_rows_are_csr_matrix_of_the_array(dense: np.ndarray) -> None:
    got, expected = dense_rows(dense), sp.csr_matrix(dense)
    assert got.shape == expected.shape and got.data.dtype == expected.dtype
    for a, b in ((got.data, expected.data), (got.indices, expected.indices), (got.indptr, expected.indptr)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("weight", [1.0, 0.5, 3, np.float64(0.1)])
def test_scaled_rows_are_the_matrix_times_the_weight(weight: float) -> None:
    matrix = sp.csr_matrix(np.float32([[0.0, 0.3], [0.7, 0.0]]))
    got, expected = rows_of(matrix).scaled(weight).csr(), matrix * weight
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got.toarray(), expected.toarray())
