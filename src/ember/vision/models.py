"""Small image models shaped like ``torchvision.models``: LeNet-5 and CIFAR-style ResNets (BasicBlock)."""
from .. import nn

__all__ = ["LeNet", "BasicBlock", "ResNet", "resnet8", "resnet18", "lenet"]


class LeNet(nn.Module):
    """LeNet-5 style CNN: two conv (5x5, or 3x3 for images under 16 px) + ReLU + 2x2 max-pool stages,
    then 120-84-``num_classes`` fully connected layers. Input ``(N, in_channels, image_size, image_size)``.
    """

    def __init__(self, num_classes=10, in_channels=1, image_size=28, dropout=0.0):
        super().__init__()
        small = image_size < 16
        k = 3 if small else 5
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, k, padding=k // 2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, k, padding=k // 2 if small else 0), nn.ReLU(), nn.MaxPool2d(2))
        s = image_size // 2
        s = (s if small else s - k + 1) // 2
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * s * s, 120), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def lenet(**kwargs):
    """A :class:`LeNet` (keyword arguments as its constructor)."""
    return LeNet(**kwargs)


class BasicBlock(nn.Module):
    """ResNet basic block: two 3x3 conv-BN layers with an identity (or 1x1 conv-BN) shortcut."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet(nn.Module):
    """ResNet for small images: a 3x3 stem, one stage of ``block`` per entry of ``layers`` (channels
    ``width * 2**i``, stride 2 after the first), global average pooling and a linear classifier.
    Parameter names follow torchvision (``conv1``, ``bn1``, ``layer1``..., ``fc``)."""

    def __init__(self, block, layers, num_classes=10, in_channels=3, width=16):
        super().__init__()
        self.inplanes = width
        self.conv1 = nn.Conv2d(in_channels, width, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU()
        for i, n in enumerate(layers):
            setattr(self, f"layer{i + 1}", self._make_layer(block, width * 2 ** i, n, 1 if i == 0 else 2))
        self.num_stages = len(layers)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(self.inplanes, num_classes)

    def _make_layer(self, block, planes, blocks, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        for i in range(self.num_stages):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(self.avgpool(x).flatten(1))


def resnet8(num_classes=10, in_channels=3, width=16):
    """ResNet-8: three stages of one BasicBlock (16-32-64 channels by default)."""
    return ResNet(BasicBlock, [1, 1, 1], num_classes, in_channels, width)


def resnet18(num_classes=10, in_channels=3, width=64):
    """ResNet-18 shaped: four stages of two BasicBlocks (64-128-256-512 channels by default)."""
    return ResNet(BasicBlock, [2, 2, 2, 2], num_classes, in_channels, width)
