"""``SummaryWriter``: PyTorch's ``torch.utils.tensorboard.SummaryWriter`` on the ``tensorboard``
package's own event-file writer (``EventFileWriter``), so runs open in TensorBoard as they are."""
import datetime
import numbers
import os
import socket
import time

from tensorboard.compat.proto.event_pb2 import Event, SessionLog
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from . import media as _media
from . import summary as _summary
from ._convert import to_numpy, to_scalar

__all__ = ["FileWriter", "SummaryWriter", "LogDirError"]


def _check_tag(tag, name="tag"):
    if not isinstance(tag, str):
        raise TypeError(f"{name} must be a str, got {type(tag).__name__}")
    if not tag:
        raise ValueError(f"{name} must not be empty")
    return tag


def _check_step(step):
    if step is None:
        return None
    if isinstance(step, bool):
        raise TypeError("global_step must be an int, got bool")
    if isinstance(step, numbers.Integral):
        return int(step)
    if hasattr(step, "numpy") or hasattr(step, "dtype"):
        arr = to_numpy(step, "global_step")
        if arr.size == 1 and arr.dtype.kind in "iu":
            return int(arr.reshape(()))
    raise TypeError(f"global_step must be an int, got {type(step).__name__} {step!r}")


def _check_walltime(walltime):
    if walltime is None:
        return time.time()
    if isinstance(walltime, bool) or not isinstance(walltime, numbers.Real):
        raise TypeError(f"walltime must be a number (seconds since the epoch), "
                        f"got {type(walltime).__name__}")
    return float(walltime)


class LogDirError(OSError, ValueError):
    """A log_dir that cannot be created or written: an OSError as PyTorch raises, and a
    ValueError about the ``log_dir`` argument."""


def _make_logdir(log_dir):
    if not isinstance(log_dir, (str, os.PathLike)):
        raise TypeError(f"log_dir must be a str or path, got {type(log_dir).__name__}")
    log_dir = os.fspath(log_dir)
    try:
        os.makedirs(log_dir, exist_ok=True)
    except OSError as e:
        raise LogDirError(e.errno, f"log_dir {log_dir!r} cannot be created: "
                                   f"{e.strerror or e}") from e
    if not os.access(log_dir, os.W_OK):
        raise LogDirError(13, f"log_dir {log_dir!r} is not writable")
    return log_dir


class FileWriter:
    """One event file in ``log_dir`` (PyTorch's ``FileWriter``): events are queued and written
    by the tensorboard package's writer thread, at the latest every ``flush_secs`` seconds."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        self._log_dir = _make_logdir(log_dir)
        self.event_writer = EventFileWriter(self._log_dir, max_queue, flush_secs,
                                            filename_suffix)

    def get_logdir(self):
        """The folder this writer's event file is in."""
        return self._log_dir

    def add_event(self, event, step=None, walltime=None):
        """Queue an ``Event`` proto, stamped with ``walltime`` (now) and ``step``."""
        event.wall_time = _check_walltime(walltime)
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        """Queue a ``Summary`` proto as an event."""
        self.add_event(Event(summary=summary), global_step, walltime)

    def add_graph(self, graph_def, walltime=None):
        """Queue a ``GraphDef`` proto (what the Graphs tab reads)."""
        self.add_event(Event(graph_def=graph_def.SerializeToString()), None, walltime)

    def flush(self):
        """Write every queued event to disk."""
        self.event_writer.flush()

    def close(self):
        """Flush and close the event file."""
        self.event_writer.close()

    def reopen(self):
        """Reopen after ``close`` (appends to a new event file)."""
        self.event_writer.reopen()


