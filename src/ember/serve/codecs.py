"""Request and response bodies of ``POST /predict``: JSON, ``.npy`` and safetensors.

A request carries one array whose first dimension is the batch (several rows are allowed); the
answer comes back in the request's format:

- ``application/json``: ``{"inputs": [[...], ...]}`` -> ``{"outputs": [[...], ...]}``
- ``application/x-npy``: one ``.npy`` file (``numpy.save``) -> one ``.npy`` file
- ``application/x-safetensors``: a safetensors file holding the tensor ``inputs`` (or exactly one
  tensor of any name) -> a safetensors file holding ``outputs``

Malformed bodies raise :class:`BodyError` with status 400; well-formed bodies of the wrong kind
(no ``inputs`` key, strings, ragged lists) raise it with status 422. Nothing here imports Starlette.
"""
import io
import json

import numpy as np

__all__ = ["BodyError", "JSON", "NPY", "SAFETENSORS", "FORMATS", "format_of", "decode", "encode"]

JSON = "application/json"
NPY = "application/x-npy"
SAFETENSORS = "application/x-safetensors"
FORMATS = (JSON, NPY, SAFETENSORS)


class BodyError(Exception):
    """A request the server refuses: ``status`` is the HTTP code, ``str(e)`` the message sent back."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def format_of(content_type):
    """The body format named by a ``Content-Type`` header (parameters such as charset ignored);
    a missing header means JSON. Raises BodyError(415) for anything else."""
    media = (content_type or JSON).split(";", 1)[0].strip().lower()
    if media in FORMATS:
        return media
    raise BodyError(415, f"unsupported Content-Type {media!r}; send one of {', '.join(FORMATS)}")


def decode(fmt, body):
    """The request's array from the raw body ``bytes`` in format ``fmt`` (one of FORMATS)."""
    if fmt == JSON:
        return _decode_json(body)
    if fmt == NPY:
        return _decode_npy(body)
    return _decode_safetensors(body)


def encode(fmt, array):
    """The response body (``bytes``) holding ``array`` in format ``fmt``."""
    array = np.ascontiguousarray(array)
    if fmt == JSON:
        return json.dumps({"outputs": array.tolist()}, separators=(",", ":")).encode()
    if fmt == NPY:
        buf = io.BytesIO()
        np.save(buf, array, allow_pickle=False)
        return buf.getvalue()
    from safetensors.numpy import save
    return save({"outputs": array})


def _decode_json(body):
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, ValueError) as e:
        raise BodyError(400, f"malformed JSON body: {e}") from None
    if not isinstance(doc, dict) or "inputs" not in doc:
        got = f"an object with keys {sorted(doc)}" if isinstance(doc, dict) else type(doc).__name__
        raise BodyError(422, f'JSON body must be an object {{"inputs": [...]}}, got {got}')
    try:
        array = np.asarray(doc["inputs"])
    except ValueError as e:      # ragged nesting
        raise BodyError(422, f"'inputs' is not a rectangular array of numbers: {e}") from None
    if array.dtype.kind not in "biuf":
        raise BodyError(422, f"'inputs' must hold numbers only, got {array.dtype} values")
    if array.dtype.kind == "b":
        raise BodyError(422, "'inputs' must hold numbers, got booleans")
    return array


def _decode_npy(body):
    try:
        array = np.load(io.BytesIO(body), allow_pickle=False)
    except (ValueError, EOFError, OSError) as e:
        raise BodyError(400, f"malformed .npy body: {e}") from None
    if not isinstance(array, np.ndarray):
        raise BodyError(400, "malformed .npy body: expected one array (numpy.save), got an archive")
    return array


def _decode_safetensors(body):
    from safetensors.numpy import load
    try:
        tensors = load(bytes(body))
    except Exception as e:       # safetensors raises its own SafetensorError
        raise BodyError(400, f"malformed safetensors body: {e}") from None
    if "inputs" in tensors:
        return tensors["inputs"]
    if len(tensors) == 1:
        return next(iter(tensors.values()))
    raise BodyError(422, f"safetensors body must hold a tensor named 'inputs' (or exactly one "
                         f"tensor), got {sorted(tensors)}")
