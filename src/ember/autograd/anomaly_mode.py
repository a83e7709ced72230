"""``torch.autograd.anomaly_mode``: where PyTorch defines detect_anomaly / set_detect_anomaly."""
from .anomaly import detect_anomaly, set_detect_anomaly  # noqa: F401

__all__ = ["detect_anomaly", "set_detect_anomaly"]
