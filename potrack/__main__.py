"""`python -m potrack`."""

import gc
import sys

# Start-up makes a few hundred thousand objects that live as long as the process (modules, classes, SQLAlchemy's
# constructs); the cyclic collector would scan them over and over while they are made (about a tenth of `run`'s
# start-up, issue 17). It is paused for the imports (and again for the imports of the command: potrack.cli).
gc.disable()
from potrack.cli import main  # noqa: E402 - with the collector paused

gc.enable()
sys.exit(main())
