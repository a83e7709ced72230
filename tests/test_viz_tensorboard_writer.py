"""ember.utils.tensorboard.SummaryWriter: every add_* kind written, then read back with
TensorBoard's own EventAccumulator (values, steps, histogram buckets, image pixels), plus
PyTorch's layout, bad input, purge_step and parity with torch.utils.tensorboard."""
import io
import os
import re
import socket
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("tensorboard")
PIL = pytest.importorskip("PIL.Image")

import ember  # noqa: E402
import ember.nn as nn  # noqa: E402
from ember.utils.tensorboard import LogDirError, SummaryWriter  # noqa: E402
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

ALL = {"scalars": 0, "images": 0, "histograms": 0, "tensors": 0, "compressedHistograms": 0}


def load(path):
    acc = EventAccumulator(str(path), size_guidance=ALL)
    acc.Reload()
    return acc


def pixels(image_event):
    return np.asarray(PIL.open(io.BytesIO(image_event.encoded_image_string)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))


RNG = np.random.default_rng(0)
HIST = RNG.normal(size=500)
IMG_CHW = RNG.random((3, 5, 7)).astype(np.float32)
IMG_HWC = RNG.integers(0, 256, (6, 4, 3), dtype=np.uint8)
IMG_HW = RNG.random((4, 9))
BATCH = RNG.random((10, 1, 3, 2)).astype(np.float32)
LABELS = RNG.random(200) > 0.4
PREDS = np.clip(LABELS * 0.3 + RNG.random(200) * 0.7, 0, 1)
EMB = RNG.normal(size=(6, 4))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One run with every add_* kind; returns its folder."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    logdir = tmp_path_factory.mktemp("tb") / "run"
    with SummaryWriter(str(logdir)) as w:
        for step in range(5):
            w.add_scalar("loss/train", ember.tensor(1.0 / (step + 1)), step)
            w.add_scalar("lr", 0.1 * step, step)          # Python number
        w.add_scalar("loss/nan", float("nan"), 0)
        w.add_scalar("np", np.float32(2.5), 3)
        w.add_scalar("new", 1.25, 1, new_style=True, double_precision=True)
        w.add_scalars("pair", {"a": 1.0, "b": ember.tensor([2.0])}, 7)
        w.add_histogram("hist/tf", ember.tensor(HIST), 2)
        w.add_histogram("hist/np", HIST, 3, bins=8)
        w.add_image("img/chw", ember.tensor(IMG_CHW), 0)
        w.add_image("img/hwc", IMG_HWC, 0, dataformats="HWC")
        w.add_image("img/hw", IMG_HW, 0, dataformats="HW")
        w.add_images("img/batch", BATCH, 1)
        fig = Figure(figsize=(2, 1.5), dpi=50)
        fig.add_subplot().plot([0, 1, 4])
        w.add_figure("figure", fig, 4)
        w.add_text("notes", "**bold** text", 5)
        w.add_pr_curve("pr", ember.tensor(LABELS), ember.tensor(PREDS), 6, num_thresholds=11)
        w.add_hparams({"lr": 0.01, "opt": "adam", "bn": True}, {"hp/acc": 0.75},
                      hparam_domain_discrete={"opt": ["adam", "sgd"]}, run_name="trial")
        w.add_embedding(ember.tensor(EMB), metadata=list("abcdef"),
                        label_img=ember.rand(6, 3, 4, 4), global_step=3, tag="feat s")
        w.add_graph(Net(), ember.randn(2, 1, 8, 8))
    return logdir