class SummaryWriter:
    """Write TensorBoard event files into ``log_dir``, as ``torch.utils.tensorboard.SummaryWriter``.

    ``log_dir`` defaults to ``runs/<Mon>DD_HH-MM-SS_<hostname><comment>``; ``purge_step`` hides
    earlier events at or after that step (for resuming a run after a crash); events are flushed
    every ``flush_secs`` seconds or when ``max_queue`` are pending, and by ``flush()``/``close()``.
    Values may be Ember tensors, NumPy arrays or Python numbers.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if not isinstance(comment, str):
            raise TypeError(f"comment must be a str, got {type(comment).__name__}")
        if not isinstance(filename_suffix, str):
            raise TypeError(f"filename_suffix must be a str, got {type(filename_suffix).__name__}")
        if isinstance(max_queue, bool) or not isinstance(max_queue, int) or max_queue < 1:
            raise ValueError(f"max_queue must be a positive int, got {max_queue!r}")
        if isinstance(flush_secs, bool) or not isinstance(flush_secs, numbers.Real) \
                or flush_secs <= 0:
            raise ValueError(f"flush_secs must be a positive number, got {flush_secs!r}")
        if not log_dir:
            stamp = datetime.datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = os.fspath(log_dir) if isinstance(log_dir, os.PathLike) else log_dir
        self.purge_step = _check_step(purge_step)
        self.max_queue, self.flush_secs = max_queue, flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = None
        self.all_writers = None
        self._projector_config = None
        self._get_file_writer()

    def _get_file_writer(self):
        """The main event file's writer, (re)created on first use after ``close``."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs,
                                          self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                step, self.purge_step = self.purge_step, None
                self.file_writer.add_event(Event(file_version="brain.Event:2"), step)
                self.file_writer.add_event(
                    Event(session_log=SessionLog(status=SessionLog.START)), step)
        return self.file_writer

    def get_logdir(self):
        """The folder the event files are written to."""
        return self.log_dir

    def _write(self, summary, global_step, walltime):
        step, wall = _check_step(global_step), _check_walltime(walltime)
        self._get_file_writer().add_summary(summary, step, wall)

    # ---- scalars -------------------------------------------------------------------------
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """Log one number (a Python number or one-element tensor) under ``tag`` at ``global_step``;
        ``new_style`` stores it as a tensor (float64 with ``double_precision``)."""
        _check_tag(tag)
        if new_style:
            import numpy as np
            from tensorboard.compat.proto.summary_pb2 import Summary
            from tensorboard.plugins.scalar import metadata
            from tensorboard.util import tensor_util
            value = to_scalar(scalar_value, "scalar_value")
            arr = np.asarray(value, np.float64 if double_precision else np.float32)
            meta = metadata.create_summary_metadata(display_name="", description="")
            s = Summary(value=[Summary.Value(tag=tag, metadata=meta,
                                             tensor=tensor_util.make_tensor_proto(arr))])
        else:
            s = _summary.scalar(tag, scalar_value)
        self._write(s, global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Log several numbers on one chart: each key goes to its own run folder
        ``<log_dir>/<main_tag>_<key>`` under the tag ``main_tag``."""
        _check_tag(main_tag, "main_tag")
        if not isinstance(tag_scalar_dict, dict):
            raise TypeError(f"tag_scalar_dict must be a dict, got {type(tag_scalar_dict).__name__}")
        step, wall = _check_step(global_step), _check_walltime(walltime)
        summaries = {_check_tag(k, "tag_scalar_dict key"):
                     _summary.scalar(main_tag, v, f"tag_scalar_dict[{k!r}]")
                     for k, v in tag_scalar_dict.items()}
        base = self._get_file_writer().get_logdir()
        for key, s in summaries.items():
            folder = os.path.join(base, main_tag.replace("/", "_") + "_" + key)
            writer = self.all_writers.get(folder)
            if writer is None:
                writer = FileWriter(folder, self.max_queue, self.flush_secs,
                                    self.filename_suffix)
                self.all_writers[folder] = writer
            writer.add_summary(s, step, wall)

    # ---- distributions -------------------------------------------------------------------
    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None):
        """Log a histogram of ``values`` (``bins`` as for ``numpy.histogram``, or
        ``"tensorflow"``)."""
        _check_tag(tag)
        self._write(_summary.histogram(tag, values, bins, max_bins), global_step, walltime)

    def add_histogram_raw(self, tag, min, max, num, sum, sum_squares, bucket_limits,
                          bucket_counts, global_step=None, walltime=None):
        """Log a histogram from precomputed statistics and bucket counts."""
        _check_tag(tag)
        self._write(_summary.histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits,
                                           bucket_counts), global_step, walltime)

    # ---- images --------------------------------------------------------------------------
    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """Log one image: float values in [0, 1] or uint8, laid out as ``dataformats``
        (CHW, HWC or HW)."""
        _check_tag(tag)
        self._write(_media.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """Log a batch of images (NCHW or NHWC), tiled into one grid of 8 per row."""
        _check_tag(tag)
        if "N" not in str(dataformats).upper():
            raise ValueError(f"add_images needs a batch layout (NCHW or NHWC), "
                             f"got dataformats={dataformats!r}")
        self._write(_media.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_image_with_boxes(self, tag, img_tensor, box_tensor, global_step=None, walltime=None,
                             rescale=1, dataformats="CHW", labels=None):
        """Log an image with bounding boxes (N x 4: xmin, ymin, xmax, ymax) drawn on it."""
        _check_tag(tag)
        self._write(_media.image_with_boxes(tag, img_tensor, box_tensor, dataformats, labels,
                                              rescale), global_step, walltime)

    def add_video(self, tag, vid_tensor, global_step=None, fps=4, walltime=None):
        """Log clips (N, T, C, H, W) as one animated GIF (a grid of the N clips)."""
        _check_tag(tag)
        self._write(_media.video(tag, vid_tensor, fps), global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Log a matplotlib figure (or a list of figures) as an image; closes it unless
        ``close=False``."""
        _check_tag(tag)
        pixels = _media.figure_to_image(figure)
        fmt = "NHWC" if isinstance(figure, (list, tuple)) else "HWC"
        self._write(_media.image(tag, pixels, fmt, "figure"), global_step, walltime)
        if close:
            import matplotlib.pyplot as plt
            for f in figure if isinstance(figure, (list, tuple)) else [figure]:
                plt.close(f)

    def add_audio(self, tag, snd_tensor, global_step=None, sample_rate=44100, walltime=None):
        """Log a mono sound clip (shape (L,) or (1, L), values in [-1, 1]) as WAV."""
        _check_tag(tag)
        self._write(_media.audio(tag, snd_tensor, sample_rate), global_step, walltime)

    def add_custom_scalars(self, layout):
        """Lay out the Custom Scalars tab: ``{category: {chart: ["Multiline", [tag regexes]]
        or ["Margin", [value, lower, upper]]}}``."""
        self._write(_summary.custom_scalars(layout), None, None)

    def add_custom_scalars_multilinechart(self, tags, category="default", title="untitled"):
        """A Custom Scalars layout with one chart drawing ``tags`` together."""
        self.add_custom_scalars({category: {title: ["Multiline", list(tags)]}})

    def add_custom_scalars_marginchart(self, tags, category="default", title="untitled"):
        """A Custom Scalars layout with one margin chart (tags: value, lower, upper)."""
        self.add_custom_scalars({category: {title: ["Margin", list(tags)]}})

    # ---- text, hparams, PR curves, embeddings, graphs -------------------------------------
    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Log a string (rendered as Markdown in the Text tab)."""
        _check_tag(tag)
        self._write(_summary.text(tag, text_string), global_step, walltime)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None):
        """Log one trial's hyperparameters and final metrics for the HParams tab, in the run
        ``<log_dir>/<run_name>`` (default: the current time)."""
        exp, start, end = _summary.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        values = {_check_tag(k, "metric_dict key"):
                  _summary.scalar(k, v, f"metric_dict[{k!r}]") for k, v in metric_dict.items()}
        step = _check_step(global_step)
        if run_name is not None and not isinstance(run_name, str):
            raise TypeError(f"run_name must be a str, got {type(run_name).__name__}")
        folder = os.path.join(self._get_file_writer().get_logdir(), run_name or str(time.time()))
        writer = FileWriter(folder, self.max_queue, self.flush_secs, self.filename_suffix)
        try:
            for s in (exp, start, end, *values.values()):
                writer.add_summary(s, step)
        finally:
            writer.close()

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127,
                     weights=None, walltime=None):
        """Log a precision-recall curve of ``predictions`` (in [0, 1]) against 0/1 ``labels``."""
        _check_tag(tag)
        self._write(_summary.pr_curve(tag, labels, predictions, num_thresholds, weights),
                    global_step, walltime)

    def add_pr_curve_raw(self, tag, true_positive_counts, false_positive_counts,
                         true_negative_counts, false_negative_counts, precision, recall,
                         global_step=None, num_thresholds=127, weights=None, walltime=None):
        """Log a precision-recall curve from precomputed counts at each threshold."""
        _check_tag(tag)
        self._write(_summary.pr_curve_raw(tag, true_positive_counts, false_positive_counts,
                                          true_negative_counts, false_negative_counts,
                                          precision, recall, num_thresholds),
                    global_step, walltime)

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None, tag="default",
                      metadata_header=None):
        """Log an (N, D) embedding for the Projector tab, with optional per-row labels
        (``metadata``) and thumbnails (``label_img``, N x C x H x W)."""
        from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig
        # lazy: ember.utils.tensorboard.embedding is loaded on first use, not at import
        from .embedding import write_embedding
        if self._projector_config is None:
            self._projector_config = ProjectorConfig()
        write_embedding(self._get_file_writer().get_logdir(), self._projector_config, mat,
                        metadata, label_img, _check_step(global_step), tag, metadata_header)

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Log the op graph of one forward call ``model(input_to_model)`` for the Graphs tab
        (module scopes as name scopes, ops with output shapes and dtypes)."""
        # lazy: ember.utils.tensorboard.graph is loaded on first use, not at import
        from .graph import graph_def
        if not callable(model) or not hasattr(model, "named_modules"):
            raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
        if input_to_model is None:
            raise ValueError("add_graph needs input_to_model to trace the forward call")
        graph = graph_def(model, input_to_model)
        if verbose:
            print(graph)
        self._get_file_writer().add_graph(graph)

    # ---- lifetime ------------------------------------------------------------------------
    def flush(self):
        """Write every pending event of every event file to disk."""
        if self.all_writers is None:
            return
        for w in self.all_writers.values():
            w.flush()

    def close(self):
        """Flush and close every event file (a later ``add_*`` opens a new one)."""
        if self.all_writers is None:
            return
        for w in self.all_writers.values():
            w.flush()
            w.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()
