"""Shared test helpers for worker processes and shared memory: this test run's /dev/shm
segments, and a fixture asserting a test leaves none behind."""
import gc
import os
import time

import pytest

SHM = "/dev/shm"


def shm_segments(root=None):
    """Names of the Ember shared-memory segments under /dev/shm for ``root`` (default: this
    process's EMBER_SHM_ROOT)."""
    root = os.environ["EMBER_SHM_ROOT"] if root is None else root
    return {n for n in os.listdir(SHM) if n.startswith(f"ember_{root}_")}


@pytest.fixture
def no_leaks():
    """Fail when the test leaves new shared-memory segments behind (waits up to 3 s for
    worker processes to release theirs)."""
    gc.collect()
    before = shm_segments()
    yield
    gc.collect()
    deadline = time.time() + 3
    while shm_segments() - before and time.time() < deadline:
        time.sleep(0.05)
        gc.collect()
    assert shm_segments() - before == set()