def test_scalars_steps_values_nan(run):
    acc = load(run)
    got = [(e.step, e.value) for e in acc.Scalars("loss/train")]
    assert [s for s, _ in got] == list(range(5))
    np.testing.assert_allclose([v for _, v in got], [1 / (s + 1) for s in range(5)], rtol=1e-6)
    np.testing.assert_allclose([e.value for e in acc.Scalars("lr")], [0, .1, .2, .3, .4],
                               rtol=1e-6)
    assert np.isnan(acc.Scalars("loss/nan")[0].value)
    assert acc.Scalars("np")[0].step == 3 and acc.Scalars("np")[0].value == 2.5
    new = acc.Tensors("new")[0]
    assert new.step == 1 and tensor_util.make_ndarray(new.tensor_proto).dtype == np.float64
    assert acc.SummaryMetadata("new").plugin_data.plugin_name == "scalars"
    for key, value in (("a", 1.0), ("b", 2.0)):
        sub = load(run / f"pair_{key}")
        assert [(e.step, e.value) for e in sub.Scalars("pair")] == [(7, value)]


def test_histogram_buckets(run):
    acc = load(run)
    h = acc.Histograms("hist/np")[0]
    assert h.step == 3
    hv = h.histogram_value
    counts, edges = np.histogram(HIST, bins=8)
    # an empty bucket up to the lowest edge, then numpy's buckets by their upper edges
    np.testing.assert_allclose(hv.bucket, np.concatenate([[0], counts]))
    np.testing.assert_allclose(hv.bucket_limit, edges)
    assert hv.num == 500 and hv.min == HIST.min() and hv.max == HIST.max()
    np.testing.assert_allclose([hv.sum, hv.sum_squares], [HIST.sum(), (HIST ** 2).sum()])
    tf = acc.Histograms("hist/tf")[0].histogram_value
    assert sum(tf.bucket) == 500 and len(tf.bucket) == len(tf.bucket_limit)
    limits = np.array(tf.bucket_limit)
    assert np.all(np.diff(limits) > 0) and abs(np.log(limits[-1] / limits[-2]) - np.log(1.1)) < 1e-9
    # each bucket holds the values between the previous limit and its own
    lower = np.concatenate([[-np.inf], limits[:-1]])
    by_hand = [np.sum((HIST >= lo) & (HIST < hi)) for lo, hi in zip(lower, limits)]
    assert np.abs(np.array(by_hand) - np.array(tf.bucket)).sum() <= 2  # edge ties only


def test_image_bytes(run):
    acc = load(run)
    chw = pixels(acc.Images("img/chw")[0])
    np.testing.assert_array_equal(chw, (IMG_CHW.transpose(1, 2, 0) * 255).astype(np.uint8))
    np.testing.assert_array_equal(pixels(acc.Images("img/hwc")[0]), IMG_HWC)
    hw = pixels(acc.Images("img/hw")[0])
    assert hw.shape == (4, 9, 3)
    np.testing.assert_array_equal(hw[..., 1], (IMG_HW.astype(np.float32) * 255).astype(np.uint8))
    grid = pixels(acc.Images("img/batch")[0])
    assert grid.shape == (2 * 3, 8 * 2, 3)             # 8 images per row, 2 rows
    np.testing.assert_array_equal(grid[3:6, 2:4, 0], (BATCH[9, 0] * 255).astype(np.uint8))
    assert (grid[3:, 4:] == 0).all()                     # empty cells stay black
    fig = acc.Images("figure")[0]
    assert fig.step == 4 and (fig.width, fig.height) == (100, 75)
    assert pixels(fig).shape == (75, 100, 4) and pixels(fig).std() > 0


def test_text_and_pr_curve(run):
    acc = load(run)
    text = acc.Tensors("notes/text_summary")[0]
    assert text.step == 5
    assert tensor_util.make_ndarray(text.tensor_proto).item() == b"**bold** text"
    assert acc.SummaryMetadata("notes/text_summary").plugin_data.plugin_name == "text"
    pr = acc.Tensors("pr")[0]
    data = tensor_util.make_ndarray(pr.tensor_proto)
    assert pr.step == 6 and data.shape == (6, 11)
    for i in range(11):       # threshold i admits predictions with floor(p * 10) >= i
        admitted = np.floor(PREDS * 10) >= i
        tp, fp = np.sum(admitted & LABELS), np.sum(admitted & ~LABELS)
        np.testing.assert_allclose(data[:4, i], [tp, fp, np.sum(~LABELS) - fp,
                                                 np.sum(LABELS) - tp])
        np.testing.assert_allclose(data[4, i], tp / max(tp + fp, 1e-7), rtol=1e-6)
        np.testing.assert_allclose(data[5, i], tp / LABELS.sum(), rtol=1e-6)


