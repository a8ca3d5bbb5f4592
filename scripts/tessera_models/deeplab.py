"""DeepLabv3+ (Chen, Zhu, Papandreou, Schroff and Adam 2018, "Encoder-Decoder with Atrous Separable Convolution
for Semantic Image Segmentation", ECCV) for 2D and 3D, trained from scratch.

    encoder  a dilated ResNet (dilated_resnet.py) with output stride 16: layer 4 dilated by 2 instead of strided
    ASPP     five parallel branches on the encoder output: a 1x1 conv, three 3x3 depthwise-separable convs with
             atrous rates 6, 12 and 18, and image pooling (average pooling + 1x1 conv); each + BatchNorm + ReLU,
             concatenated and projected by a 1x1 conv (+ BatchNorm + ReLU) to A channels (the paper: 256)
    decoder  the ASPP output upsampled bilinearly to the stride of the low-level features (layer 1, stride 4),
             concatenated with those projected to 48 channels by a 1x1 conv, two 3x3 depthwise-separable convs
             (A channels), a 1x1 conv to the class logits, bilinear upsampling by 4 to the input
    separable depthwise 3x3 conv + BatchNorm + ReLU, then pointwise 1x1 conv + BatchNorm + ReLU (the paper's
             section 3.2: BatchNorm and ReLU after each depthwise conv)

Differences from the paper, and why:
- Encoder: a ResNet-18 layout at width w (not the ImageNet-pretrained ResNet-101 or aligned Xception); no
  pretrained weights can be had here, and the comparison trains every row from scratch at a similar size.
- Image pooling averages over a window of 2F - 1 feature cells centred on each position (F: the training
  patch's extent at the output stride, per axis; padding not counted). On a training patch every window covers
  the whole patch, so during training this is exactly the paper's global average pooling broadcast to every
  position; on a larger image it is the average over a neighbourhood of the training extent instead of over
  the whole image, so the output does not depend on how the image is tiled (the same idea as the official
  implementation's image_pooling_crop_size for inputs larger than the training crop).
- 3D: strides per axis as the data set needs; the atrous rates are the same on every axis (along a short axis
  the far taps read the zero padding).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .cenet import _nn
from .dilated_resnet import DilatedResNet
from .unet import five_strides

RATES = (6, 12, 18)  # for output stride 16 (the paper doubles them at output stride 8)
LOW_LEVEL = 48


def _bn_relu(dims, conv, cin, cout, **kw):
    _, bn, _ = _nn(dims)
    return nn.Sequential(conv(cin, cout, bias=False, **kw), bn(cout), nn.ReLU(inplace=True))


class SeparableConv(nn.Sequential):
    """Depthwise 3x3 (atrous) conv + BatchNorm + ReLU, then pointwise 1x1 conv + BatchNorm + ReLU."""

    def __init__(self, dims, cin, cout, rate=1):
        conv, bn, _ = _nn(dims)
        super().__init__(conv(cin, cin, 3, padding=rate, dilation=rate, groups=cin, bias=False), bn(cin),
                         nn.ReLU(inplace=True),
                         conv(cin, cout, 1, bias=False), bn(cout), nn.ReLU(inplace=True))


class ImagePooling(nn.Module):
    """Average over a window of 2F - 1 cells around each position (padding not counted), then 1x1 conv +
    BatchNorm + ReLU: on an input of extent F this equals global average pooling broadcast to every position.
    The average is a box-filter sum over a count of the window's positions inside the input (a depthwise conv
    with a fixed all-ones kernel): PyTorch's 3D average pooling refuses windows longer than the unpadded input."""

    def __init__(self, dims, cin, cout, extent):
        super().__init__()
        conv, _, _ = _nn(dims)
        self.dims, self.channels, self.extent = dims, cin, tuple(extent)
        self.register_buffer("box", torch.ones((cin, 1) + tuple(2 * f - 1 for f in extent)), persistent=False)
        self.conv = _bn_relu(dims, conv, cin, cout, kernel_size=1)

    def forward(self, x):
        conv = F.conv2d if self.dims == 2 else F.conv3d
        pad = tuple(f - 1 for f in self.extent)
        sums = conv(x, self.box, padding=pad, groups=self.channels)
        counts = conv(x[:, :1] * 0 + 1, self.box[:1], padding=pad)
        return self.conv(sums / counts)


