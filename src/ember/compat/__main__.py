"""``python -m ember.compat script.py args``: see ``ember.compat``."""
import sys

from . import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
