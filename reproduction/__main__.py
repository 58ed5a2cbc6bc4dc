"""`python -m reproduction`: the command line (see reproduction/cli/)."""

import sys

from reproduction.cli import main

sys.exit(main())
