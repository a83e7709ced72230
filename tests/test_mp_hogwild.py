"""examples/mnist_hogwild.py: processes training one shared model in place."""
import os
import sys

import pytest

pytest.importorskip("sklearn")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
import mnist_hogwild  # noqa: E402


def test_hogwild_trains_the_shared_model(tmp_path):
    res = mnist_hogwild.main(["--seconds", "20", "--steps", "250", "--num-processes", "2",
                              "--compare", "--out", str(tmp_path)])
    assert open(res["plot"], "rb").read(8) == b"\x89PNG\r\n\x1a\n"  # the accuracy curve
    # an untrained model scores ~10%: the parent's model was trained by the children, in place
    assert res["hogwild"] > 0.85
    assert res["hogwild"] >= res["single"] - 0.06
