"""ChannelShuffle (``torch.nn.modules.channelshuffle``): interleave channel groups."""
from ..module import Module
from .._functional.vision import channel_shuffle

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    """Divide the channels of an (N, C, *) tensor into ``groups`` groups and interleave them
    (``torch.nn.ChannelShuffle``)."""

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def extra_repr(self):
        return f"groups={self.groups}"

    def forward(self, input):
        return channel_shuffle(input, self.groups)
