"""nnU-Net's PlainConvUNet (dynamic-network-architectures) built from a plans.json configuration.

Encoder stage s: n_conv_per_stage[s] x (conv kernel_sizes[s], zero padding (k-1)//2, bias conv_bias ->
InstanceNorm(eps 1e-5, affine) -> LeakyReLU(0.01)); the first conv of the stage has stride strides[s]
(strided-conv downsampling, no pooling). Decoder stage s (from the bottom up): transposed conv (kernel =
stride = the encoder stride of the stage below) to the skip's width, concatenation [upsampled, skip],
n_conv_per_stage_decoder convs with the skip stage's kernel, and a 1x1 conv head (bias) per decoder stage.
Training returns every head's logits, full resolution first (deep supervision); export returns only the
full-resolution logits.
"""
import torch
from torch import nn


def arch_from_config(config):
    """arch kwargs (n_stages, features_per_stage, dims, kernel_sizes, strides, n_conv_per_stage,
    n_conv_per_stage_decoder, conv_bias) from a v2 configuration or an older one (pool_op_kernel_sizes,
    conv_kernel_sizes, UNet_base_num_features)."""
    if "architecture" in config:
        a = config["architecture"]["arch_kwargs"]
        dims = 3 if "3d" in a["conv_op"].lower() else 2
        return dict(n_stages=a["n_stages"], features_per_stage=list(a["features_per_stage"]), dims=dims,
                    kernel_sizes=[list(k) for k in a["kernel_sizes"]], strides=[list(s) for s in a["strides"]],
                    n_conv_per_stage=list(a["n_conv_per_stage"]),
                    n_conv_per_stage_decoder=list(a["n_conv_per_stage_decoder"]),
                    conv_bias=bool(a.get("conv_bias", True)))
    pools = [list(p) for p in config["pool_op_kernel_sizes"]]
    if any(x != 1 for x in pools[0]):
        pools = [[1] * len(pools[0])] + pools
    kernels = [list(k) for k in config["conv_kernel_sizes"]]
    n = len(kernels)
    base = config.get("UNet_base_num_features", 32)
    fmax = config.get("unet_max_num_features", 320 if len(kernels[0]) == 3 else 512)
    return dict(n_stages=n, features_per_stage=[min(base * 2 ** s, fmax) for s in range(n)], dims=len(kernels[0]),
                kernel_sizes=kernels, strides=pools[:n], n_conv_per_stage=[2] * n,
                n_conv_per_stage_decoder=[2] * (n - 1), conv_bias=True)


def stage_outputs(stages, x):
    """Every encoder stage's output, finest first: the skips, the last one also the decoder's input."""
    outputs = []
    for stage in stages:
        x = stage(x)
        outputs.append(x)
    return outputs


class ConvNormAct(nn.Sequential):
    def __init__(self, dims, cin, cout, kernel, stride, bias):
        conv = nn.Conv3d if dims == 3 else nn.Conv2d
        norm = nn.InstanceNorm3d if dims == 3 else nn.InstanceNorm2d
        super().__init__(conv(cin, cout, kernel, stride, [(k - 1) // 2 for k in kernel], bias=bias),
                         norm(cout, eps=1e-5, affine=True), nn.LeakyReLU(0.01, inplace=True))


def stacked(dims, n, cin, cout, kernel, stride, bias):
    return nn.Sequential(*[ConvNormAct(dims, cin if i == 0 else cout, cout, kernel, stride if i == 0 else 1, bias)
                           for i in range(n)])


class PlainConvUNet(nn.Module):
    def __init__(self, in_channels, num_classes, n_stages, features_per_stage, dims, kernel_sizes, strides,
                 n_conv_per_stage, n_conv_per_stage_decoder, conv_bias=True, deep_supervision=True):
        super().__init__()
        self.dims, self.strides, self.deep_supervision = dims, strides, deep_supervision
        f = features_per_stage
        self.encoder = nn.ModuleList()
        cin = in_channels
        for s in range(n_stages):
            self.encoder.append(stacked(dims, n_conv_per_stage[s], cin, f[s], kernel_sizes[s], strides[s], conv_bias))
            cin = f[s]
        tconv = nn.ConvTranspose3d if dims == 3 else nn.ConvTranspose2d
        conv = nn.Conv3d if dims == 3 else nn.Conv2d
        self.up, self.decoder, self.heads = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        for i in range(1, n_stages):  # i-th decoder stage joins encoder stage n_stages-1-i
            below, skip = f[-i], f[-(i + 1)]
            st = strides[-i]
            self.up.append(tconv(below, skip, st, st, bias=conv_bias))
            self.decoder.append(stacked(dims, n_conv_per_stage_decoder[i - 1], 2 * skip, skip,
                                        kernel_sizes[-(i + 1)], 1, conv_bias))
            self.heads.append(conv(skip, num_classes, 1, 1, 0, bias=True))
        self.apply(self._init)

    @staticmethod
    def _init(m):  # nnU-Net InitWeights_He(1e-2)
        if isinstance(m, (nn.Conv2d, nn.Conv3d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
            nn.init.kaiming_normal_(m.weight, a=1e-2)
            if m.bias is not None:
                nn.init.zeros_(m.bias)

    def divisibility(self):
        d = [1] * self.dims
        for s in self.strides:
            d = [a * b for a, b in zip(d, s)]
        return d

    def forward(self, x):
        skips = stage_outputs(self.encoder, x)
        x = skips[-1]
        outs = []
        n = len(self.decoder)
        for i in range(n):
            x = self.up[i](x)
            x = torch.cat((x, skips[-(i + 2)]), 1)
            x = self.decoder[i](x)
            if self.deep_supervision:
                outs.append(self.heads[i](x))
            elif i == n - 1:
                outs.append(self.heads[-1](x))
        outs = outs[::-1]
        return outs if self.deep_supervision else outs[0]


def build(config, in_channels, num_classes, deep_supervision=True):
    return PlainConvUNet(in_channels, num_classes, deep_supervision=deep_supervision, **arch_from_config(config))