def test_hparams_run(run):
    from tensorboard.plugins.hparams import plugin_data_pb2
    sub = load(run / "trial")
    assert sub.Scalars("hp/acc")[0].value == 0.75

    def content(tag):
        meta = sub.SummaryMetadata(tag)
        assert meta.plugin_data.plugin_name == "hparams"
        return plugin_data_pb2.HParamsPluginData.FromString(meta.plugin_data.content)
    exp = content("_hparams_/experiment").experiment
    assert [h.name for h in exp.hparam_infos] == ["lr", "opt", "bn"]
    assert [v.string_value for v in exp.hparam_infos[1].domain_discrete.values] == ["adam", "sgd"]
    assert [m.name.tag for m in exp.metric_infos] == ["hp/acc"]
    start = content("_hparams_/session_start_info").session_start_info
    assert start.hparams["lr"].number_value == 0.01 and start.hparams["opt"].string_value == "adam"
    assert start.hparams["bn"].bool_value is True
    assert content("_hparams_/session_end_info").session_end_info.status == 1  # STATUS_SUCCESS


def test_embedding_files(run):
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig
    config = text_format.Parse((run / "projector_config.pbtxt").read_text(), ProjectorConfig())
    (info,) = config.embeddings
    assert info.tensor_name == "feat s:00003" and info.tensor_path == "00003/feat%20s/tensors.tsv"
    np.testing.assert_allclose(np.loadtxt(run / info.tensor_path, delimiter="\t"), EMB)
    assert (run / info.metadata_path).read_text().split() == list("abcdef")
    sprite = np.asarray(PIL.open(run / info.sprite.image_path))
    assert sprite.shape == (12, 12, 3) and list(info.sprite.single_image_dim) == [4, 4]


def test_graph_scopes_shapes_params(run):
    graph = load(run).Graph()
    nodes = {n.name: n for n in graph.node}
    conv = [n for n in nodes.values() if n.op == "Conv"]
    assert len(conv) == 1 and conv[0].name.startswith("Net/Sequential[features]/Conv2d[0]/")
    assert list(conv[0].input) == ["input/input.0", "Net/Sequential[features]/Conv2d[0]/weight",
                                   "Net/Sequential[features]/Conv2d[0]/bias"]
    shape = [d.size for d in conv[0].attr["_output_shapes"].list.shape[0].dim]
    assert shape == [2, 4, 8, 8] and conv[0].attr["ember_dtype"].s == b"torch.float32"
    assert nodes["Net/Sequential[features]/Conv2d[0]/weight"].op == "Parameter"
    assert nodes["Net/Linear[head]/weight"].op == "Parameter"
    out = nodes["output/output.0"]
    last = nodes[out.input[0]]
    assert last.name.startswith("Net/Linear[head]/") and "Net/Linear[head]/weight" in last.input
    assert [d.size for d in out.attr["_output_shapes"].list.shape[0].dim] == [2, 3]
    for n in graph.node:   # every input names a node of the graph
        for src in n.input:
            assert src.split(":")[0] in nodes, (n.name, src)


def test_flush_without_close_is_readable(tmp_path):
    w = SummaryWriter(str(tmp_path), flush_secs=3600)
    w.add_scalar("x", 3.0, 1)
    w.flush()
    assert [(e.step, e.value) for e in load(tmp_path).Scalars("x")] == [(1, 3.0)]
    w.close()


