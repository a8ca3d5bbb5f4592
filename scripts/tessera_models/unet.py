"""A plain U-Net for 2D and 3D with per-level pooling kernels (for anisotropic 3D).

BatchNorm (not InstanceNorm): in eval mode it is a fixed affine map, so a tile's output does
not depend on the tile's own statistics and tiled inference can equal whole-image inference.
"""
import torch
import torch.nn as nn


def _ops(dims):
    if dims == 2:
        return nn.Conv2d, nn.BatchNorm2d, nn.MaxPool2d, nn.ConvTranspose2d
    if dims == 3:
        return nn.Conv3d, nn.BatchNorm3d, nn.MaxPool3d, nn.ConvTranspose3d
    raise ValueError("dims must be 2 or 3")


def pooling_product(pools):
    """Per tensor spatial axis: the product of the pooling kernels (or strides), the network's divisibility."""
    out = [1] * len(pools[0])
    for p in pools:
        out = [o * k for o, k in zip(out, p)]
    return out


def five_strides(dims, pools):
    """The five downsampling kernels (or strides) of the VGG/ResNet-style networks as tuples, per tensor axis, each
    1 or 2 (2 everywhere when none are given)."""
    pools = [tuple(p) for p in (pools or [(2,) * dims] * 5)]
    assert len(pools) == 5 and all(len(p) == dims and set(p) <= {1, 2} for p in pools), pools
    return pools


class DoubleConv(nn.Sequential):
    def __init__(self, dims, cin, cout):
        conv, bn, _, _ = _ops(dims)
        super().__init__(
            conv(cin, cout, 3, padding=1, bias=False), bn(cout), nn.ReLU(inplace=True),
            conv(cout, cout, 3, padding=1, bias=False), bn(cout), nn.ReLU(inplace=True))


def level_pools(dims, pools, depth):
    """One pooling kernel per level as tuples, in tensor axis order; 2 on every axis at `depth` levels if none."""
    pools = [tuple(p) for p in ([(2,) * dims] * depth if pools is None else pools)]
    assert all(len(p) == dims for p in pools), pools
    return pools


def unet_encoder(dims, in_channels, widths, pools):
    """The U-Net encoder: per level a DoubleConv and its max pooling, then the bottom DoubleConv (widths: one per
    level and the bottom's)."""
    conv_levels, poolings = nn.ModuleList(), nn.ModuleList()
    maxpool = _ops(dims)[2]
    cin = in_channels
    for i, p in enumerate(pools):
        conv_levels.append(DoubleConv(dims, cin, widths[i]))
        poolings.append(maxpool(p, p))
        cin = widths[i]
    return conv_levels, poolings, DoubleConv(dims, widths[-2], widths[-1])


def run_encoder(conv_levels, poolings, bottom, x):
    """The bottom block's output and every level's output before its pooling (the skips, finest first)."""
    skips = []
    for level, pool in zip(conv_levels, poolings):
        x = level(x)
        skips.append(x)
        x = pool(x)
    return bottom(x), skips


class UNet(nn.Module):
    """pools: one kernel per pooling level, in tensor axis order ((z,) y, x); len(pools) = depth."""

    def __init__(self, dims=2, in_channels=1, classes=2, base=16, pools=None, depth=3):
        super().__init__()
        pools = level_pools(dims, pools, depth)
        self.dims, self.pools = dims, pools
        conv, _, _, up = _ops(dims)
        widths = [base * 2 ** i for i in range(len(pools) + 1)]
        self.down, self.pool, self.bottom = unet_encoder(dims, in_channels, widths, pools)
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for i in reversed(range(len(pools))):
            self.up.append(up(widths[i + 1], widths[i], pools[i], pools[i]))
            self.dec.append(DoubleConv(dims, 2 * widths[i], widths[i]))
        self.head = conv(widths[0], classes, 1)

    def forward(self, x):
        x, skips = run_encoder(self.down, self.pool, self.bottom, x)
        for u, d, s in zip(self.up, self.dec, reversed(skips)):
            x = d(torch.cat([u(x), s], 1))
        return self.head(x)

    def divisibility(self):
        return pooling_product(self.pools)

    def receptive_field(self):
        """Analytic receptive-field size per tensor spatial axis.

        Each 3-conv adds 2*stride voxels, each pooling (k-1)*stride; a transposed conv with
        kernel == stride maps every output voxel to one input voxel and adds nothing.
        """
        rf = []
        for a in range(self.dims):
            size, stride = 1, 1
            for p in self.pools:          # encoder level, then its pooling
                size += 2 * 2 * stride
                size += (p[a] - 1) * stride
                stride *= p[a]
            size += 2 * 2 * stride        # bottom
            for p in reversed(self.pools):
                stride //= p[a]
                size += 2 * 2 * stride    # decoder level
            rf.append(size)
        return rf
