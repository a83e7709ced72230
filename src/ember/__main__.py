"""``python -m ember serve ...`` / ``python -m ember run ...``: the ``ember`` command."""
from ember.cli import main

raise SystemExit(main())
