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
def spark(tmp_path_factory):
    """One local Spark session (``local[2]``) for the whole test run, stopped at its end.

    Its warehouse (tables saved with ``saveAsTable``) is a temporary folder of the run, not
    ``spark-warehouse`` in the working directory. Skips (with the reason) when pyspark
    cannot be imported; ``make test`` installs it.
    """
    try:
        import pyspark  # noqa: F401
    except ImportError as err:
        pytest.skip(f"pyspark is not installed (pip install 'abclab[spark]'): {err}")
    from abclab.features import SparkOptions, spark_session

    warehouse = tmp_path_factory.mktemp("spark-warehouse").as_uri()
    config = {**SPARK_TEST_CONFIG, "spark.sql.warehouse.dir": warehouse}
    session = spark_session(SparkOptions(master="local[2]", config=config))
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


#: Seconds a Spark Connect server of the test run may take to start (2 shared cores: ~25 s).
CONNECT_START_TIMEOUT = 240
#: Printed by the server once it listens (``SparkConnectServer``).
_CONNECT_STARTED = "Spark Connect server started at"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def spark_connect(tmp_path_factory):
    """The URL ``sc://localhost:<port>`` of a Spark Connect server of this test run.

    The server is the one pyspark ships (``SparkConnectServer``, what
    ``sbin/start-connect-server.sh`` submits; its jar ``jars/spark-connect_*.jar`` is part of
    pyspark 4), started in the foreground with ``spark-submit`` on a free loopback port,
    ``local[1]``, its warehouse under the test run's temporary folder, and stopped (its
    process group) at the end. Skips, with the reason, only when it cannot be started here:
    no pyspark, no Java runtime, no bundled server jar, or no Connect client packages (grpcio,
    grpcio-status, googleapis-common-protos, zstandard: ``pip install 'abclab[spark]'``). A
    server that exits or does not listen within :data:`CONNECT_START_TIMEOUT` seconds fails
    the tests that use it, with the end of its log.
    """
    import shutil
    import signal
    import subprocess
    import time

    try:
        import pyspark
    except ImportError as err:
        pytest.skip(f"pyspark is not installed (pip install 'abclab[spark]'): {err}")
    try:
        import google.rpc  # noqa: F401  (googleapis-common-protos)
        import grpc  # noqa: F401
        import grpc_status  # noqa: F401
        import zstandard  # noqa: F401
    except ImportError as err:
        pytest.skip(f"the Spark Connect client needs {err.name} (pip install 'abclab[spark]')")
    home = Path(pyspark.__file__).parent
    if shutil.which("java") is None:
        pytest.skip(
            "no Java runtime for the Spark Connect server (apt-get install openjdk-17-jre-headless)"
        )
    if not list((home / "jars").glob("spark-connect_*.jar")):
        pytest.skip(f"pyspark {pyspark.__version__} ships no Spark Connect server jar")
    root = tmp_path_factory.mktemp("spark_connect")
    port = _free_port()
    settings = {
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.memory": "768m",
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.sql.warehouse.dir": (root / "warehouse").as_uri(),
    }
    command = [str(home / "bin" / "spark-submit"), "--master", "local[1]",
               "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
               "--name", "abclab tests Spark Connect"]  # fmt: skip
    for key, value in settings.items():
        command += ["--conf", f"{key}={value}"]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED")
    }
    env.update(SPARK_HOME=str(home), SPARK_LOCAL_IP="127.0.0.1")
    log = root / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                  cwd=root, start_new_session=True)  # fmt: skip

    def tail() -> str:
        return "\n".join(log.read_text(errors="replace").splitlines()[-25:])

    def stop() -> None:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=30)

    deadline = time.monotonic() + CONNECT_START_TIMEOUT
    while _CONNECT_STARTED not in log.read_text(errors="replace"):
        if server.poll() is not None:
            pytest.fail(f"the Spark Connect server exited with {server.returncode}:\n{tail()}")
        if time.monotonic() > deadline:
            stop()
            pytest.fail(
                f"the Spark Connect server did not start in {CONNECT_START_TIMEOUT} s:\n{tail()}"
            )
        time.sleep(0.5)
    try:
        yield f"sc://localhost:{port}"
    finally:
        from pyspark.sql.connect.session import SparkSession as ConnectSession

        session = ConnectSession.getActiveSession()
        if session is not None:
            session.stop()
        stop()
