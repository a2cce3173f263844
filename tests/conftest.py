"""Shared test helpers: where the reference data live.

The Flores 47 and CDNOW files are bundled with the package (``abclab/datasets/``, byte-equal
to ``shared/data/``, checked in ``test_datasets.py``); the source documents stay in the
project's ``shared/`` folder, which sits beside the checkout (locally and in CI).
"""

from __future__ import annotations

from pathlib import Path

import abclab.datasets

#: Folder of the bundled reference data files (flores47.csv, cdnow_master.txt).
BUNDLED_DATA = Path(abclab.datasets.__file__).parent

#: The project's shared folder (source documents), beside the repository checkout.
SHARED = Path(__file__).resolve().parents[2] / "shared"
