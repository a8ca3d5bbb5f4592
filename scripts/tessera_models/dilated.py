"""The dilated-convolution network of Yu and Koltun 2016 ("Multi-Scale Context Aggregation by Dilated Convolutions",
ICLR): the front end (VGG-16 adapted to dense prediction) followed by the context module, for 2D and 3D, trained
from scratch.

    front end  VGG-16 conv1..conv5 (2, 2, 3, 3, 3 zero-padded 3x3 convs + BatchNorm + ReLU at widths w, 2w, 4w, 8w,
               8w) with pool1..pool3 (output stride 8) and without pool4 and pool5: each conv after a removed
               pooling is dilated by that pooling's stride, conv5 by 2 and fc6 (a 7x7 conv to 16w channels) by 4;
               fc7 a 1x1 conv at 16w; ReLU and dropout after fc6 and fc7; a 1x1 conv to the C class scores
    context    the paper's Table 1, large form: 3x3 convs with dilations 1, 1, 2, 4, 8, 16, 1 to 2C, 2C, 4C, 8C, 16C,
               32C, 32C channels, each followed by ReLU, then a 1x1 conv to C; identity-initialised as in the paper
               (weight C / c_out from input channel a to output channel b at the centre tap where floor(a C / c_in)
               = floor(b C / c_out), Gaussian noise with sigma = C / c_out / 100 everywhere, zero biases), so at
               the start the module about passes the front end's scores through (their positive part: ReLU)
    output     bilinear upsampling x8 (of the scores) to the input

Differences from the paper, and why:
- BatchNorm after every front-end conv (as FCN here): without ImageNet weights, 13 plain VGG convs do not
  train from scratch in the comparison's budget. The paper trains the front end (pretrained VGG-16) first and the
  context module afterwards; here both train together from the start, from random weights.
- "Same" zero padding instead of the paper's unpadded feature maps and reflection-padded input, so any multiple of
  the divisibility (8) works and halo tiles equal whole-image inference.
- The large context module, not the basic one: with C = 2 or 3 classes the basic module (C channels throughout)
  would have a few hundred parameters.
- Width w = 8 in 2D, 4 in 3D (the paper: 64).
- 3D, per axis: the network takes the five VGG poolings of the data set's plan (pools); pool1..pool3 pool, and
  pool4 / pool5 are replaced by dilation along each axis by their own strides along it (an axis they do not
  stride is not dilated), so every front-end layer sees along every axis what it would see in the pooled VGG-16.
  fc6 is 7 wide along the axes pooled most (by 32 in the plan) and 3 wide along the others, as in FCN. The context
  module's dilations along an axis are scaled by that axis' total pooling in the plan relative to the most-pooled
  axis (at least 1): the plan pools a coarse or short axis less, and doubling its dilation up to 16 would reach far
  beyond the volume (spleen-ct-3d patches are 12 slices deep) and read zero padding. nuclei-3d (z pooled 4 of 32):
  z dilations 1, 1, 1, 1, 1, 2, 1; spleen-ct-3d (2 of 32): 1 throughout.
"""
import torch
import torch.nn as nn

from .fcn import BLOCKS
from .refinenet import upsample
from .unet import _ops, five_strides, pooling_product

CONTEXT_DILATIONS = (1, 1, 2, 4, 8, 16, 1)
CONTEXT_CHANNELS = (2, 2, 4, 8, 16, 32, 32)  # times C, the large module


def identity_init(conv, classes):
    """The paper's identity initialisation of a context-module layer (its equation for the large module)."""
    cout, cin = conv.weight.shape[:2]
    value = classes / cout
    with torch.no_grad():
        conv.weight.normal_(0, value / 100)
        centre = tuple(k // 2 for k in conv.weight.shape[2:])
        for b in range(cout):
            for a in range(cin):
                if a * classes // cin == b * classes // cout:
                    conv.weight[(b, a) + centre] = value
        conv.bias.zero_()


class DilatedNet(nn.Module):
    """pools: the five VGG-16 poolings of the plan, per tensor axis; the first three pool, the last two become
    dilation. base: the first block's width w (VGG-16: 64)."""

    def __init__(self, dims=2, in_channels=1, classes=2, base=8, pools=None):
        super().__init__()
        pools = five_strides(dims, pools)
        conv, bn, maxpool, _ = _ops(dims)
        self.dims, self.pools, self.in_channels, self.base = dims, pools, in_channels, base
        widths = [base, 2 * base, 4 * base, 8 * base, 8 * base]
        # Per block: the dilation standing in for the removed poolings before it (pool4 before conv5).
        dilations = [(1,) * dims] * 4 + [pools[3]]
        layers, cin = [], in_channels
        for i, (n, w, d) in enumerate(zip(BLOCKS, widths, dilations)):
            for _ in range(n):
                layers += [conv(cin, w, 3, padding=d, dilation=d, bias=False), bn(w), nn.ReLU(inplace=True)]
                cin = w
            if i < 3:
                layers.append(maxpool(pools[i], pools[i]))
        total = pooling_product(pools)
        k6 = tuple(7 if t == max(total) else 3 for t in total)
        d6 = pooling_product(pools[3:])
        fc = 16 * base
        self.front = nn.Sequential(
            *layers,
            conv(cin, fc, k6, padding=tuple(k // 2 * d for k, d in zip(k6, d6)), dilation=d6),
            nn.ReLU(inplace=True), nn.Dropout(0.5),
            conv(fc, fc, 1), nn.ReLU(inplace=True), nn.Dropout(0.5),
            conv(fc, classes, 1))
        context, cin = [], classes
        for d, c in zip(CONTEXT_DILATIONS, CONTEXT_CHANNELS):
            d = tuple(max(1, d * t // max(total)) for t in total)
            context += [conv(cin, c * classes, 3, padding=d, dilation=d), nn.ReLU(inplace=True)]
            cin = c * classes
        context.append(conv(cin, classes, 1))
        for m in context:
            if isinstance(m, nn.modules.conv._ConvNd):
                identity_init(m, classes)
        self.context = nn.Sequential(*context)

    def forward(self, x):
        return upsample(self.context(self.front(x)), self.divisibility())

    def divisibility(self):
        return pooling_product(self.pools[:3])

    def card_network(self):
        context = [m.dilation[::-1] for m in self.context if isinstance(m, nn.modules.conv._ConvNd)][:-1]
        return {"depth": len(self.pools), "poolingsAsDilation": 2, "baseWidth": self.base,
                "contextDilations": [list(d) for d in context],
                "convs": "Dilated convolutions (Yu and Koltun 2016): VGG-16 front end (2/2/3/3/3 zero-padded 3x3 "
                         "convs + BatchNorm + ReLU, widths w/2w/4w/8w/8w, pool1-pool3 only; conv5 dilated by pool4's "
                         "stride, fc6 (7x7 conv at 16w) by pool4's and pool5's, fc7 1x1, dropout), 1x1 class scores, "
                         "the large context module (3x3 convs with dilations 1/1/2/4/8/16/1 at 2C..32C channels + "
                         "ReLU, 1x1 to C; identity-initialised), %s upsampling to the input; trained from scratch"
                         % ("bilinear" if self.dims == 2 else "trilinear")}
