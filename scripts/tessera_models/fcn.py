"""FCN-32s / FCN-16s / FCN-8s (Long, Shelhamer and Darrell 2015, "Fully Convolutional Networks for Semantic
Segmentation") for 2D and 3D, trained from scratch.

    backbone  VGG-16 layout: blocks of 2, 2, 3, 3, 3 zero-padded 3x3 convs + ReLU at widths w, 2w, 4w, 8w, 8w,
              each block closed by 2x2 max pooling (total stride 32); then fc6 as a 7x7 conv and fc7 as a 1x1
              conv at 16w channels (the paper: 4096), with ReLU and dropout
    scores    1x1 convs to the class scores on fc7 (and, for 16s / 8s, on pool4 / pool3)
    fusion    FCN-32s: the fc7 scores upsampled x32; FCN-16s: fc7 scores x2 + pool4 scores, then x16; FCN-8s:
              that x2 + pool3 scores, then x8. Every upsampling is a transposed conv initialised as bilinear
              interpolation (kernel 2s, stride s), learned afterwards as in the paper

Differences from the paper, and why:
- BatchNorm after every backbone conv (VGG-16-BN): without ImageNet weights, 13 plain convs do not train in the
  comparison's budget.
- "Same" zero padding instead of the paper's 100-pixel input padding and crops, so any multiple of 32 works and
  halo tiles equal whole-image inference.
- 3D: per-axis pooling (anisotropic volumes keep their coarse axis); fc6 is 7 wide along axes pooled by 32 and 3
  wide along the others; an axis with stride 1 in an upsampling gets a 1-wide kernel.
"""
import torch
import torch.nn as nn

from .unet import _ops, five_strides, pooling_product

BLOCKS = (2, 2, 3, 3, 3)  # VGG-16


def conv_bn_relu(dims, widths, transposed=False):
    """Zero-padded 3x3(x3) convs + BatchNorm + ReLU from widths[0] through widths[1:]: one VGG-16-BN block, or
    with transposed=True a stack of stride-1 transposed convs (DeconvNet's deconvolution layers)."""
    conv, bn, _, convt = _ops(dims)
    layers = []
    for cin, cout in zip(widths, widths[1:]):
        layers += [(convt if transposed else conv)(cin, cout, 3, padding=1, bias=False), bn(cout), nn.ReLU(inplace=True)]
    return layers


def fc6_kernel(pools):
    """fc6's kernel per axis: 7 (VGG-16's 7x7) along the axes pooled most, 3 along less-pooled (anisotropic) axes."""
    total = pooling_product(pools)
    return tuple(7 if t == max(total) else 3 for t in total)


def bilinear_up(dims, classes, stride):
    """Transposed conv multiplying each axis by its stride, initialised as (bi/tri)linear interpolation of each
    class map (zero between different classes)."""
    _, _, _, convt = _ops(dims)
    kernel = tuple(2 * s if s > 1 else 1 for s in stride)
    pad = tuple(s // 2 if s > 1 else 0 for s in stride)
    up = convt(classes, classes, kernel, stride, pad, bias=False)
    weights = None
    for k, s in zip(kernel, stride):
        centre = (k - 1) / 2 if s > 1 else 0.0
        f = torch.tensor([1 - abs(i - centre) / s if s > 1 else 1.0 for i in range(k)])
        weights = f if weights is None else weights[..., None] * f
    with torch.no_grad():
        up.weight.zero_()
        for c in range(classes):
            up.weight[c, c] = weights
    return up


class FCN(nn.Module):
    """pools: the five 2x2(x2) pooling kernels of the VGG blocks, per tensor axis; skip: 32, 16 or 8 (FCN-32s, -16s,
    -8s); base: the first block's width w (VGG-16: 64)."""

    def __init__(self, dims=2, in_channels=1, classes=2, base=8, pools=None, skip=8):
        super().__init__()
        pools = five_strides(dims, pools)
        assert skip in (8, 16, 32), skip
        conv, _, maxpool, _ = _ops(dims)
        self.dims, self.pools, self.in_channels, self.base, self.skip = dims, pools, in_channels, base, skip
        widths = [base, 2 * base, 4 * base, 8 * base, 8 * base]
        self.blocks = nn.ModuleList()
        for n, cin, w, p in zip(BLOCKS, [in_channels] + widths[:4], widths, pools):
            self.blocks.append(nn.Sequential(*conv_bn_relu(dims, [cin] + [w] * n), maxpool(p, p)))
        total = pooling_product(pools)
        k6 = fc6_kernel(pools)
        fc = 16 * base
        self.fc = nn.Sequential(
            conv(widths[4], fc, k6, padding=tuple(k // 2 for k in k6)), nn.ReLU(inplace=True), nn.Dropout(0.5),
            conv(fc, fc, 1), nn.ReLU(inplace=True), nn.Dropout(0.5))
        self.score_fr = conv(fc, classes, 1)
        if skip == 32:
            self.up_final = bilinear_up(dims, classes, total)
        else:
            self.score_pool4 = conv(widths[3], classes, 1)
            self.up_fr = bilinear_up(dims, classes, pools[4])
            if skip == 16:
                self.up_final = bilinear_up(dims, classes, pooling_product(pools[:4]))
            else:
                self.score_pool3 = conv(widths[2], classes, 1)
                self.up_pool4 = bilinear_up(dims, classes, pools[3])
                self.up_final = bilinear_up(dims, classes, pooling_product(pools[:3]))

    def forward(self, x):
        feats = []
        for block in self.blocks:
            x = block(x)
            feats.append(x)
        score = self.score_fr(self.fc(x))
        if self.skip <= 16:
            score = self.up_fr(score) + self.score_pool4(feats[3])
        if self.skip == 8:
            score = self.up_pool4(score) + self.score_pool3(feats[2])
        return self.up_final(score)

    def divisibility(self):
        return pooling_product(self.pools)

    def card_network(self):
        return {"depth": len(self.pools), "baseWidth": self.base, "skip": self.skip,
                "convs": "FCN-%ds: VGG-16 backbone (2/2/3/3/3 zero-padded 3x3 convs + BatchNorm + ReLU per block, widths "
                         "w/2w/4w/8w/8w, max pooling), fc6 (7x7 conv) and fc7 (1x1) at 16w with dropout, 1x1 class "
                         "scores%s, transposed convs initialised as bilinear upsampling; trained from scratch"
                         % (self.skip, {32: "", 16: " fused with pool4's", 8: " fused with pool4's and pool3's"}[self.skip])}


def fcn32s(dims=2, in_channels=1, classes=2, base=8, pools=None):
    return FCN(dims, in_channels, classes, base, pools, 32)


def fcn16s(dims=2, in_channels=1, classes=2, base=8, pools=None):
    return FCN(dims, in_channels, classes, base, pools, 16)


def fcn8s(dims=2, in_channels=1, classes=2, base=8, pools=None):
    return FCN(dims, in_channels, classes, base, pools, 8)
