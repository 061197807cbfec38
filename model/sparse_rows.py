"""Sparse rows as plain CSR arrays, and their product with a dense matrix in scipy's order.

On one article, building scipy matrices (the constructor's checks, `hstack`,
the product's dispatch) costs more than the arithmetic they hold. The text
model's hot path keeps its blocks as `Rows` and multiplies them here, with the
same float operations in the same order as scipy's sparse-dense product, so
the same numbers to the last bit; `Rows.csr` builds the scipy matrix where one
is wanted (training, evidence).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

import numpy as np
import scipy.sparse as sp
from scipy.sparse import _sparsetools  # the C loops behind scipy's sparse products


class CSRLike(Protocol):
    """Anything with a CSR matrix's arrays and shape: `Rows` or a scipy CSR matrix."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray

    @property
    def shape(self) -> tuple[int, int]: ...


class Rows(NamedTuple):
    """The arrays scipy's `csr_matrix((data, indices, indptr), shape)` is built from."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple[int, int]

    def csr(self) -> sp.csr_matrix:
        """These rows as a scipy CSR matrix (the arrays are not copied)."""
        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=self.shape)

    def scaled(self, weight: float) -> Rows:
        """The rows times `weight`: `csr * weight`'s arithmetic (`data * weight`)."""
        return self._replace(data=self.data * weight)


def rows_of(matrix: CSRLike) -> Rows:
    """The arrays of a CSR matrix (or of `Rows`), not copied."""
    return Rows(matrix.data, matrix.indices, matrix.indptr, tuple(matrix.shape))  # type: ignore[arg-type]


def dense_rows(dense: np.ndarray) -> Rows:
    """`csr_matrix(dense)`'s arrays: the non-zero entries of a 2-d array, row by row."""
    row, col = np.nonzero(dense)
    indptr = np.zeros(dense.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=dense.shape[0]), out=indptr[1:])
    return Rows(dense[row, col], col, indptr, dense.shape)


def product(blocks: Sequence[CSRLike], matrix: np.ndarray) -> np.ndarray:
    """`sp.hstack(blocks, format="csr") @ matrix` without building either matrix.

    It runs scipy's own loop for a CSR matrix times a dense one (`csr_matvecs`,
    which `csr @ dense` calls) block by block onto one result, with the
    matching rows of `matrix`. That loop adds each row's entries one at a time
    onto what the result holds, so block by block it adds them in the stacked
    matrix's order: the same sums, to the last bit, in the same dtypes
    (`hstack`'s for the entries, then the product's).

    Raises
    ------
    ValueError
        If the blocks' widths do not add up to `matrix`'s rows, their row counts
        differ, or a block's arrays are not a valid CSR structure (scipy's loop
        does not check them).
    """
    if not blocks:
        raise ValueError("no blocks to multiply")
    n_rows, n_vecs = blocks[0].shape[0], matrix.shape[1]
    if any(b.shape[0] != n_rows for b in blocks) or sum(b.shape[1] for b in blocks) != matrix.shape[0]:
        raise ValueError(f"blocks of shapes {[tuple(b.shape) for b in blocks]} do not match a matrix of "
                         f"shape {matrix.shape}")
    # `hstack`'s dtype for the entries, then the product's; casting float32 to float64 is exact.
    dtype = np.result_type(np.result_type(*(b.data.dtype for b in blocks)), matrix.dtype)
    out = np.zeros((n_rows, n_vecs), dtype=dtype)
    offset = 0
    for b in blocks:
        width = b.shape[1]
        indptr, indices = _checked(b)
        part = np.ascontiguousarray(matrix[offset : offset + width], dtype=dtype)
        _sparsetools.csr_matvecs(n_rows, width, n_vecs, indptr, indices, b.data.astype(dtype, copy=False),
                                 part.ravel(), out.ravel())
        offset += width
    return out


def _checked(block: CSRLike) -> tuple[np.ndarray, np.ndarray]:
    """`block`'s indptr and indices (in one integer dtype), checked as scipy's constructor would.

    Raises
    ------
    ValueError
        If they do not describe `block.shape` rows of entries within its columns.
    """
    n_rows, width = block.shape
    indptr = block.indptr
    indices = block.indices.astype(indptr.dtype, copy=False)
    stored = int(indptr[-1]) if len(indptr) else -1
    if (len(indptr) != n_rows + 1 or indptr[0] != 0 or stored > min(len(indices), len(block.data))
            or np.any(indptr[1:] < indptr[:-1])):
        raise ValueError(f"a block of shape {tuple(block.shape)} has an invalid indptr")
    if stored and not (0 <= indices[:stored].min() and indices[:stored].max() < width):
        raise ValueError(f"a block of shape {tuple(block.shape)} has a column index out of range")
    return indptr, indices
