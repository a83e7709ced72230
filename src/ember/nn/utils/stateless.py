"""nn.utils.stateless.functional_call: run a module with some parameters/buffers replaced."""
from contextlib import contextmanager

__all__ = ["functional_call"]


def _owner(module, name):
    path, _, leaf = name.rpartition(".")
    return module.get_submodule(path) if path else module, leaf


@contextmanager
def _reparametrize(module, tensors, strict):
    saved = []
    missing = []
    try:
        for name, value in tensors.items():
            sub, leaf = _owner(module, name)
            if leaf in sub._parameters:
                table = sub._parameters
            elif leaf in sub._buffers:
                table = sub._buffers
            else:
                missing.append(name)
                if strict:
                    continue
                saved.append((sub.__dict__, leaf, sub.__dict__.get(leaf, _ABSENT)))
                sub.__dict__[leaf] = value
                continue
            saved.append((table, leaf, table[leaf]))
            table[leaf] = value
        if strict:
            expected = {k for k, _ in module.named_parameters(remove_duplicate=False)} | \
                {k for k, _ in module.named_buffers(remove_duplicate=False)}
            absent = sorted(expected - set(tensors))
            if missing or absent:
                msg = []
                if missing:
                    msg.append("Unexpected key(s): " + ", ".join(repr(k) for k in missing) + ".")
                if absent:
                    msg.append("Missing key(s): " + ", ".join(repr(k) for k in absent) + ".")
                raise RuntimeError("Error(s) in reparametrizing for " +
                                   f"{type(module).__name__}:\n\t" + "\n\t".join(msg))
        yield
    finally:
        for table, leaf, old in reversed(saved):
            if old is _ABSENT:
                table.pop(leaf, None)
            else:
                table[leaf] = old


_ABSENT = object()


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    """Call ``module(*args, **kwargs)`` with the named parameters and buffers in
    ``parameters_and_buffers`` (a dict, or a tuple of dicts) used in place of its own."""
    if isinstance(parameters_and_buffers, (list, tuple)):
        merged = {}
        for d in parameters_and_buffers:
            dup = set(merged) & set(d)
            if dup:
                raise ValueError(f"{sorted(dup)} appeared in multiple dictionaries; behavior of "
                                 "functional call is ambiguous")
            merged.update(d)
        parameters_and_buffers = merged
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize(module, dict(parameters_and_buffers), strict):
        return module(*args, **(kwargs or {}))
