"""Min–max normalisation: the one kernel behind every min–max rescaling in abclab.

:func:`minmax_kernel` rescales each column to ``[0, scale]`` and is called by

* :mod:`abclab.scoring` (``method="minmax"``, ``scale=100``: indicator scores on 0–100),
* :mod:`abclab.mcabc` (Ramanathan, Ng, Zhou & Fan and TOPSIS ``normalisation="minmax"`` on
  [0, 1]; the Zhou & Fan rescaling of its good and bad indices),
* :mod:`abclab.weighting` (entropy ``normalisation="minmax"`` and CRITIC on [0, 1]).

It is a kernel in the sense of the house style: no validation, no warnings. What a caller
does about a constant column (warn, raise, or nothing) belongs to its validating layer:
scoring and the Zhou & Fan rescaling warn, :func:`abclab.mcabc.minmax_matrix` raises before
it calls the kernel, and the weighting methods give a constant column weight 0 whatever its
normalised value.
"""

from __future__ import annotations

import numpy as np

__all__ = ["minmax_kernel"]


def minmax_kernel(
    x: np.ndarray,
    cost: bool | np.ndarray = False,
    *,
    scale: float = 1.0,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Min–max normalise each column of ``x`` to ``[0, scale]`` (no validation).

    Parameters
    ----------
    x : numpy.ndarray
        Finite floats, 1-D (one column) or 2-D (rows × columns); columns are normalised
        independently (along axis 0).
    cost : bool or numpy.ndarray of bool
        Whether smaller is better: one flag for a 1-D ``x``, one flag per column (or one for
        all) for a 2-D ``x``.
    scale : float
        Top of the range: 1 for [0, 1], 100 for indicator scores on 0–100.
    out : numpy.ndarray, optional
        Array of ``x``'s shape to write into (may not be ``x`` itself); a new array when
        omitted.

    Returns
    -------
    numpy.ndarray
        ``out``, holding for each column

        - benefit: ``scale · (x − min) / (max − min)``;
        - cost: ``scale · (max − x) / (max − min)``;
        - a constant column (``max == min``): ``scale`` in every row — every row reaches the
          best value observed. This is the only constant-column behaviour; callers that
          must reject or flag a constant column check it before or after the call.

    Notes
    -----
    The difference is divided by the range and then multiplied by ``scale`` (skipped when
    ``scale == 1``), so the best row gets exactly ``scale`` and the worst exactly 0.

    Examples
    --------
    >>> minmax_kernel(np.array([1.0, 2.0, 5.0]), scale=100.0).tolist()
    [0.0, 25.0, 100.0]
    >>> minmax_kernel(np.array([[1.0, 4.0], [3.0, 4.0]]), np.array([True, False])).tolist()
    [[1.0, 1.0], [0.0, 1.0]]
    """
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    constant = span == 0
    if out is None:
        out = np.empty_like(x, dtype=np.float64)  # same memory layout: same sums downstream
    if np.ndim(cost) == 0:  # one flag for every column
        if cost:
            np.subtract(hi, x, out=out)
        else:
            np.subtract(x, lo, out=out)
    else:
        flip = np.asarray(cost, dtype=bool)
        np.subtract(x, lo, out=out)
        if flip.any():
            np.subtract(hi, x, out=out, where=flip)
    if constant.any():
        np.divide(out, span, out=out, where=~constant)
    else:
        np.divide(out, span, out=out)
    if scale != 1.0:
        out *= scale
    if constant.any():
        np.copyto(out, scale, where=constant)
    return out
