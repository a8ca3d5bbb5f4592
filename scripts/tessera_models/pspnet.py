"""PSPNet (Zhao, Shi, Qi, Wang and Jia 2017, "Pyramid Scene Parsing Network", CVPR) for 2D, trained from scratch.

    encoder  a dilated ResNet (dilated_resnet.py) with output stride 8: layers 3 and 4 dilated by 2 and 4
    pyramid  pooling module: the encoder output (C channels) average-pooled into 1x1, 2x2, 3x3 and 6x6 bins, each
             reduced by a 1x1 conv (+ BatchNorm + ReLU) to C/4 channels, upsampled bilinearly back to the
             feature grid and concatenated with the features (2C channels)
    head     3x3 conv (C channels) + BatchNorm + ReLU, dropout 0.1, 1x1 conv to the class logits, bilinear
             upsampling by 8 to the input

The bins divide the whole input into 1, 2, 3 and 6 parts per axis, so the output at a pixel depends on the
whole tile and on where the tile's borders are: the network is exported for one fixed tile size (the card's
fixedInputSize), whose feature grid (tile / 8) must be a multiple of 6 so that every bin covers whole cells.

Differences from the paper, and why:
- Encoder: a ResNet-18 layout at width w (not the ImageNet-pretrained, deep-stem ResNet-50/101); nothing
  pretrained can be had here and the comparison trains every row from scratch at a similar size.
- No auxiliary loss on layer 3 (the paper's deep supervision, weight 0.4): no other row of the comparison has
  one at this budget.
- 2D only: the bins need feature grids that are multiples of 6 along every axis, which the anisotropic 3D
  training patches (12 or 32 slices) do not give at output stride 8.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .cenet import _nn
from .dilated_resnet import DilatedResNet
from .unet import five_strides

BINS = (1, 2, 3, 6)
OUTPUT_STRIDE_TILE = 8 * 6  # a tile must be a multiple of this: feature grid (tile / 8) divisible by every bin


def fixed_tile(size):
    """The multiple of OUTPUT_STRIDE_TILE nearest to a preferred tile size (ties go up)."""
    return max(OUTPUT_STRIDE_TILE, int(size / OUTPUT_STRIDE_TILE + 0.5) * OUTPUT_STRIDE_TILE)


class PyramidPooling(nn.Module):
    def __init__(self, c):
        super().__init__()
        conv, bn, _ = _nn(2)
        self.stages = nn.ModuleList(nn.Sequential(conv(c, c // 4, 1, bias=False), bn(c // 4), nn.ReLU(inplace=True))
                                    for _ in BINS)

    def forward(self, x):
        out = [x]
        size = x.shape[2:]
        for b, stage in zip(BINS, self.stages):
            y = stage(F.adaptive_avg_pool2d(x, b))
            if all(int(s) % b == 0 for s in size):
                # whole cells (always at the exported tile size): constant scales keep shape arithmetic out of the
                # ONNX graph; the same interpolation as by size
                y = F.interpolate(y, scale_factor=[float(int(s) // b) for s in size], mode="bilinear",
                                  align_corners=False)
            else:
                y = F.interpolate(y, size=size, mode="bilinear", align_corners=False)
            out.append(y)
        return torch.cat(out, 1)


class PSPNet(nn.Module):
    """pools: the encoder's five ResNet strides (the last two become dilations); base: w (the paper's ResNet: 64);
    patch: the training patch, which is also the one tile size it is exported for (fixed_input)."""

    def __init__(self, dims=2, in_channels=1, classes=2, base=8, pools=None, patch=None):
        super().__init__()
        assert dims == 2, "PSPNet is 2D here (see the module docstring)"
        self.fixed_input = [fixed_tile(p) for p in (patch or (192, 192))]
        self.dims, self.pools, self.in_channels, self.base = dims, five_strides(dims, pools), in_channels, base
        conv, bn, _ = _nn(dims)
        self.encoder = DilatedResNet(dims, in_channels, base, self.pools, strided=3)
        assert list(self.encoder.output_stride) == [8, 8], self.encoder.output_stride
        c = self.encoder.widths[-1]
        self.pyramid = PyramidPooling(c)
        self.head = nn.Sequential(conv(2 * c, c, 3, padding=1, bias=False), bn(c), nn.ReLU(inplace=True),
                                  nn.Dropout(0.1), conv(c, classes, 1))

    def forward(self, x):
        _, x = self.encoder(x)
        x = self.head(self.pyramid(x))
        return F.interpolate(x, scale_factor=[8.0, 8.0], mode="bilinear", align_corners=False)

    def divisibility(self):
        return (OUTPUT_STRIDE_TILE,) * self.dims

    def card_network(self):
        return {"depth": len(self.pools), "baseWidth": self.base, "outputStride": [8, 8], "bins": list(BINS),
                "convs": "PSPNet: dilated ResNet-18 encoder (7x7 stride-2 stem, max pooling, 2/2/2/2 basic residual "
                         "blocks at w/2w/4w/8w, layers 3 and 4 dilated by 2 and 4: output stride 8), pyramid pooling "
                         "(1/2/3/6 bins, 1x1 conv to 2w each + BatchNorm + ReLU, bilinear back, concatenated), 3x3 "
                         "conv + BatchNorm + ReLU, dropout 0.1, 1x1 logits, x8 bilinear; fixed tile size; trained from "
                         "scratch"}
