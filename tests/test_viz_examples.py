"""The examples' TensorBoard logging: tensorboard_demo writes every kind of summary, and
--logdir on an ordinary example logs its curves (read back with TensorBoard's EventAccumulator)."""
import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("tensorboard")
pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_example(name, tmp_path, *extra, timeout=180, backend="ember"):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               MPLBACKEND="Agg", EMBER_EXAMPLES_BACKEND=backend)
    cmd = [sys.executable, os.path.join(ROOT, "examples", name + ".py"), "--quick",
           "--no-progress", "--threads", "1", "--out", str(tmp_path), *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def load(path):
    acc = EventAccumulator(str(path), size_guidance={"scalars": 0, "tensors": 0, "images": 0,
                                                     "histograms": 0})
    acc.Reload()
    return acc


def test_tensorboard_demo_logs_every_kind(tmp_path):
    logdir = tmp_path / "runs"
    s = run_example("tensorboard_demo", tmp_path, "--logdir", str(logdir))
    assert s["test_accuracy"] > 0.5 and s["logdir"] == str(logdir)
    acc = load(logdir)
    tags = acc.Tags()
    steps = s["steps"]
    assert [e.step for e in acc.Scalars("train/loss")] == list(range(steps))
    assert len(acc.Scalars("test/accuracy")) == s["epochs"]
    assert abs(acc.Scalars("test/accuracy")[-1].value - s["test_accuracy"]) < 1e-4
    assert "weights/0.weight" in tags["histograms"] and "grads/11.bias" in tags["histograms"]
    assert set(tags["images"]) == {"train/images", "test/confusion_matrix"}
    assert {f"pr/digit_{d}" for d in range(10)} <= set(tags["tensors"])
    assert "summary/text_summary" in tags["tensors"] and tags["graph"]
    assert any(n.op == "Conv" for n in acc.Graph().node)
    assert (logdir / "projector_config.pbtxt").read_text().count("embeddings {") == 1
    assert (logdir / f"{steps:05d}" / "features" / "sprite.png").is_file()
    hp = load(logdir / "hparams")
    assert hp.Scalars("hparam/test_accuracy")[0].value == pytest.approx(s["test_accuracy"],
                                                                         abs=1e-4)
    assert open(s["plot"], "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_example_logdir_option(tmp_path):
    s = run_example("digits_lenet", tmp_path, "--logdir", str(tmp_path / "lenet"))
    acc = load(tmp_path / "lenet")
    assert [e.step for e in acc.Scalars("loss/train")] == list(range(s["epochs"]))
    assert acc.Scalars("loss/train")[-1].value == pytest.approx(s["final_train_loss"], abs=1e-4)
    assert acc.Scalars("accuracy/test")[-1].value == pytest.approx(s["test_accuracy"], abs=1e-4)


def test_logdir_under_torch_backend_uses_torch_writer(tmp_path):
    pytest.importorskip("torch")
    s = run_example("two_layer_net", tmp_path, "--logdir", str(tmp_path / "tl"), backend="torch")
    assert s["backend"] == "torch"
    acc = load(tmp_path / "tl")
    assert set(acc.Tags()["scalars"]) == {"loss/manual", "loss/autograd", "loss/nn+optim"}
    manual = [e.value for e in acc.Scalars("loss/manual")]
    assert len(manual) == s["steps"]
    assert manual[0] == pytest.approx(s["manual_loss"][0], rel=1e-5)
    assert manual[-1] == pytest.approx(s["manual_loss"][1], rel=1e-5)
    assert (tmp_path / "two_layer_net_torch.png").is_file()
