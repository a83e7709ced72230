"""Stand-in ``torch`` for interpreters started by a script under ``python -m ember.compat``
(``PYTHONPATH`` leads here): installs the hook and becomes Ember."""
import sys

_EMBER_COMPAT_SHIM = True

from ember.compat import install  # noqa: E402

install()
import ember  # noqa: E402

sys.modules[__name__] = ember
