"""Shared test helpers: where the reference data live.

The Flores 47 and CDNOW files are bundled with the package (``abclab/datasets/``, byte-equal
to ``shared/data/``, checked in ``test_datasets.py``); the source documents stay in the
project's ``shared/`` folder, which sits beside the checkout (locally and in CI).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import abclab.datasets

#: Folder of the bundled reference data files (flores47.csv, cdnow_master.txt).
BUNDLED_DATA = Path(abclab.datasets.__file__).parent

#: The project's shared folder (source documents): $ABCLAB_SHARED, else beside the checkout
#: (as in CI), else the development machines' /work/shared.
_CANDIDATES = [os.environ.get("ABCLAB_SHARED"), Path(__file__).resolve().parents[2] / "shared"]
SHARED = next(
    (Path(p) for p in [*_CANDIDATES, "/work/shared"] if p and Path(p).is_dir()),
    Path(__file__).resolve().parents[2] / "shared",
)

#: Kernels the tests start (tutorial notebooks, the report) import this checkout's abclab,
#: not the one an editable install points at (a git worktree beside the main checkout).
_CHECKOUT = str(Path(__file__).resolve().parents[1])
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (_CHECKOUT, os.environ.get("PYTHONPATH")) if p
)


# --------------------------------------------------------------------------- Spark

#: Settings of the one local Spark session of a test run: two cores, few shuffle partitions
#: (the logs are small), no UI, quiet. ``-m "not spark"`` skips its tests locally.
SPARK_TEST_CONFIG = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.driver.memory": "1g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


@pytest.fixture(scope="session")
def spark():
    """One local Spark session (``local[2]``) for the whole test run, stopped at its end.

    Skips (with the reason) when pyspark cannot be imported; ``make test`` installs it.
    """
    try:
        import pyspark  # noqa: F401
    except ImportError as err:
        pytest.skip(f"pyspark is not installed (pip install 'abclab[spark]'): {err}")
    from abclab.features import SparkOptions, spark_session

    session = spark_session(SparkOptions(master="local[2]", config=SPARK_TEST_CONFIG))
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
