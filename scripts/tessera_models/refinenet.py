"""RefineNet (Lin, Milan, Shen and Reid 2017, "RefineNet: Multi-Path Refinement Networks for High-Resolution Semantic
Segmentation", CVPR) for 2D and 3D, the 4-cascaded form, trained from scratch.

    encoder      ResNet-18 layout: 7x7 stride-2 conv + BatchNorm + ReLU, 3x3 stride-2 max pooling, four stages of two
                 basic residual blocks at widths w, 2w, 4w, 8w and strides 1/4, 1/8, 1/16, 1/32
    RefineNet-m  m = 4 (on the 1/32 stage alone), then 3, 2, 1 (each on its stage and the previous RefineNet's
                 output); paths 2F wide for RefineNet-4 and F for the others (the paper: 512 and 256), no BatchNorm:
      RCU        residual conv unit: ReLU, 3x3 conv, ReLU, 3x3 conv, + the input; two per input path
      fusion     multi-resolution fusion: a 3x3 conv per path to the smallest width (F), bilinear upsampling to the
                 finest path, sum (RefineNet-4, with one path, has none)
      CRP        chained residual pooling: ReLU, then two chained blocks (as in the paper) of 5x5 max pooling
                 with stride 1 + 3x3 conv, each block's output added to the path
      output     one more RCU
    head         two RCUs and a 1x1 conv to the class scores at 1/4 resolution, bilinear upsampling x4 to the input

Differences from the paper, and why:
- No ImageNet weights can be had here: trained from scratch. ResNet-18 (2, 2, 2, 2 basic blocks) instead of
  ResNet-101/152, w = 8 in 2D and 4 in 3D, F = 2w: a parameter count like the comparison's other rows.
- Each encoder stage's output reaches its path width through a 3x3 conv before the RCUs (the paper gives the
  widths, not where they change).
- "Same" zero padding and bilinear resampling with half-pixel centres (align_corners=False): every operation
  commutes with shifts by the divisibility, so halo tiles equal whole-image inference.
- 3D: per-axis strides for the five downsamplings (stem, max pooling, stages 2-4; anisotropic volumes keep their
  coarse axis, as in CE-Net), and the upsampling factors follow them axis by axis.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .cenet import ResNetEncoded, _nn
from .unet import pooling_product

BLOCKS = (2, 2, 2, 2)  # ResNet-18
CRP_BLOCKS = 2


def upsample(x, factors):
    """Bilinear (trilinear in 3D) upsampling by an integer factor per spatial axis, half-pixel centres."""
    if all(f == 1 for f in factors):
        return x
    return F.interpolate(x, scale_factor=[float(f) for f in factors],
                         mode="bilinear" if x.dim() == 4 else "trilinear", align_corners=False)


class RCU(nn.Module):
    def __init__(self, dims, c):
        super().__init__()
        conv, _, _ = _nn(dims)
        self.conv1, self.conv2 = conv(c, c, 3, padding=1), conv(c, c, 3, padding=1)

    def forward(self, x):
        return x + self.conv2(torch.relu(self.conv1(torch.relu(x))))


class ChainedResidualPooling(nn.Module):
    def __init__(self, dims, c):
        super().__init__()
        conv, _, _ = _nn(dims)
        self.pool = (nn.MaxPool2d if dims == 2 else nn.MaxPool3d)(5, 1, 2)
        self.convs = nn.ModuleList([conv(c, c, 3, padding=1) for _ in range(CRP_BLOCKS)])

    def forward(self, x):
        x = path = torch.relu(x)
        for conv in self.convs:
            path = conv(self.pool(path))
            x = x + path
        return x


class RefineNetBlock(nn.Module):
    """inputs: the widths of the input paths, finest first; factors: per coarser path, its upsampling factor per
    axis to the finest path's grid."""

    def __init__(self, dims, inputs, factors=()):
        super().__init__()
        conv, _, _ = _nn(dims)
        self.factors = [(1,) * dims] + [tuple(f) for f in factors]
        self.width = width = min(inputs)
        self.rcus = nn.ModuleList([nn.Sequential(RCU(dims, c), RCU(dims, c)) for c in inputs])
        self.fuse = nn.ModuleList([conv(c, width, 3, padding=1) for c in inputs] if len(inputs) > 1 else [])
        self.crp = ChainedResidualPooling(dims, width)
        self.out = RCU(dims, width)

    def forward(self, *paths):
        paths = [rcu(p) for rcu, p in zip(self.rcus, paths)]
        if self.fuse:
            x = sum(upsample(conv(p), f) for conv, p, f in zip(self.fuse, paths, self.factors))
        else:
            x = paths[0]
        return self.out(self.crp(x))


class RefineNet(ResNetEncoded):
    """pools: the five downsampling strides (stem conv, max pooling, stages 2, 3, 4), each per tensor axis;
    base: the first encoder width w (the paper's ResNet: 64 before its bottleneck expansion)."""

    def __init__(self, dims=2, in_channels=1, classes=2, base=8, pools=None):
        super().__init__(dims, in_channels, base, pools, BLOCKS)
        pools = self.pools
        conv, _, _ = _nn(dims)
        f = 2 * base
        paths = [f, f, f, 2 * f]  # stages 1..4
        self.adapt = nn.ModuleList([conv(base * 2 ** i, c, 3, padding=1, bias=False) for i, c in enumerate(paths)])
        # RefineNet-4 on stage 4 alone, then RefineNet-3, -2, -1: stage 3, 2, 1 fused with the previous block's
        # output, which is coarser by the stride of stage 4, 3, 2 (pools[4], pools[3], pools[2]).
        self.refine = nn.ModuleList([RefineNetBlock(dims, [paths[3]])])
        for stage in (2, 1, 0):
            self.refine.append(RefineNetBlock(dims, [paths[stage], self.refine[-1].width], [pools[stage + 2]]))
        self.head = nn.Sequential(RCU(dims, f), RCU(dims, f), conv(f, classes, 1))

    def forward(self, x):
        feats = [adapt(f) for adapt, f in zip(self.adapt, self.encode(x))]
        x = self.refine[0](feats[3])
        for block, feat in zip(self.refine[1:], reversed(feats[:3])):
            x = block(feat, x)
        return upsample(self.head(x), pooling_product(self.pools[:2]))

    def card_network(self):
        mode = "bilinear" if self.dims == 2 else "trilinear"
        return {"depth": len(self.pools), "baseWidth": self.base, "blocks": list(BLOCKS),
                "refineWidths": [2 * self.base, 4 * self.base],
                "convs": "RefineNet, 4-cascaded: ResNet-18 encoder (7x7 stride-2 stem, 3x3 stride-2 max pooling, "
                         "2/2/2/2 basic residual blocks, widths w/2w/4w/8w, BatchNorm), a 3x3 conv per stage to the "
                         "path width (4w for RefineNet-4, 2w for the others), RefineNet blocks without BatchNorm (two "
                         "residual conv units per path, multi-resolution fusion by 3x3 convs, %s upsampling and sum, "
                         "chained residual pooling with %d blocks of 5x5 stride-1 max pooling + 3x3 conv, an output "
                         "RCU), two RCUs and a 1x1 conv to the class scores at 1/4 resolution, %s upsampling to the "
                         "input; trained from scratch" % (mode, CRP_BLOCKS, mode)}
