"""Disagreements of the argument fuzz still open, each with its reason.

These are known defects left for later (mostly in op code other helpers own, or the order in
which two bad arguments are reported), not accepted differences: ``test_argument_fuzz``
fails on any disagreement not listed here, and on any listed case that now agrees (delete
it then). ``REASONS`` is keyed by the template (the case id up to the first "/").
"""

REASONS = {
}

KNOWN_OPEN = [
]


def reason(case_id):
    """Why ``case_id`` is still open (None when it is not listed)."""
    return REASONS[case_id.split("/")[0]] if case_id in KNOWN_OPEN else None
