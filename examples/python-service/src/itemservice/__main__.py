"""``python -m itemservice``."""

import sys

from itemservice.cli import main

sys.exit(main())
