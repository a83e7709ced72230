"""Summary protos for pictures and sound: images (one, a grid of a batch, a matplotlib figure,
with bounding boxes), videos as animated GIFs and audio clips as WAV."""
import io
import numbers

import numpy as np
from tensorboard.compat.proto.summary_pb2 import Summary

from ._convert import encode_png, to_hwc_uint8, to_numpy

__all__ = ["image", "figure_to_image", "image_with_boxes", "video", "audio"]


def image(tag, img, dataformats="CHW", name="img_tensor"):
    """An image summary: the picture (a batch is tiled into a grid) as PNG bytes."""
    hwc = to_hwc_uint8(img, dataformats, name)
    h, w, c = hwc.shape
    proto = Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=encode_png(hwc))
    return Summary(value=[Summary.Value(tag=tag, image=proto)])


def figure_to_image(figure):
    """A matplotlib figure (or a list of them) rendered to (H, W, 4) uint8 (or N of them, NHWC)."""
    if isinstance(figure, (list, tuple)):
        images = [figure_to_image(f) for f in figure]
        return np.stack(images)
    if not hasattr(figure, "canvas"):
        raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(figure)  # attaches an Agg canvas whatever the GUI backend is
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def audio(tag, snd, sample_rate=44100):
    """An audio summary: a mono clip (values in [-1, 1], clipped) as 16-bit PCM WAV bytes."""
    import wave
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, numbers.Real) \
            or sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive number, got {sample_rate!r}")
    arr = to_numpy(snd, "snd_tensor").astype(np.float64)
    clip = arr.squeeze()
    if clip.ndim != 1 or clip.size == 0:
        raise ValueError(f"snd_tensor must hold one mono clip (shape (L,) or (1, L)), "
                         f"got shape {tuple(arr.shape)}")
    if not np.isfinite(clip).all():
        raise ValueError("snd_tensor holds NaN or inf samples")
    pcm = (np.clip(clip, -1.0, 1.0) * np.iinfo(np.int16).max).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(int(sample_rate))
        wav.writeframes(pcm.tobytes())
    proto = Summary.Audio(sample_rate=float(sample_rate), num_channels=1,
                          length_frames=len(pcm), encoded_audio_string=buf.getvalue(),
                          content_type="audio/wav")
    return Summary(value=[Summary.Value(tag=tag, audio=proto)])


def image_with_boxes(tag, img, boxes, dataformats="CHW", labels=None, rescale=1):
    """An image summary with bounding boxes (N x 4: xmin, ymin, xmax, ymax in pixels) drawn in
    red, each with its label if given; the picture is scaled by ``rescale``."""
    from PIL import Image, ImageDraw
    hwc = to_hwc_uint8(img, dataformats)
    box = to_numpy(boxes, "box_tensor").astype(np.float64)
    if box.ndim == 1 and box.size == 4:
        box = box[None]
    if box.ndim != 2 or box.shape[1] != 4:
        raise ValueError(f"box_tensor must be (N, 4) as xmin, ymin, xmax, ymax, got shape "
                         f"{tuple(box.shape)}")
    if labels is not None and len(labels) != len(box):
        raise ValueError(f"labels has {len(labels)} entries but box_tensor has {len(box)} boxes")
    if not isinstance(rescale, numbers.Real) or rescale <= 0:
        raise ValueError(f"rescale must be a positive number, got {rescale!r}")
    picture = Image.fromarray(hwc[..., :3])
    draw = ImageDraw.Draw(picture)
    for i, (x0, y0, x1, y1) in enumerate(box):
        draw.rectangle([x0, y0, x1, y1], outline=(255, 0, 0), width=2)
        if labels is not None:
            draw.text((x0 + 2, max(y0 - 11, 0)), str(labels[i]), fill=(255, 0, 0))
    if rescale != 1:
        w, h = picture.size
        picture = picture.resize((max(1, int(w * rescale)), max(1, int(h * rescale))))
    out = np.asarray(picture)
    h, w, c = out.shape
    proto = Summary.Image(height=h, width=w, colorspace=c, encoded_image_string=encode_png(out))
    return Summary(value=[Summary.Value(tag=tag, image=proto)])


def video(tag, vid, fps=4):
    """A video summary: N clips (N, T, C, H, W; float in [0, 1] or uint8) tiled into one
    animated GIF, ``fps`` frames a second (shown in the Images tab)."""

    from PIL import Image
    arr = to_numpy(vid, "vid_tensor")
    if arr.ndim != 5:
        raise ValueError(f"vid_tensor must be (N, T, C, H, W), got shape {tuple(arr.shape)}")
    if not isinstance(fps, numbers.Real) or fps <= 0:
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    n, t = arr.shape[:2]
    if n == 0 or t == 0:
        raise ValueError(f"vid_tensor holds no frames (shape {tuple(arr.shape)})")
    frames = [Image.fromarray(to_hwc_uint8(arr[:, k], "NCHW", "vid_tensor")[..., :3])
              for k in range(t)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:],
                   duration=int(round(1000 / fps)), loop=0)
    w, h = frames[0].size
    proto = Summary.Image(height=h, width=w, colorspace=3, encoded_image_string=buf.getvalue())
    return Summary(value=[Summary.Value(tag=tag, image=proto)])
