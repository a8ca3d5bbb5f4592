"""SegNet (Badrinarayanan, Kendall and Cipolla 2017, "SegNet: A Deep Convolutional Encoder-Decoder Architecture for
Image Segmentation", IEEE TPAMI 39(12)) and DeconvNet (Noh, Hong and Han 2015, "Learning Deconvolution Network
for Semantic Segmentation", ICCV) for 2D and 3D, trained from scratch. Both decode with max unpooling: the
encoder's max pooling keeps where each window's maximum was, and the mirrored decoder puts every value back at
that position (zeros elsewhere) before its convolutions densify the sparse map.

    encoder    (both) VGG-16: blocks of 2, 2, 3, 3, 3 zero-padded 3x3 convs + BatchNorm + ReLU at widths
               w, 2w, 4w, 8w, 8w, each closed by 2x2 max pooling that keeps its indices (total stride 32)
    SegNet     decoder, deepest block first: max unpooling with that block's indices, then the block's convs
               mirrored (3x3, widths reversed, BatchNorm + ReLU); the mirror of the very first conv is the
               classifier: a 3x3 conv to the class logits (the soft-max input), as in the authors' Caffe model
    DeconvNet  fc6 as a 7x7 conv and fc7 as a 1x1 conv at 16w channels (the paper: 4096), deconv-fc6 as a 7x7
               transposed conv back to 8w; then, deepest block first: unpooling with that block's indices and
               the block mirrored as 3x3 stride-1 transposed convs ("deconvolution" layers; the first block's
               mirror keeps w channels); BatchNorm + ReLU after every one of these layers (the paper), then a
               1x1 conv to the class scores

Differences from the papers, and why:
- Trained from scratch: no ImageNet VGG-16 weights for the encoder can be had here. Width w = 8 in 2D and 4 in
  3D instead of 64 (DeconvNet's fc layers 16w instead of 4096), so the networks train in minutes on a CPU.
- DeconvNet's fc6 and deconv-fc6 use "same" zero padding (3) instead of none. In the paper fc6 turns the 7x7
  pool5 map of a 224x224 object proposal into 1x1 and deconv-fc6 expands it back, so the network only takes
  224x224 inputs (it segments proposals and aggregates them). With "same" padding the map keeps its size: any
  multiple of 32 is accepted, every layer stays translation-equivariant, and halo tiles equal whole-image
  inference; on a 7x7 map the centre output sees the same 7x7 window as the paper's.
- DeconvNet without its proposal machinery (instance-wise two-stage training, proposal aggregation, the
  ensemble with FCN and the CRF): it is applied to whole tiles like every other network here.
- 3D: per-axis pooling (anisotropic volumes keep their coarse axis), mirrored by the unpooling; DeconvNet's
  fc6 / deconv-fc6 are 7 wide along the axes pooled by 32 and 3 wide along the others (as FCN's fc6).
"""
import torch.nn as nn

from .fcn import BLOCKS, conv_bn_relu, fc6_kernel
from .unet import _ops, five_strides, pooling_product


class UnpoolingNet(nn.Module):
    """The part SegNet and DeconvNet share: the VGG-16-BN encoder whose poolings keep their indices, and a decoder
    that unpools with them, deepest block first. Subclasses set middle (between pool5 and the first unpooling),
    decoder (one module per block, deepest first) and head."""

    def __init__(self, dims, in_channels, base, pools):
        super().__init__()
        pools = five_strides(dims, pools)
        _, _, maxpool, _ = _ops(dims)
        unpool = {2: nn.MaxUnpool2d, 3: nn.MaxUnpool3d}[dims]
        self.dims, self.pools, self.in_channels, self.base = dims, pools, in_channels, base
        self.widths = [base, 2 * base, 4 * base, 8 * base, 8 * base]
        self.block_inputs = [in_channels] + self.widths[:4]
        self.encoder = nn.ModuleList(nn.Sequential(*conv_bn_relu(dims, [cin] + [w] * n))
                                     for n, cin, w in zip(BLOCKS, self.block_inputs, self.widths))
        self.pool = nn.ModuleList(maxpool(p, p, return_indices=True) for p in pools)
        self.unpool = nn.ModuleList(unpool(p, p) for p in reversed(pools))

    def mirrored(self):
        """Per block, deepest first: its conv widths in reverse (the first block's end at the input's width)."""
        return [[self.widths[b]] * BLOCKS[b] + [self.block_inputs[b]] for b in reversed(range(5))]

    def forward(self, x):
        indices = []
        for block, pool in zip(self.encoder, self.pool):
            x, i = pool(block(x))
            indices.append(i)
        x = self.middle(x)
        for unpool, block, i in zip(self.unpool, self.decoder, reversed(indices)):
            x = block(unpool(x, i))
        return self.head(x)

    def divisibility(self):
        return pooling_product(self.pools)


