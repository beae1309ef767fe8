"""``python -m matmul_magic bench ...``: the same as the ``matmul-magic`` script."""

import sys

from .cli import main

sys.exit(main())