class DeepLabV3Plus(nn.Module):
    """pools: the encoder's five ResNet strides per tensor axis (the fifth becomes a dilation); base: w;
    patch: the training patch per tensor axis, which fixes the image-pooling window."""

    def __init__(self, dims=2, in_channels=1, classes=2, base=8, pools=None, patch=None):
        super().__init__()
        self.dims, self.pools, self.in_channels, self.base = dims, five_strides(dims, pools), in_channels, base
        conv, _, _ = _nn(dims)
        self.encoder = DilatedResNet(dims, in_channels, base, self.pools, strided=4)
        cin, aspp = self.encoder.widths[-1], 16 * base  # the paper: 2048 -> 256 channels
        os_ = self.encoder.output_stride
        if patch is None:
            patch = [16 * s for s in os_]
        assert all(p % s == 0 for p, s in zip(patch, os_)), (patch, os_)
        self.patch = list(patch)
        self.aspp = nn.ModuleList(
            [_bn_relu(dims, conv, cin, aspp, kernel_size=1)]
            + [SeparableConv(dims, cin, aspp, r) for r in RATES]
            + [ImagePooling(dims, cin, aspp, [p // s for p, s in zip(patch, os_)])])
        self.project = _bn_relu(dims, conv, 5 * aspp, aspp, kernel_size=1)
        self.low_level = _bn_relu(dims, conv, self.encoder.widths[0], LOW_LEVEL, kernel_size=1)
        self.decoder = nn.Sequential(SeparableConv(dims, aspp + LOW_LEVEL, aspp), SeparableConv(dims, aspp, aspp))
        self.logits = conv(aspp, classes, 1)
        self.up_decoder = [float(o // l) for o, l in zip(os_, self.encoder.low_level_stride)]
        self.up_final = [float(s) for s in self.encoder.low_level_stride]

    def forward(self, x):
        low, x = self.encoder(x)
        x = self.project(torch.cat([branch(x) for branch in self.aspp], 1))
        mode = "bilinear" if self.dims == 2 else "trilinear"
        x = F.interpolate(x, scale_factor=self.up_decoder, mode=mode, align_corners=False)
        x = self.logits(self.decoder(torch.cat([x, self.low_level(low)], 1)))
        return F.interpolate(x, scale_factor=self.up_final, mode=mode, align_corners=False)

    def divisibility(self):
        return self.encoder.output_stride

    def width_one(self):
        """The same structure at width 1 (for export.structural_reach)."""
        return type(self)(self.dims, 1, 1, 1, self.pools, self.patch)

    def card_network(self):
        return {"depth": len(self.pools), "baseWidth": self.base, "outputStride": list(reversed(self.divisibility())),
                "imagePoolingWindow": list(reversed([2 * f - 1 for f in self.aspp[-1].extent])),
                "convs": "DeepLabv3+: dilated ResNet-18 encoder (7x7 stride-2 stem, max pooling, 2/2/2/2 basic residual "
                         "blocks at w/2w/4w/8w, layer 4 dilated by 2: output stride 16), ASPP (1x1 conv, 3x3 "
                         "depthwise-separable convs at rates 6/12/18, image pooling over a window of twice the "
                         "training extent; %d channels each, BatchNorm + ReLU, 1x1 projection), decoder (x4 bilinear, "
                         "1x1 conv of the stride-4 features to 48 channels, two 3x3 depthwise-separable convs), 1x1 "
                         "logits, x4 bilinear; trained from scratch" % (16 * self.base)}
