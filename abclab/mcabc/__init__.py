"""Multi-criteria ABC models from the inventory-classification literature.

Every function takes a DataFrame with one row per item (customer) and the criteria as
columns, and returns a Series of scores aligned to the rows, **higher = more important**, named
after the method. Classify the scores with :func:`abclab.classify.shares` (the literature uses
the Flores et al. 1992 split 10 A / 14 B / 23 C of 47 items, i.e. shares 20/30/50 %) or
:func:`abclab.classify.pareto`.

Conventions
-----------
* All criteria are *benefit* criteria unless named in ``cost=[...]``.
* Ramanathan, Ng and Zhou & Fan min–max normalise every criterion to [0, 1] first, as in the
  papers: benefit ``(x - min) / (max - min)``, cost ``(max - x) / (max - min)``. A constant
  criterion is an error (it cannot be normalised and carries no information).
* TOPSIS and EDAS use their own normalisations on the raw data (see each function).
* Ties in scores are left as ties; the classifiers keep equal scores in one class.

Package layout: ``_common`` (input checks, :func:`minmax_matrix`), ``_lp`` (Ramanathan, Ng,
Zhou & Fan and their kernels), ``_distance`` (TOPSIS, EDAS and their kernels).
"""

from abclab.mcabc._common import minmax_matrix
from abclab.mcabc._distance import edas, topsis
from abclab.mcabc._distance import edas_kernel as edas_kernel
from abclab.mcabc._distance import topsis_kernel as topsis_kernel
from abclab.mcabc._lp import bad_index_kernel as bad_index_kernel
from abclab.mcabc._lp import ng, ramanathan, zhou_fan
from abclab.mcabc._lp import ng_kernel as ng_kernel
from abclab.mcabc._lp import ramanathan_kernel as ramanathan_kernel
from abclab.mcabc._lp import ramanathan_lp_kernel as ramanathan_lp_kernel

__all__ = ["edas", "minmax_matrix", "ng", "ramanathan", "topsis", "zhou_fan"]
