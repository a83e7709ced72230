"""Summary protos for the numeric and text ``SummaryWriter.add_*`` kinds (scalars, histograms,
text, PR curves, hparams, custom-scalar layouts), built from the ``tensorboard`` package's own
protos and plugin metadata (the formats TensorBoard's dashboards read). Pictures and sound are in
``media``."""
import numpy as np
from tensorboard.compat.proto.histogram_pb2 import HistogramProto
from tensorboard.compat.proto.summary_pb2 import Summary
from tensorboard.util import tensor_util

from ._convert import to_numpy, to_scalar

__all__ = ["scalar", "histogram", "histogram_raw", "text", "pr_curve", "pr_curve_raw",
           "hparams", "custom_scalars", "tensorflow_bucket_edges"]


def scalar(tag, value, name="scalar_value"):
    """A scalar summary (``simple_value``; NaN and inf are stored as they are)."""
    return Summary(value=[Summary.Value(tag=tag, simple_value=to_scalar(value, name))])


_TF_EDGES = None


def tensorflow_bucket_edges():
    """TensorFlow's default histogram edges: +-1e-12 growing by 10% up to 1e20, and 0."""
    global _TF_EDGES
    if _TF_EDGES is None:
        n = int(np.ceil(np.log(1e20 / 1e-12) / np.log(1.1)))
        pos = 1e-12 * 1.1 ** np.arange(n)
        _TF_EDGES = np.concatenate([-pos[::-1], [0.0], pos])
    return _TF_EDGES


def histogram(tag, values, bins="tensorflow", max_bins=None, name="values"):
    """A histogram summary of ``values`` (HistogramProto): ``bins`` as ``numpy.histogram`` takes
    it, or ``"tensorflow"`` for TensorFlow's exponential buckets; at most ``max_bins`` buckets."""
    arr = to_numpy(values, name).astype(np.float64).ravel()
    if arr.size == 0:
        raise ValueError(f"{name} is empty: a histogram needs at least one value")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} holds NaN or inf values; a histogram needs finite values")
    edges = tensorflow_bucket_edges() if isinstance(bins, str) and bins == "tensorflow" else bins
    try:
        counts, limits = np.histogram(arr, bins=edges)
    except (TypeError, ValueError) as e:
        raise ValueError(f"bins={bins!r} is not accepted by numpy.histogram: {e}") from None
    if max_bins is not None and len(counts) > max_bins:
        group = -(-len(counts) // max_bins)
        pad = (-len(counts)) % group
        counts = np.pad(counts, (0, pad)).reshape(-1, group).sum(axis=1)
        limits = np.concatenate([limits[:-1:group], limits[-1:]])
    return Summary(value=[Summary.Value(tag=tag, histo=_histo_proto(arr, counts, limits))])


def _histo_proto(arr, counts, limits):
    """bucket[i] counts the values between bucket_limit[i-1] and bucket_limit[i] (the first from
    -inf): empty buckets at both ends are dropped, and one empty bucket ending at the lowest
    edge goes first so the data's lower edge is kept."""
    nonzero = np.flatnonzero(counts)
    if len(nonzero):
        first, last = int(nonzero[0]), int(nonzero[-1])
        counts = np.concatenate([[0], counts[first:last + 1]])
        limits = limits[first:last + 2]
    else:  # every value fell outside explicit bins
        counts, limits = counts[-1:], limits[-1:]
    return HistogramProto(min=float(arr.min()), max=float(arr.max()), num=int(arr.size),
                          sum=float(arr.sum()), sum_squares=float(np.dot(arr, arr)),
                          bucket_limit=[float(x) for x in limits],
                          bucket=[float(x) for x in counts])


def histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts):
    """A histogram summary from precomputed statistics (``add_histogram_raw``)."""
    limits = [float(x) for x in to_numpy(bucket_limits, "bucket_limits").ravel()]
    counts = [float(x) for x in to_numpy(bucket_counts, "bucket_counts").ravel()]
    if len(limits) != len(counts):
        raise ValueError(f"bucket_limits ({len(limits)}) and bucket_counts ({len(counts)}) "
                         "must have the same length")
    histo = HistogramProto(min=float(min), max=float(max), num=int(num), sum=float(sum),
                           sum_squares=float(sum_squares), bucket_limit=limits, bucket=counts)
    return Summary(value=[Summary.Value(tag=tag, histo=histo)])


