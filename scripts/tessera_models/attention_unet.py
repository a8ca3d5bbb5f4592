"""Attention U-Net (Oktay et al. 2018, "Attention U-Net: Learning Where to Look for the Pancreas") for 2D
and 3D.

The encoder, decoder and heads are those of tessera_models.unet.UNet (two zero-padded 3x3(x3) conv +
BatchNorm + ReLU per level, max pooling with a kernel per level, transposed-conv up, 1x1 logits head). Every
skip connection passes through an additive attention gate before it is concatenated; the gating signal g is
the coarser decoder feature map (the bottom block for the deepest skip):

    q     = ReLU(W_x * x_l  +  W_g * g + b_g)   W_x: 1x1 conv with stride = the pooling kernel (no bias),
                                                  so W_x x_l lands on g's grid; W_g: 1x1 conv on g
    alpha = sigmoid(psi * q + b_psi)            psi: 1x1 conv to one channel
    x_hat = resample(alpha) . x_l               (bi/trilinear, to the skip's grid)

as in the paper's gate (its Fig. 2), with BatchNorm on nothing inside the gate. In eval mode every op is
local and shift-equivariant on the pooling grid, so halo-tiled inference equals whole-image inference.

return_attention=True makes forward() return (logits, alpha_1, ..., alpha_depth), alpha_1 at the finest
skip, each at its skip's resolution.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .unet import DoubleConv, _ops, level_pools, pooling_product, run_encoder, unet_encoder


class AttentionGate(nn.Module):
    def __init__(self, dims, x_channels, g_channels, inter_channels, stride):
        super().__init__()
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        self.dims, self.stride = dims, tuple(stride)
        self.theta_x = conv(x_channels, inter_channels, 1, stride=self.stride, bias=False)
        self.phi_g = conv(g_channels, inter_channels, 1, bias=True)
        self.psi = conv(inter_channels, 1, 1, bias=True)

    def forward(self, x, g):
        q = torch.relu(self.theta_x(x) + self.phi_g(g))
        alpha = torch.sigmoid(self.psi(q))
        mode = "bilinear" if self.dims == 2 else "trilinear"
        alpha = F.interpolate(alpha, scale_factor=[float(s) for s in self.stride], mode=mode,
                              align_corners=False)
        return x * alpha, alpha


class AttentionUNet(nn.Module):
    """pools: one kernel per pooling level, tensor axis order ((z,) y, x)."""

    arch = "attention-unet"

    def __init__(self, dims=2, in_channels=1, classes=2, base=16, pools=None, depth=3, return_attention=False):
        super().__init__()
        pools = level_pools(dims, pools, depth)
        self.dims, self.pools, self.in_channels, self.base = dims, pools, in_channels, base
        self.return_attention = return_attention
        conv, _, _, up = _ops(dims)
        widths = [base * 2 ** i for i in range(len(pools) + 1)]
        self.down, self.pool, self.bottom = unet_encoder(dims, in_channels, widths, pools)
        self.gate = nn.ModuleList()
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for i in reversed(range(len(pools))):
            self.gate.append(AttentionGate(dims, widths[i], widths[i + 1], max(widths[i] // 2, 1), pools[i]))
            self.up.append(up(widths[i + 1], widths[i], pools[i], pools[i]))
            self.dec.append(DoubleConv(dims, 2 * widths[i], widths[i]))
        self.head = conv(widths[0], classes, 1)

    def forward(self, x):
        x, skips = run_encoder(self.down, self.pool, self.bottom, x)
        alphas = []
        for gate, u, d, s in zip(self.gate, self.up, self.dec, reversed(skips)):
            s, a = gate(s, x)          # gating signal: the coarser decoder level
            alphas.append(a)
            x = d(torch.cat([u(x), s], 1))
        logits = self.head(x)
        if self.return_attention:
            return (logits,) + tuple(reversed(alphas))
        return logits

    def divisibility(self):
        return pooling_product(self.pools)

    def card_network(self):
        return {"depth": len(self.pools), "baseWidth": self.base,
                "convs": "U-Net levels: two 3x3 (3x3x3) zero-padded convs + BatchNorm + ReLU; max pooling; "
                         "transposed-conv up; each skip multiplied by an additive attention gate (W_x: strided "
                         "1x1 conv on the skip, W_g: 1x1 conv on the coarser decoder level, ReLU, psi: 1x1 conv, "
                         "sigmoid, %s resampling to the skip's grid) before concatenation; 1x1 head (logits)"
                         % ("bilinear" if self.dims == 2 else "trilinear"),
                "attentionGates": len(self.pools), "gateInterChannels": [g.psi.in_channels for g in self.gate][::-1]}
