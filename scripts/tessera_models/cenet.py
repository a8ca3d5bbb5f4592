"""CE-Net (Gu et al. 2019, "CE-Net: Context Encoder Network for 2D Medical Image Segmentation", IEEE TMI 38(10))
for 2D and 3D, trained from scratch (no ImageNet weights can be had here).

    encoder  ResNet-34 layout: 7x7 stride-2 conv + BatchNorm + ReLU, 3x3 stride-2 max pooling, then 3, 4, 6, 3
             basic residual blocks (two 3x3 convs + BatchNorm, identity or 1x1-conv shortcut) at widths
             w, 2w, 4w, 8w (the paper: w = 64, ImageNet-pretrained; here w is small and the weights are random)
    DAC      Dense Atrous Convolution: four cascaded branches of 3x3 convs with dilation 1 / 3 / 1,3 / 1,3,5,
             the last three closed by a shared 1x1 conv; output = x + the sum of the ReLU'd branches
    RMP      Residual Multi-kernel Pooling: max pooling with kernels 2, 3, 5, 6, a shared 1x1 conv to one
             channel each, upsampled back and concatenated with x (8w + 4 channels)
    decoder  per level: 1x1 conv (C -> C/4), 3x3 stride-2 transposed conv, 1x1 conv (-> the skip's width),
             each + BatchNorm + ReLU, added to the encoder feature of that level; then a 4x4 stride-2
             transposed conv to 2w channels (the paper: 32), two 3x3 convs, the last one to the class logits

One deliberate change: RMP pools densely (stride 1, "same" -inf padding) instead of with stride = kernel and
upsampling. The paper's pooled map is this dense map sampled every k pixels and interpolated; the dense form
does not depend on where the image (or a tile) starts, so halo-tiled inference equals whole-image inference,
and any input size that is a multiple of the divisibility works.

3D: every stride is per axis (tensor order (z, y, x)); along an axis with stride 1 the stem uses a 3-kernel,
the max pooling a 1-kernel and the transposed convs a 3-kernel, so an anisotropic volume keeps its coarse axis.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .unet import five_strides, pooling_product

BLOCKS = (3, 4, 6, 3)  # ResNet-34


def _nn(dims):
    if dims == 2:
        return nn.Conv2d, nn.BatchNorm2d, nn.ConvTranspose2d
    if dims == 3:
        return nn.Conv3d, nn.BatchNorm3d, nn.ConvTranspose3d
    raise ValueError("dims must be 2 or 3")


class BasicBlock(nn.Module):
    def __init__(self, dims, cin, cout, stride, dilation=1):
        super().__init__()
        conv, bn, _ = _nn(dims)
        # dilation (per axis or one int): the atrous form that PSPNet and DeepLab use in place of a stride
        self.conv1, self.bn1 = conv(cin, cout, 3, stride, dilation, dilation, bias=False), bn(cout)
        self.conv2, self.bn2 = conv(cout, cout, 3, 1, dilation, dilation, bias=False), bn(cout)
        self.shortcut = None
        if cin != cout or any(s != 1 for s in stride):
            self.shortcut = nn.Sequential(conv(cin, cout, 1, stride, bias=False), bn(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.shortcut is None else self.shortcut(x)))


def resnet_encoder(dims, in_channels, base, pools, blocks, strided=5):
    """A ResNet's stem (7x7 conv with the stride pools[0] + BatchNorm + ReLU), 3x3 max pooling (stride pools[1])
    and four stages of basic blocks at widths w, 2w, 4w, 8w (the first stage keeps the stride, the others
    stride by pools[2..4]); blocks: the blocks per stage (ResNet-34: 3, 4, 6, 3). Along an axis with stride 1
    the stem has a 3-kernel and the max pooling a 1-kernel. strided < 5: the stages past the first `strided`
    strides drop theirs and dilate by every stride dropped so far (the atrous ResNet of PSPNet and DeepLab)."""
    conv, bn, _ = _nn(dims)
    stem, pool = pools[0], pools[1]
    stem = nn.Sequential(
        conv(in_channels, base, tuple(7 if s == 2 else 3 for s in stem), stem,
             tuple(3 if s == 2 else 1 for s in stem), bias=False), bn(base), nn.ReLU(inplace=True))
    maxpool = (nn.MaxPool2d if dims == 2 else nn.MaxPool3d)(
        tuple(3 if s == 2 else 1 for s in pool), pool, tuple(1 if s == 2 else 0 for s in pool))
    layers = nn.ModuleList()
    cin = base
    dilation = (1,) * dims
    for i, n in enumerate(blocks):
        w = base * 2 ** i
        stride = (1,) * dims if i == 0 else pools[1 + i]
        if i > 0 and 1 + i >= strided:
            dilation, stride = tuple(d * s for d, s in zip(dilation, stride)), (1,) * dims
        layers.append(nn.Sequential(BasicBlock(dims, cin, w, stride, dilation),
                                    *[BasicBlock(dims, w, w, (1,) * dims, dilation) for _ in range(n - 1)]))
        cin = w
    return stem, maxpool, layers


class DAC(nn.Module):
    def __init__(self, dims, c):
        super().__init__()
        conv, _, _ = _nn(dims)
        self.d1 = conv(c, c, 3, padding=1, dilation=1)
        self.d3 = conv(c, c, 3, padding=3, dilation=3)
        self.d5 = conv(c, c, 3, padding=5, dilation=5)
        self.c1 = conv(c, c, 1)

    def forward(self, x):
        b1 = torch.relu(self.d1(x))
        b2 = torch.relu(self.c1(self.d3(x)))
        b3 = torch.relu(self.c1(self.d3(self.d1(x))))
        b4 = torch.relu(self.c1(self.d5(self.d3(self.d1(x)))))
        return x + b1 + b2 + b3 + b4


class RMP(nn.Module):
    KERNELS = (2, 3, 5, 6)

    def __init__(self, dims, c):
        super().__init__()
        conv, _, _ = _nn(dims)
        self.dims = dims
        self.conv = conv(c, 1, 1)

    def dense_max_pool(self, x, k):
        # Window [i - (k-1)//2, i + k//2] on every axis. Max pooling ignores its padding (-inf in effect);
        # an even kernel gives one extra leading output per axis, dropped by the slice.
        y = (F.max_pool2d if self.dims == 2 else F.max_pool3d)(x, k, stride=1, padding=k // 2)
        if k % 2 == 0:
            y = y[(slice(None), slice(None)) + (slice(1, None),) * self.dims]
        return y

    def forward(self, x):
        return torch.cat([self.conv(self.dense_max_pool(x, k)) for k in self.KERNELS] + [x], 1)


def _up(dims, cin, cout, stride, kernel_for_two):
    """Transposed conv that multiplies each axis by its stride exactly (kernel 3 / pad 1 where stride is 1)."""
    _, _, convt = _nn(dims)
    k = tuple(kernel_for_two if s == 2 else 3 for s in stride)
    pad = tuple(1 for _ in stride)
    out_pad = tuple(s + 2 * p - kk for s, p, kk in zip(stride, pad, k))  # out = (n-1)s - 2p + k + op = n*s
    return convt(cin, cout, k, stride, pad, out_pad, bias=False)


class DecoderBlock(nn.Sequential):
    def __init__(self, dims, cin, cout, stride):
        conv, bn, _ = _nn(dims)
        mid = max(cin // 4, 1)
        super().__init__(conv(cin, mid, 1, bias=False), bn(mid), nn.ReLU(inplace=True),
                         _up(dims, mid, mid, stride, 3), bn(mid), nn.ReLU(inplace=True),
                         conv(mid, cout, 1, bias=False), bn(cout), nn.ReLU(inplace=True))


class ResNetEncoded(nn.Module):
    """What CE-Net and RefineNet share: the five downsampling strides (stem conv, max pooling, stages 2, 3, 4), each
    per tensor axis, and a ResNet encoder of `blocks` basic blocks per stage, the first stage `base` wide."""

    def __init__(self, dims, in_channels, base, pools, blocks):
        super().__init__()
        pools = five_strides(dims, pools)
        self.dims, self.pools, self.in_channels, self.base = dims, pools, in_channels, base
        self.stem, self.maxpool, self.layers = resnet_encoder(dims, in_channels, base, pools, blocks)

    def encode(self, x):
        """The four stages' outputs, finest first."""
        x = self.maxpool(self.stem(x))
        feats = []
        for layer in self.layers:
            x = layer(x)
            feats.append(x)
        return feats

    def divisibility(self):
        return pooling_product(self.pools)


