"""``add_embedding``: the files TensorBoard's Projector reads (tensors.tsv, metadata.tsv, sprite.png
under ``<logdir>/<step:05d>/<tag>/``) and their entry in ``projector_config.pbtxt``."""
import math
import os
import urllib.parse

import numpy as np

from ._convert import encode_png, make_grid, to_hwc_uint8, to_numpy

__all__ = ["write_embedding"]


def _metadata_lines(metadata, metadata_header, n):
    rows = list(metadata)
    if len(rows) != n:
        raise ValueError(f"metadata has {len(rows)} entries but mat has {n} rows")
    if metadata_header is None:
        if rows and isinstance(rows[0], (list, tuple)):
            raise ValueError("metadata with several columns needs a metadata_header")
        return [str(r) for r in rows]
    header = [str(h) for h in metadata_header]
    lines = ["\t".join(header)]
    for i, r in enumerate(rows):
        cols = list(r) if isinstance(r, (list, tuple)) else [r]
        if len(cols) != len(header):
            raise ValueError(f"metadata row {i} has {len(cols)} columns, metadata_header has "
                             f"{len(header)}")
        lines.append("\t".join(str(c) for c in cols))
    return lines


def _sprite(label_img, n):
    imgs = to_numpy(label_img, "label_img")
    if imgs.ndim != 4 or imgs.shape[0] != n:
        raise ValueError(f"label_img must be (N, C, H, W) with N={n} (the rows of mat), "
                         f"got shape {tuple(imgs.shape)}")
    side = int(math.ceil(math.sqrt(n)))  # the Projector wants a square sprite sheet
    pad = np.zeros((side * side - n,) + imgs.shape[1:], dtype=imgs.dtype)
    grid = make_grid(np.concatenate([imgs, pad]), ncols=side)
    return encode_png(to_hwc_uint8(grid, "CHW", "label_img")), imgs.shape[2:]


def write_embedding(logdir, config, mat, metadata=None, label_img=None, global_step=None,
                    tag="default", metadata_header=None):
    """Write one embedding's files and add its ``EmbeddingInfo`` to ``config`` (ProjectorConfig);
    then rewrite ``projector_config.pbtxt``."""
    from google.protobuf import text_format
    arr = to_numpy(mat, "mat")
    if arr.ndim != 2:
        raise ValueError(f"mat must be 2-D (N, D), got shape {tuple(arr.shape)}")
    if not isinstance(tag, str):
        raise TypeError(f"tag must be a str, got {type(tag).__name__}")
    step = str(0 if global_step is None else int(global_step)).zfill(5)
    subdir = f"{step}/{urllib.parse.quote(tag, safe='')}"
    folder = os.path.join(logdir, subdir)
    lines = None if metadata is None else _metadata_lines(metadata, metadata_header, len(arr))
    sprite = None if label_img is None else _sprite(label_img, len(arr))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "tensors.tsv"), "w") as f:
        for row in arr.astype(np.float64):
            f.write("\t".join(repr(float(v)) for v in row) + "\n")
    info = config.embeddings.add(tensor_name=f"{tag}:{step}",
                                 tensor_path=f"{subdir}/tensors.tsv")
    if lines is not None:
        with open(os.path.join(folder, "metadata.tsv"), "w") as f:
            f.write("\n".join(lines) + "\n")
        info.metadata_path = f"{subdir}/metadata.tsv"
    if sprite is not None:
        png, (h, w) = sprite
        with open(os.path.join(folder, "sprite.png"), "wb") as f:
            f.write(png)
        info.sprite.image_path = f"{subdir}/sprite.png"
        info.sprite.single_image_dim.extend([int(w), int(h)])
    with open(os.path.join(logdir, "projector_config.pbtxt"), "w") as f:
        f.write(text_format.MessageToString(config))
    return info
