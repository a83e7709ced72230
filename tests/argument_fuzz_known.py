"""Disagreements of the argument fuzz still open, each with its reason.

These are known defects left for later (mostly in op code other helpers own, or the order in
which two bad arguments are reported), not accepted differences: ``test_argument_fuzz``
fails on any disagreement not listed here, and on any listed case that now agrees (delete
it then). ``REASONS`` is keyed by the template (the case id up to the first "/").
"""

REASONS = {
    "getitem": "indexing: str, past-int64 and float-slice indices (indexing code)",
    "embedding": "two bad arguments: Ember checks indices before padding_idx",
    "tensordot": "tensordot dims given as 0-d / 1-d tensors",
    "conv2d": "bool input to conv: NotImplementedError in torch",
    "adaptive_avg_pool2d": "two bad arguments: input dtype checked before output_size",
}

KNOWN_OPEN = [
    "getitem/i=str",
    "getitem/i=i2_63",
    "getitem/i=i2_64",
    "getitem/i=float_slice",
    "getitem/i=list_float",
    "embedding/pair:i,pad#2904",
    "tensordot/dims=t0f",
    "tensordot/dims=t1i",
    "conv2d/x=t_bool",
    "adaptive_avg_pool2d/pair:x,o#3665",
]


def reason(case_id):
    """Why ``case_id`` is still open (None when it is not listed)."""
    return REASONS[case_id.split("/")[0]] if case_id in KNOWN_OPEN else None
