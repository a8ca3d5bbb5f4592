"""FC-DenseNet, the "Tiramisu" (Jegou, Drozdzal, Vazquez, Romero and Bengio 2017, "The One Hundred Layers Tiramisu:
Fully Convolutional DenseNets for Semantic Segmentation", CVPR Workshops) for 2D and 3D. The paper trains from
scratch too; this is its FC-DenseNet56 layout (4 layers per dense block, five poolings) with a smaller growth rate.

    first conv    3x3 conv to 4k channels (the paper: 48 with growth rate k = 12)
    dense block   4 layers, each BatchNorm, ReLU, 3x3 conv to k channels, dropout 0.2; every layer's output is
                  concatenated to its input, so a block adds 4k channels
    down path     five times: a dense block, its whole output kept as the skip, then transition down (BatchNorm,
                  ReLU, 1x1 conv keeping the width, dropout 0.2, 2x2 max pooling)
    bottleneck    a dense block at the coarsest level; only its 4k new maps go up
    up path       five times: transition up (3x3 transposed conv with stride 2 on the 4k maps that go up, keeping
                  their number), concatenated with the skip, then a dense block; only its 4k new maps go up, so
                  the up path's widths do not grow with depth (the paper's point); the last block's whole output
                  feeds a 1x1 conv to the logits

Differences from the paper, and why:
- Growth rate k = base width (8 in 2D, 4 in 3D) instead of 12, the first conv 4k as the paper's 48 = 4 x 12: a
  parameter count like the comparison's other rows (about 0.6M in 2D).
- "Same" zero padding throughout; the transposed conv has padding 1 and output padding 1, so it doubles each axis
  exactly (the paper: a 'valid' transposed conv cropped to the skip's size), and any multiple of 32 works.
- 3D: per-axis pooling (anisotropic volumes keep their coarse axis); along an axis with stride 1 the max pooling
  has a 1-kernel and the transposed conv stride 1 (kernel 3, padding 1).
- The transposed convs have no bias: every path from them goes through a BatchNorm or the final 1x1 conv, which
  absorb a constant per channel.
- BatchNorm comes before each conv (pre-activation), so it cannot be folded into a conv: the exported graph keeps
  BatchNormalization nodes (eval mode: a fixed affine map per channel, so tiles still equal the whole image).
"""
import torch
import torch.nn as nn

from .cenet import _up
from .unet import _ops, five_strides, pooling_product

LAYERS = 4  # per dense block (FC-DenseNet56)
DROPOUT = 0.2


def _bn_relu_conv(dims, cin, cout, kernel):
    conv, bn, _, _ = _ops(dims)
    return [bn(cin), nn.ReLU(inplace=True), conv(cin, cout, kernel, padding=kernel // 2), nn.Dropout(DROPOUT)]


class DenseBlock(nn.Module):
    def __init__(self, dims, cin, growth, layers=LAYERS):
        super().__init__()
        self.layers = nn.ModuleList([nn.Sequential(*_bn_relu_conv(dims, cin + i * growth, growth, 3))
                                     for i in range(layers)])

    def forward(self, x):
        """Returns (the input with every new map concatenated, the new maps alone)."""
        new = []
        for layer in self.layers:
            y = layer(x)
            x = torch.cat([x, y], 1)
            new.append(y)
        return x, torch.cat(new, 1)


class FCDenseNet(nn.Module):
    """pools: the five 2x2(x2) pooling kernels of the transitions down, per tensor axis; base: the growth rate k."""

    def __init__(self, dims=2, in_channels=1, classes=2, base=8, pools=None):
        super().__init__()
        pools = five_strides(dims, pools)
        conv, _, maxpool, _ = _ops(dims)
        self.dims, self.pools, self.in_channels, self.base = dims, pools, in_channels, base
        self.growth = k = base
        c = 4 * k
        self.first = conv(in_channels, c, 3, padding=1)
        self.down, self.transitions_down, skips = nn.ModuleList(), nn.ModuleList(), []
        for p in pools:
            self.down.append(DenseBlock(dims, c, k))
            c += LAYERS * k
            skips.append(c)
            self.transitions_down.append(nn.Sequential(*_bn_relu_conv(dims, c, c, 1), maxpool(p, p)))
        self.bottleneck = DenseBlock(dims, c, k)
        self.transitions_up, self.up = nn.ModuleList(), nn.ModuleList()
        for p, skip in zip(reversed(pools), reversed(skips)):
            self.transitions_up.append(_up(dims, LAYERS * k, LAYERS * k, p, 3))
            self.up.append(DenseBlock(dims, LAYERS * k + skip, k))
        self.head = conv(skips[0] + 2 * LAYERS * k, classes, 1)

    def forward(self, x):
        x = self.first(x)
        skips = []
        for block, down in zip(self.down, self.transitions_down):
            x, _ = block(x)
            skips.append(x)
            x = down(x)
        _, x = self.bottleneck(x)
        for up, block, skip in zip(self.transitions_up, self.up, reversed(skips)):
            whole, x = block(torch.cat([up(x), skip], 1))
        return self.head(whole)

    def divisibility(self):
        return pooling_product(self.pools)

    def card_network(self):
        return {"depth": len(self.pools), "baseWidth": self.base, "growthRate": self.growth,
                "layersPerBlock": LAYERS,
                "convs": "FC-DenseNet (Tiramisu, FC-DenseNet56 layout with growth rate k = %d): 3x3 conv to 4k, "
                         "five dense blocks of %d layers (BatchNorm, ReLU, zero-padded 3x3 conv to k channels, "
                         "dropout 0.2, each output concatenated to the input) each followed by a transition down "
                         "(BatchNorm, ReLU, 1x1 conv, dropout, max pooling), a bottleneck dense block, five "
                         "transitions up (3x3 stride-2 transposed conv on the block's new maps) concatenated with "
                         "the skips and followed by dense blocks, 1x1 conv to the logits; BatchNorm before each "
                         "conv (kept as BatchNormalization in the graph); trained from scratch" % (self.growth, LAYERS)}
