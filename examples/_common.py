"""Shared plumbing for the example scripts: command line, backend choice, progress bar, summary, plots,
TensorBoard logging (``--logdir``).

Every example is written against PyTorch's API through the name ``torch``. ``--backend ember`` (the
default, or ``EMBER_EXAMPLES_BACKEND=torch`` in the environment) binds it to ``import ember as torch``;
``--backend torch`` binds it to real PyTorch, so the same script can be compared on both.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args(doc, epochs, extra=None):
    """Parse the common options (--epochs, --quick, --backend, --seed, --threads, --out) plus ``extra``."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=None, help=f"training epochs (default {epochs})")
    p.add_argument("--quick", action="store_true", help="a tiny run that finishes in seconds (for tests)")
    p.add_argument("--backend", choices=("ember", "torch"),
                   default=os.environ.get("EMBER_EXAMPLES_BACKEND", "ember"),
                   help="framework bound to the name `torch` (default ember)")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--threads", type=int, default=None, help="BLAS/intra-op threads (default: all)")
    p.add_argument("--out", default=None, help="folder for the PNG plot and checkpoints "
                                                "(default: next to this script)")
    p.add_argument("--no-progress", action="store_true", help="disable the progress bar")
    add_logdir_arg(p)
    if extra is not None:
        extra(p)
    args = p.parse_args()
    args.default_epochs = epochs
    if args.out is None:
        args.out = HERE
    os.makedirs(args.out, exist_ok=True)
    return args


def load_backend(args):
    """Import the chosen framework; return the module to use as ``torch``."""
    if args.backend == "torch":
        import torch
    else:
        import ember as torch
        import ember.nn  # noqa: F401  (nn, optim are attributes of the package as in PyTorch)
        import ember.optim  # noqa: F401
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    return torch


def to_backend(torch, t):
    """An Ember tensor (e.g. from ``ember.vision.datasets``) as a tensor of the chosen backend."""
    if type(t).__module__.startswith(torch.__name__):
        return t
    return torch.from_numpy(t.numpy().copy())


def progress(iterable, args, **kw):
    """``tqdm`` over ``iterable`` (plain iterable if tqdm is missing or --no-progress)."""
    if args.no_progress:
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, file=sys.stderr, dynamic_ncols=True, **kw)


def summary(name, args, t0, **metrics):
    """Print the final one-line JSON summary and return it as a dict."""
    out = {"example": name, "backend": args.backend, "quick": args.quick,
           "wall_s": round(time.time() - t0, 2)}
    out.update({k: (round(v, 5) if isinstance(v, float) else v) for k, v in metrics.items()})
    print(json.dumps(out), flush=True)
    return out


def pyplot():
    """matplotlib.pyplot with the Agg backend (no display needed)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot_path(args, stem):
    """Where to save this example's PNG (``<out>/<stem>_<backend>.png``)."""
    return os.path.join(args.out, f"{stem}_{args.backend}.png" if args.backend != "ember"
                        else f"{stem}.png")


def add_logdir_arg(p):
    """The ``--logdir`` option: where a run's TensorBoard event files go."""
    p.add_argument("--logdir", default=None,
                   help="write TensorBoard event files here (watch live with "
                        "`tensorboard --logdir DIR`)")


class _NoWriter:
    """Stands in for a SummaryWriter when --logdir is not given: every call does nothing."""

    def __getattr__(self, name):
        return lambda *a, **k: None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def summary_writer(args):
    """A SummaryWriter into ``--logdir`` (``torch.utils.tensorboard`` under --backend torch,
    ``ember.utils.tensorboard`` otherwise), or a do-nothing stand-in without --logdir."""
    if not getattr(args, "logdir", None):
        return _NoWriter()
    if args.backend == "torch":
        from torch.utils.tensorboard import SummaryWriter
    else:
        from ember.utils.tensorboard import SummaryWriter
    return SummaryWriter(log_dir=args.logdir)


def plot_history(args, history, stem, **kw):
    """Save training curves (``{name: values}``) as ``<out>/<stem>.png`` with ``ember.viz``
    (plain matplotlib, so it serves both backends); returns the path."""
    from ember.viz import plot_history as plot
    return plot(history, plot_path(args, stem), **kw)
