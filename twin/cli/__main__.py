"""``python -m twin.cli``: the ``twin`` command line."""

import sys

from twin.cli import main

if __name__ == "__main__":
    sys.exit(main())
