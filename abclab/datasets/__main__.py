"""Command line entry: ``python -m abclab.datasets OUT_DIR [--seed N]`` writes the demo files.

The function is :func:`abclab.datasets.generate_demo`; a module named like it would shadow
it once imported, so the entry point is the package's ``__main__``.
"""

from __future__ import annotations

import sys

from abclab.datasets._demo import main

if __name__ == "__main__":
    sys.exit(main())