def text(tag, text_string):
    """A text summary (the text plugin's string tensor, shown as Markdown)."""
    if not isinstance(text_string, str):
        raise TypeError(f"text_string must be a str, got {type(text_string).__name__}")
    from tensorboard.plugins.text.summary_v2 import text_pb
    return text_pb(tag + "/text_summary", text_string)


_MIN_COUNT = 1e-7  # keeps precision/recall defined where a threshold admits nothing


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None):
    """A PR-curve summary: TP/FP/TN/FN counts, precision and recall at ``num_thresholds``
    evenly spaced thresholds in [0, 1] (the pr_curves plugin's 6 x T tensor)."""
    if not isinstance(num_thresholds, int) or num_thresholds < 2:
        raise ValueError(f"num_thresholds must be an int >= 2, got {num_thresholds!r}")
    lab = to_numpy(labels, "labels").ravel()
    pred = to_numpy(predictions, "predictions").astype(np.float64).ravel()
    if lab.shape != pred.shape:
        raise ValueError(f"labels ({lab.size} values) and predictions ({pred.size} values) "
                         "must have the same number of elements")
    if pred.size and (np.isnan(pred).any() or pred.min() < 0 or pred.max() > 1):
        raise ValueError("predictions must lie in [0, 1], got values in "
                         f"[{np.nanmin(pred)}, {np.nanmax(pred)}]")
    w = 1.0 if weights is None else to_numpy(weights, "weights").astype(np.float64).ravel()
    positive = lab.astype(bool).astype(np.float64)
    bucket = np.floor(pred * (num_thresholds - 1)).astype(np.int64)
    tp_b = np.bincount(bucket, weights=positive * w, minlength=num_thresholds)
    fp_b = np.bincount(bucket, weights=(1.0 - positive) * w, minlength=num_thresholds)
    tp = np.cumsum(tp_b[::-1])[::-1]
    fp = np.cumsum(fp_b[::-1])[::-1]
    tn, fn = fp[0] - fp, tp[0] - tp
    precision = tp / np.maximum(_MIN_COUNT, tp + fp)
    recall = tp / np.maximum(_MIN_COUNT, tp + fn)
    return pr_curve_raw(tag, tp, fp, tn, fn, precision, recall, num_thresholds)


def pr_curve_raw(tag, tp, fp, tn, fn, precision, recall, num_thresholds):
    """A PR-curve summary from precomputed counts (``add_pr_curve_raw``)."""
    from tensorboard.plugins.pr_curve import metadata
    rows = [to_numpy(v, n).astype(np.float32).ravel() for v, n in
            ((tp, "true_positive_counts"), (fp, "false_positive_counts"),
             (tn, "true_negative_counts"), (fn, "false_negative_counts"),
             (precision, "precision"), (recall, "recall"))]
    if any(len(r) != num_thresholds for r in rows):
        raise ValueError(f"each PR-curve row must have num_thresholds={num_thresholds} values, "
                         f"got lengths {[len(r) for r in rows]}")
    meta = metadata.create_summary_metadata(display_name=tag, description="",
                                            num_thresholds=num_thresholds)
    tensor = tensor_util.make_tensor_proto(np.stack(rows))
    return Summary(value=[Summary.Value(tag=tag, metadata=meta, tensor=tensor)])


