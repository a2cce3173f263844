"""Command line entry: ``python -m abclab.datasets.generate_demo OUT_DIR [--seed N]``.

Writes the demo company's files (see :func:`abclab.datasets.generate_demo`). Run this module
with ``-m``; import the function from :mod:`abclab.datasets` instead of importing this module.
"""

from __future__ import annotations

import sys

from abclab.datasets._demo import main

if __name__ == "__main__":
    sys.exit(main())