class SegNet(UnpoolingNet):
    """pools: the five 2x2(x2) pooling kernels per tensor axis; base: the first block's width w (VGG-16: 64)."""

    def __init__(self, dims=2, in_channels=1, classes=2, base=8, pools=None):
        super().__init__(dims, in_channels, base, pools)
        conv, _, _, _ = _ops(dims)
        self.middle = nn.Identity()
        widths = self.mirrored()
        widths[-1].pop()  # the mirror of the very first conv is the classifier: w -> classes, no BatchNorm or ReLU
        self.decoder = nn.ModuleList(nn.Sequential(*conv_bn_relu(dims, w)) for w in widths)
        self.head = conv(base, classes, 3, padding=1)

    def card_network(self):
        return {"depth": len(self.pools), "baseWidth": self.base,
                "convs": "SegNet: VGG-16 encoder (2/2/3/3/3 zero-padded 3x3 convs + BatchNorm + ReLU per block, widths "
                         "w/2w/4w/8w/8w, max pooling that keeps its indices), mirrored decoder (per block: max "
                         "unpooling with that block's indices, the block's 3x3 convs in reverse + BatchNorm + ReLU), "
                         "3x3 conv to the class logits; trained from scratch"}


class DeconvNet(UnpoolingNet):
    """pools: the five 2x2(x2) pooling kernels per tensor axis; base: the first block's width w (VGG-16: 64)."""

    def __init__(self, dims=2, in_channels=1, classes=2, base=8, pools=None):
        super().__init__(dims, in_channels, base, pools)
        conv, bn, _, convt = _ops(dims)
        k6 = fc6_kernel(self.pools)
        pad = tuple(k // 2 for k in k6)
        fc, top = 16 * base, self.widths[4]
        self.middle = nn.Sequential(
            conv(top, fc, k6, padding=pad, bias=False), bn(fc), nn.ReLU(inplace=True),       # fc6
            conv(fc, fc, 1, bias=False), bn(fc), nn.ReLU(inplace=True),                      # fc7
            convt(fc, top, k6, padding=pad, bias=False), bn(top), nn.ReLU(inplace=True))     # deconv-fc6
        widths = self.mirrored()
        widths[-1][-1] = base  # deconv1_2 keeps w channels; the 1x1 class scores follow
        self.decoder = nn.ModuleList(nn.Sequential(*conv_bn_relu(dims, w, transposed=True)) for w in widths)
        self.head = conv(base, classes, 1)

    def card_network(self):
        return {"depth": len(self.pools), "baseWidth": self.base,
                "convs": "DeconvNet: VGG-16 conv network (2/2/3/3/3 zero-padded 3x3 convs + BatchNorm + ReLU per "
                         "block, widths w/2w/4w/8w/8w, max pooling that keeps its indices), fc6 (7x7 conv, zero "
                         "'same' padding) and fc7 (1x1) at 16w, deconv-fc6 (7x7 transposed conv), then per block "
                         "mirrored: max unpooling with its indices and 3x3 stride-1 transposed convs, BatchNorm + "
                         "ReLU after every layer, 1x1 class scores; trained from scratch"}