def _hparam_value(key, v):
    from google.protobuf import struct_pb2
    if isinstance(v, bool):
        return struct_pb2.Value(bool_value=v)
    if isinstance(v, str):
        return struct_pb2.Value(string_value=v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return struct_pb2.Value(number_value=float(v))
    if hasattr(v, "numpy") or isinstance(v, np.ndarray):
        return struct_pb2.Value(number_value=to_scalar(v, f"hparam_dict[{key!r}]"))
    raise TypeError(f"hparam_dict[{key!r}] must be bool, str, a number or a one-element tensor, "
                    f"got {type(v).__name__}")


def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The hparams plugin's three summaries (experiment, session start, session end)."""
    from tensorboard.plugins.hparams import api_pb2, metadata, plugin_data_pb2
    if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
        raise TypeError("hparam_dict and metric_dict must be dicts, got "
                        f"{type(hparam_dict).__name__} and {type(metric_dict).__name__}")
    domains = hparam_domain_discrete or {}
    if not isinstance(domains, dict):
        raise TypeError("hparam_domain_discrete must be a dict of lists, got "
                        f"{type(domains).__name__}")
    for k, vals in domains.items():
        if k not in hparam_dict:
            raise ValueError(f"hparam_domain_discrete names {k!r}, which is not in hparam_dict")
        if not isinstance(vals, (list, tuple)):
            raise TypeError(f"hparam_domain_discrete[{k!r}] must be a list")
    infos, start = [], plugin_data_pb2.SessionStartInfo()
    for k, v in hparam_dict.items():
        value = _hparam_value(k, v)
        start.hparams[k].CopyFrom(value)
        kind = value.WhichOneof("kind")
        dtype = {"bool_value": api_pb2.DATA_TYPE_BOOL, "string_value": api_pb2.DATA_TYPE_STRING,
                 "number_value": api_pb2.DATA_TYPE_FLOAT64}[kind]
        info = api_pb2.HParamInfo(name=k, type=dtype)
        if k in domains:
            plain = []
            for d in domains[k]:
                v = _hparam_value(k, d)
                plain.append(getattr(v, v.WhichOneof("kind")))
            info.domain_discrete.extend(plain)
        infos.append(info)
    metrics = [api_pb2.MetricInfo(name=api_pb2.MetricName(tag=k)) for k in metric_dict]
    experiment = api_pb2.Experiment(hparam_infos=infos, metric_infos=metrics)

    def wrap(tag, **data):
        content = plugin_data_pb2.HParamsPluginData(version=0, **data)
        return Summary(value=[Summary.Value(tag=tag,
                                            metadata=metadata.create_summary_metadata(content))])
    end = plugin_data_pb2.SessionEndInfo(status=api_pb2.STATUS_SUCCESS)
    return (wrap(metadata.EXPERIMENT_TAG, experiment=experiment),
            wrap(metadata.SESSION_START_INFO_TAG, session_start_info=start),
            wrap(metadata.SESSION_END_INFO_TAG, session_end_info=end))


def custom_scalars(layout):
    """The Custom Scalars dashboard's layout: ``{category: {chart: ["Multiline", [tags]] or
    ["Margin", [value, lower, upper]]}}``."""
    from tensorboard.plugins.custom_scalar import layout_pb2, metadata
    if not isinstance(layout, dict):
        raise TypeError(f"layout must be a dict of category -> charts, got {type(layout).__name__}")
    categories = []
    for title, charts in layout.items():
        if not isinstance(charts, dict):
            raise TypeError(f"layout[{title!r}] must be a dict of chart name -> [kind, tags]")
        built = []
        for name, spec in charts.items():
            if not (isinstance(spec, (list, tuple)) and len(spec) == 2
                    and isinstance(spec[1], (list, tuple))):
                raise ValueError(f"layout[{title!r}][{name!r}] must be ['Multiline', [tags]] "
                                 f"or ['Margin', [value, lower, upper]], got {spec!r}")
            kind, tags = spec
            if kind == "Multiline":
                built.append(layout_pb2.Chart(
                    title=name, multiline=layout_pb2.MultilineChartContent(tag=list(tags))))
            elif kind == "Margin":
                if len(tags) != 3:
                    raise ValueError(f"a Margin chart needs 3 tags (value, lower, upper), "
                                     f"got {len(tags)} for {name!r}")
                series = layout_pb2.MarginChartContent.Series(value=tags[0], lower=tags[1],
                                                              upper=tags[2])
                built.append(layout_pb2.Chart(
                    title=name, margin=layout_pb2.MarginChartContent(series=[series])))
            else:
                raise ValueError(f"chart kind must be 'Multiline' or 'Margin', got {kind!r}")
        categories.append(layout_pb2.Category(title=title, chart=built))
    proto = layout_pb2.Layout(category=categories)
    tensor = tensor_util.make_tensor_proto(np.array([proto.SerializeToString()], dtype=object))
    return Summary(value=[Summary.Value(tag=metadata.CONFIG_SUMMARY_TAG, tensor=tensor,
                                        metadata=metadata.create_summary_metadata())])
