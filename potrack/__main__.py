"""`python -m potrack`."""

import sys

from potrack.cli import main

sys.exit(main())