def test_purge_step_hides_later_old_events(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        for s in range(10):
            w.add_scalar("x", float(s), s)
    with SummaryWriter(str(tmp_path), purge_step=5) as w:
        for s in range(5, 8):
            w.add_scalar("x", 100.0 + s, s)
    got = [(e.step, e.value) for e in load(tmp_path).Scalars("x")]
    assert got == [(s, float(s)) for s in range(5)] + [(s, 100.0 + s) for s in range(5, 8)]


def test_default_logdir_and_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.1")
    w.close()
    rel = os.path.relpath(w.get_logdir(), "runs")
    pattern = r"[A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2}_" + re.escape(socket.gethostname()) + "_lr0.1"
    assert re.fullmatch(pattern, rel), rel
    (event,) = os.listdir(w.get_logdir())
    assert event.startswith("events.out.tfevents.") and socket.gethostname() in event


def test_bad_input_names_argument_and_leaves_file_intact(tmp_path):
    w = SummaryWriter(str(tmp_path))
    w.add_scalar("ok", 1.0, 0)
    with pytest.raises(ValueError, match="scalar_value"):
        w.add_scalar("bad", "abc", 1)
    with pytest.raises(TypeError, match="scalar_value"):
        w.add_scalar("bad", None, 1)
    with pytest.raises(ValueError, match="exactly one element.*\\(2, 2\\)"):
        w.add_scalar("bad", ember.ones(2, 2), 1)
    with pytest.raises(TypeError, match="tag"):
        w.add_scalar(3, 1.0)
    with pytest.raises(TypeError, match="global_step"):
        w.add_scalar("bad", 1.0, 1.5)
    with pytest.raises(ValueError, match="img_tensor must have 1, 3 or 4 channels, got 5"):
        w.add_image("bad", np.zeros((5, 4, 4)))
    with pytest.raises(ValueError, match="img_tensor has shape \\(4, 4\\).*CHW"):
        w.add_image("bad", np.zeros((4, 4)))
    with pytest.raises(ValueError, match="dataformats"):
        w.add_image("bad", np.zeros((3, 4, 4)), dataformats="XYZ")
    with pytest.raises(ValueError, match="values.*NaN"):
        w.add_histogram("bad", np.array([1.0, np.nan]))
    with pytest.raises(TypeError, match="values"):
        w.add_histogram("bad", "text")
    with pytest.raises(ValueError, match="predictions must lie in \\[0, 1\\]"):
        w.add_pr_curve("bad", np.ones(3), np.array([0.1, 2.0, 0.3]))
    with pytest.raises(TypeError, match="text_string"):
        w.add_text("bad", 12)
    with pytest.raises(TypeError, match="hparam_dict\\['x'\\]"):
        w.add_hparams({"x": [1, 2]}, {"m": 1.0})
    with pytest.raises(ValueError, match="mat must be 2-D"):
        w.add_embedding(np.zeros(3))
    w.add_scalar("ok", 2.0, 1)
    w.close()
    acc = load(tmp_path)
    assert acc.Tags()["scalars"] == ["ok"] and [e.value for e in acc.Scalars("ok")] == [1.0, 2.0]
    assert acc.Tags()["images"] == [] and acc.Tags()["histograms"] == []


def test_logdir_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(LogDirError, match="log_dir .*file/sub.* cannot be created") as info:
        SummaryWriter(str(blocker / "sub"))
    assert isinstance(info.value, OSError) and isinstance(info.value, ValueError)
    with pytest.raises(TypeError, match="log_dir"):
        SummaryWriter(log_dir=12)


def test_import_ember_does_not_import_tensorboard():
    code = "import ember, sys; assert 'tensorboard' not in sys.modules; print('ok')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


# ---- parity with torch.utils.tensorboard -------------------------------------------------
def _write_same(writer_cls, folder, t):
    with writer_cls(str(folder)) as w:
        w.add_scalar("s", t(np.float32(0.5)), 2)
        w.add_histogram("h", t(HIST), 1)
        w.add_histogram("hb", t(HIST), 1, bins=6)
        w.add_image("i", t(IMG_CHW), 0)
        w.add_images("ib", t(BATCH), 0)
        w.add_text("t", "hi", 0)
        w.add_pr_curve("pr", t(LABELS), t(PREDS), 0, num_thresholds=9)
        w.add_audio("a", t(np.sin(np.arange(500) / 7.0) * 0.9), 0, sample_rate=4000)
    acc = EventAccumulator(str(folder), size_guidance=dict(ALL, audio=0))
    acc.Reload()
    return acc


def test_outputs_match_torch_writer(tmp_path):
    torch = pytest.importorskip("torch")
    from torch.utils.tensorboard import SummaryWriter as TorchWriter
    ours = _write_same(SummaryWriter, tmp_path / "ember", lambda a: ember.tensor(np.asarray(a)))
    ref = _write_same(TorchWriter, tmp_path / "torch", lambda a: torch.tensor(np.asarray(a)))
    assert ours.Tags()["scalars"] == ref.Tags()["scalars"]
    assert sorted(ours.Tags()["tensors"]) == sorted(ref.Tags()["tensors"])
    assert (ours.Scalars("s")[0].step, ours.Scalars("s")[0].value) == (ref.Scalars("s")[0].step, ref.Scalars("s")[0].value)
    for tag in ("h", "hb"):
        a, b = ours.Histograms(tag)[0].histogram_value, ref.Histograms(tag)[0].histogram_value
        np.testing.assert_allclose(a.bucket, b.bucket)
        np.testing.assert_allclose(a.bucket_limit, b.bucket_limit, rtol=1e-9)
        np.testing.assert_allclose([a.min, a.max, a.num, a.sum, a.sum_squares],
                                   [b.min, b.max, b.num, b.sum, b.sum_squares], rtol=1e-9)
    for tag in ("i", "ib"):
        np.testing.assert_array_equal(pixels(ours.Images(tag)[0]), pixels(ref.Images(tag)[0]))
    a, b = ours.Audio("a")[0], ref.Audio("a")[0]
    assert a.encoded_audio_string == b.encoded_audio_string and a.sample_rate == b.sample_rate
    for tag in ("t/text_summary", "pr"):
        a = tensor_util.make_ndarray(ours.Tensors(tag)[0].tensor_proto)
        b = tensor_util.make_ndarray(ref.Tensors(tag)[0].tensor_proto)
        np.testing.assert_array_equal(a.reshape(-1), b.reshape(-1))
        assert (ours.SummaryMetadata(tag).plugin_data.plugin_name
                == ref.SummaryMetadata(tag).plugin_data.plugin_name)


def test_graph_buffers_constants_and_tuple_outputs(tmp_path):
    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, 4)
            self.lstm = nn.LSTM(4, 5, batch_first=True)
            self.register_buffer("scale", ember.full((5,), 3.0))

        def forward(self, idx):
            out, (h, c) = self.lstm(self.emb(idx))
            return out[:, -1] * 2.0 * self.scale, h

    with SummaryWriter(str(tmp_path)) as w:
        w.add_graph(Tagger(), ember.randint(0, 10, (3, 6)))
    graph = load(tmp_path).Graph()
    nodes = {n.name: n for n in graph.node}
    assert nodes["input/input.0"].attr["dtype"].type == 9            # DT_INT64 indices
    assert nodes["Tagger/scale"].op == "Buffer"
    assert nodes["Tagger/Embedding[emb]/weight"].op == "Parameter"
    consts = [n for n in graph.node if n.op == "Constant" and "value" in n.attr]
    assert any(n.attr["value"].s == b"2.0" for n in consts)           # the Python scalar
    outs = [nodes["output/output.0"], nodes["output/output.1"]]
    assert [[d.size for d in o.attr["_output_shapes"].list.shape[0].dim] for o in outs] == \
        [[3, 5], [1, 3, 5]]
    assert any(n.name.startswith("Tagger/LSTM[lstm]/") for n in graph.node)
    for n in graph.node:
        for src in n.input:
            assert src.split(":")[0] in nodes, (n.name, src)


