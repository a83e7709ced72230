"""ember.nn.utils: gradient clipping, parameter/vector conversion."""

# ---- other helpers: append extra imports below this line (do not remove others' lines) ----