class CENet(ResNetEncoded):
    """pools: the five downsampling strides (stem conv, max pooling, layer 2, layer 3, layer 4), each per tensor
    axis; base: the first encoder width w (the paper's ResNet-34: 64)."""

    def __init__(self, dims=2, in_channels=1, classes=2, base=8, pools=None):
        super().__init__(dims, in_channels, base, pools, BLOCKS)
        pools = self.pools
        conv, _, _ = _nn(dims)
        widths = [base, 2 * base, 4 * base, 8 * base]
        self.dac = DAC(dims, widths[3])
        self.rmp = RMP(dims, widths[3])
        # decoder4 undoes layer 4's stride, ..., decoder1 the max pooling's; the final deconv the stem's.
        self.decoders = nn.ModuleList([
            DecoderBlock(dims, widths[3] + 4, widths[2], pools[4]),
            DecoderBlock(dims, widths[2], widths[1], pools[3]),
            DecoderBlock(dims, widths[1], widths[0], pools[2]),
            DecoderBlock(dims, widths[0], widths[0], pools[1])])
        head = 2 * base  # the paper: 32 channels after w = 64; 2w keeps the full-resolution layers as wide as a U-Net's top
        self.final = nn.Sequential(
            _up(dims, widths[0], head, pools[0], 4), nn.ReLU(inplace=True),
            conv(head, head, 3, padding=1), nn.ReLU(inplace=True),
            conv(head, classes, 3, padding=1))

    def forward(self, x):
        feats = self.encode(x)
        x = self.rmp(self.dac(feats[3]))
        for dec, skip in zip(self.decoders[:3], reversed(feats[:3])):
            x = dec(x) + skip
        return self.final(self.decoders[3](x))

    def card_network(self):
        return {"depth": len(self.pools), "baseWidth": self.base, "blocks": list(BLOCKS),
                "convs": "CE-Net: ResNet-34 encoder (7x7 stride-2 stem, 3x3 stride-2 max pooling, 3/4/6/3 basic "
                         "residual blocks, widths w/2w/4w/8w, BatchNorm), DAC block (cascaded 3x3 convs with "
                         "dilation 1, 3, 5 and shared 1x1), RMP block (max pooling 2/3/5/6 evaluated densely with "
                         "stride 1, shared 1x1 conv to one channel each, concatenated), decoder blocks (1x1, 3x3 "
                         "stride-2 transposed, 1x1 conv + BatchNorm + ReLU, added to the encoder features), 4x4 "
                         "stride-2 transposed conv and two 3x3 convs to the logits; trained from scratch"}