def test_audio_and_custom_scalars(tmp_path):
    import wave
    from tensorboard.plugins.custom_scalar import layout_pb2
    clip = np.sin(np.linspace(0, 60, 4000)) * 0.5
    layout = {"Losses": {"both": ["Multiline", ["loss/train", "loss/test"]],
                         "band": ["Margin", ["m", "lo", "hi"]]}}
    with SummaryWriter(str(tmp_path)) as w:
        w.add_audio("sound", ember.tensor(clip[None]), 2, sample_rate=8000)
        w.add_custom_scalars(layout)
        with pytest.raises(ValueError, match="snd_tensor must hold one mono clip"):
            w.add_audio("bad", np.zeros((2, 10)))
        with pytest.raises(ValueError, match="chart kind"):
            w.add_custom_scalars({"c": {"x": ["Pie", ["a"]]}})
    acc = EventAccumulator(str(tmp_path), size_guidance={"audio": 0, "tensors": 0})
    acc.Reload()
    (event,) = acc.Audio("sound")
    assert event.step == 2 and event.sample_rate == 8000 and event.length_frames == 4000
    with wave.open(io.BytesIO(event.encoded_audio_string)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
        pcm = np.frombuffer(wav.readframes(4000), "<i2")
    np.testing.assert_allclose(pcm / 32767, clip, atol=1 / 32767)
    proto = tensor_util.make_ndarray(acc.Tensors("custom_scalars__config__")[0].tensor_proto)
    got = layout_pb2.Layout.FromString(proto.item())
    (cat,) = got.category
    assert cat.title == "Losses" and list(cat.chart[0].multiline.tag) == ["loss/train", "loss/test"]
    assert cat.chart[1].margin.series[0].upper == "hi"


def test_image_with_boxes_and_video(tmp_path):
    img = np.zeros((3, 30, 40), np.float32)
    clips = RNG.random((3, 5, 1, 6, 4)).astype(np.float32)
    with SummaryWriter(str(tmp_path)) as w:
        w.add_image_with_boxes("boxes", img, ember.tensor([[5.0, 8.0, 20.0, 25.0]]), 1,
                               labels=["cat"], rescale=2)
        w.add_video("clip", ember.tensor(clips), 2, fps=5)
        with pytest.raises(ValueError, match="box_tensor must be \\(N, 4\\)"):
            w.add_image_with_boxes("bad", img, np.zeros((2, 3)))
        with pytest.raises(ValueError, match="vid_tensor must be \\(N, T, C, H, W\\)"):
            w.add_video("bad", np.zeros((5, 1, 6, 4)))
    acc = load(tmp_path)
    boxed = pixels(acc.Images("boxes")[0])
    assert boxed.shape == (60, 80, 3)                     # rescaled x2
    red = (boxed[..., 0] > 200) & (boxed[..., 1] < 50)
    assert red[16:50, 10].any() and red[16:50, 40].any()  # left and right edges of the box
    assert not red[30, 20:38].any()                       # the inside stays empty
    assert not red[:, 60:].any()                          # nothing right of the box
    gif = PIL.open(io.BytesIO(acc.Images("clip")[0].encoded_image_string))
    assert gif.format == "GIF" and gif.n_frames == 5 and gif.size == (3 * 4, 6)
    gif.seek(3)
    frame = np.asarray(gif.convert("RGB"))[..., 0]
    expect = (np.concatenate(list(clips[:, 3, 0]), axis=1) * 255).astype(np.uint8)
    assert np.abs(frame.astype(int) - expect).max() <= 8   # GIF's palette quantisation
