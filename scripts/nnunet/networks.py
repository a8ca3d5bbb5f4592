"""nnU-Net v2's two U-Nets (MIC-DKFZ dynamic-network-architectures), PlainConvUNet and ResidualEncoderUNet,
built from a plans.json configuration, with exactly the module names of nnU-Net's checkpoints, so that a
trained nnU-Net `network_weights` state_dict loads strictly (README, "Trained nnU-Net folders").

Building blocks, as in dynamic-network-architectures:
- ConvNormNonlin: `conv` (kernel k, zero padding (k-1)//2, stride, bias conv_bias) -> optional `dropout` ->
  `norm` -> optional `nonlin`; the same modules again as `all_modules` (a Sequential), which is why a
  checkpoint holds every `X.conv.*` also as `X.all_modules.0.*` and every `X.norm.*` as `X.all_modules.1.*`.
- StackedConvs (`convs`): n ConvNormNonlin, the first one strided.
- PlainConvUNet encoder stage s: `encoder.stages.{s}.0` = StackedConvs(n_conv_per_stage[s]), first conv
  strided by strides[s] (strided-conv downsampling, no pooling).
- ResidualEncoderUNet encoder: `encoder.stem` = StackedConvs(1) to features[0], then stage s =
  `encoder.stages.{s}.blocks` = n_blocks_per_stage[s] basic blocks: `conv1` (strided in the first block) ->
  `conv2` (no nonlinearity) + `skip` -> nonlinearity. The first block's `skip` is, where the stride or the width
  changes, a Sequential of an average pooling (kernel = stride; no weights) and a 1x1 ConvNormNonlin without
  bias or nonlinearity (`skip.1.conv.weight`, `skip.1.norm.*` when both are there).
- Decoder (both nets): per stage from the bottom up `decoder.transpconvs.{s}` (kernel = stride = the encoder
  stride below), concatenation [upsampled, skip], `decoder.stages.{s}` = StackedConvs with the skip stage's
  kernel, and a 1x1 head `decoder.seg_layers.{s}` (bias). The decoder keeps a reference to the encoder, so its
  weights appear once more under `decoder.encoder.*`. Training returns every head's logits, full resolution
  first (deep supervision); with deep_supervision off only the full-resolution logits.
"""
import importlib

import torch
from torch import nn

PLAIN = "PlainConvUNet"
RESIDUAL = "ResidualEncoderUNet"
# nnU-Net names the class by its import path; these are the paths dynamic-network-architectures has used
KNOWN_CLASSES = {
    "dynamic_network_architectures.architectures.unet." + PLAIN: PLAIN,
    "dynamic_network_architectures.architectures.unet." + RESIDUAL: RESIDUAL,
    "dynamic_network_architectures.architectures.residual_unet." + RESIDUAL: RESIDUAL,
    PLAIN: PLAIN,
    RESIDUAL: RESIDUAL,
}


class ArchitectureError(ValueError):
    """A plans architecture this module cannot build; the message says what it has and what would work."""


def torch_class(name, what):
    """A torch.nn class from its import path as plans.json writes it ("torch.nn.modules.conv.Conv3d")."""
    if name is None:
        return None
    if not isinstance(name, str) or not name.startswith("torch.nn."):
        raise ArchitectureError("%s %r is not a torch.nn class; nnU-Net plans name one such as %s"
                                % (what, name, "torch.nn.modules.conv.Conv3d"))
    module, _, cls = name.rpartition(".")
    try:
        return getattr(importlib.import_module(module), cls)
    except (ImportError, AttributeError):
        raise ArchitectureError("%s %r does not exist in this PyTorch (%s)" % (what, name, torch.__version__))


def network_class(config):
    """PLAIN or RESIDUAL from a configuration's architecture.network_class_name (older plans: UNet_class_name)."""
    if "architecture" in config:
        name = config["architecture"].get("network_class_name")
    else:
        name = config.get("UNet_class_name", PLAIN)
    if name not in KNOWN_CLASSES:
        raise ArchitectureError("network_class_name %r is not supported; Tessera rebuilds %s" % (
            name, " and ".join(sorted(k for k in KNOWN_CLASSES if "." in k))))
    return KNOWN_CLASSES[name]


# arch_kwargs this module builds, and those it accepts only at their default (a different value would change the
# network, so it is refused rather than ignored)
BUILT = {"n_stages", "features_per_stage", "conv_op", "kernel_sizes", "strides", "n_conv_per_stage",
         "n_blocks_per_stage", "n_conv_per_stage_decoder", "conv_bias", "norm_op", "norm_op_kwargs", "dropout_op",
         "dropout_op_kwargs", "nonlin", "nonlin_kwargs", "deep_supervision"}
DEFAULTS = {"nonlin_first": False, "bottleneck_channels": None, "stem_channels": None, "disable_default_stem": False,
            "pool_type": "conv", "stochastic_depth_p": 0.0, "squeeze_excitation": False,
            "squeeze_excitation_reduction_ratio": 1.0 / 16}


def check_supported(a):
    for key, value in a.items():
        if key == "block":
            if not (isinstance(value, str) and value.endswith("BasicBlockD")):
                raise ArchitectureError("block %r is not supported; Tessera builds BasicBlockD" % (value,))
        elif key in DEFAULTS:
            if value != DEFAULTS[key] and not (key == "stem_channels" and value == a["features_per_stage"][0]):
                raise ArchitectureError("%s = %r is not supported (only %r)" % (key, value, DEFAULTS[key]))
        elif key not in BUILT:
            raise ArchitectureError("the architecture argument %r is unknown to Tessera" % key)


def arch_kwargs(config):
    """The architecture's keyword arguments with the torch classes resolved, from a v2 configuration, or from an
    older one (pool_op_kernel_sizes, conv_kernel_sizes, UNet_base_num_features), which is always plain."""
    if "architecture" in config:
        a = dict(config["architecture"]["arch_kwargs"])
        check_supported(a)
        for key in ("conv_op", "norm_op", "dropout_op", "nonlin"):
            a[key] = torch_class(a.get(key), key)
        if a["conv_op"] not in (nn.Conv2d, nn.Conv3d):
            raise ArchitectureError("conv_op %s is not supported; use torch.nn.Conv2d or Conv3d" % a["conv_op"])
        return a
    pools = [list(p) for p in config["pool_op_kernel_sizes"]]
    if any(x != 1 for x in pools[0]):
        pools = [[1] * len(pools[0])] + pools
    kernels = [list(k) for k in config["conv_kernel_sizes"]]
    n, dims = len(kernels), len(kernels[0])
    base = config.get("UNet_base_num_features", 32)
    fmax = config.get("unet_max_num_features", 320 if dims == 3 else 512)
    return dict(n_stages=n, features_per_stage=[min(base * 2 ** s, fmax) for s in range(n)],
                conv_op=nn.Conv3d if dims == 3 else nn.Conv2d, kernel_sizes=kernels, strides=pools[:n],
                n_conv_per_stage=config.get("n_conv_per_stage_encoder", [2] * n),
                n_conv_per_stage_decoder=config.get("n_conv_per_stage_decoder", [2] * (n - 1)), conv_bias=True,
                norm_op=nn.InstanceNorm3d if dims == 3 else nn.InstanceNorm2d,
                norm_op_kwargs={"eps": 1e-5, "affine": True}, dropout_op=None, dropout_op_kwargs=None,
                nonlin=nn.LeakyReLU, nonlin_kwargs={"inplace": True})


def per_stage(v, n):
    """An int or a list as a list of n (nnU-Net accepts either for kernels, strides and counts)."""
    return list(v) if isinstance(v, (list, tuple)) else [v] * n


def as_tuple(v, dims):
    return tuple(v) if isinstance(v, (list, tuple)) else (v,) * dims


class Ops:
    """The conv, norm, dropout and nonlinearity of one network, with their keyword arguments."""

    def __init__(self, a):
        self.conv = a["conv_op"]
        self.dims = 3 if self.conv is nn.Conv3d else 2
        self.norm, self.norm_kwargs = a.get("norm_op"), a.get("norm_op_kwargs") or {}
        self.dropout, self.dropout_kwargs = a.get("dropout_op"), a.get("dropout_op_kwargs") or {}
        self.nonlin, self.nonlin_kwargs = a.get("nonlin"), a.get("nonlin_kwargs") or {}
        self.bias = bool(a.get("conv_bias", False))
        self.transpconv = nn.ConvTranspose3d if self.dims == 3 else nn.ConvTranspose2d
        self.avgpool = nn.AvgPool3d if self.dims == 3 else nn.AvgPool2d


class ConvNormNonlin(nn.Module):
    def __init__(self, ops, cin, cout, kernel, stride, bias, nonlin=True):
        super().__init__()
        kernel, stride = as_tuple(kernel, ops.dims), as_tuple(stride, ops.dims)
        layers = []
        self.conv = ops.conv(cin, cout, kernel, stride, padding=[(k - 1) // 2 for k in kernel], bias=bias)
        layers.append(self.conv)
        if ops.dropout is not None and nonlin:
            self.dropout = ops.dropout(**ops.dropout_kwargs)
            layers.append(self.dropout)
        if ops.norm is not None:
            self.norm = ops.norm(cout, **ops.norm_kwargs)
            layers.append(self.norm)
        if ops.nonlin is not None and nonlin:
            self.nonlin = ops.nonlin(**ops.nonlin_kwargs)
            layers.append(self.nonlin)
        self.all_modules = nn.Sequential(*layers)

    def forward(self, x):
        return self.all_modules(x)


class StackedConvs(nn.Module):
    def __init__(self, ops, n, cin, cout, kernel, stride):
        super().__init__()
        self.convs = nn.Sequential(*[ConvNormNonlin(ops, cin if i == 0 else cout, cout, kernel,
                                                    stride if i == 0 else 1, ops.bias) for i in range(n)])

    def forward(self, x):
        return self.convs(x)


class BasicBlock(nn.Module):
    """Residual block: conv1 (strided) -> conv2 (no nonlinearity) + skip (average pooling, 1x1 projection
    where needed) -> nonlinearity."""

    def __init__(self, ops, cin, cout, kernel, stride):
        super().__init__()
        stride = as_tuple(stride, ops.dims)
        self.conv1 = ConvNormNonlin(ops, cin, cout, kernel, stride, ops.bias)
        self.conv2 = ConvNormNonlin(ops, cout, cout, kernel, 1, ops.bias, nonlin=False)
        self.nonlin2 = ops.nonlin(**ops.nonlin_kwargs)
        strided = any(s != 1 for s in stride)
        skip = []
        if strided:
            skip.append(ops.avgpool(stride, stride))
        if cin != cout:
            skip.append(ConvNormNonlin(ops, cin, cout, 1, 1, False, nonlin=False))
        self.skip = nn.Sequential(*skip)  # empty: the identity, and no weights

    def forward(self, x):
        out = self.conv2(self.conv1(x))
        out += self.skip(x)
        return self.nonlin2(out)


class StackedBlocks(nn.Module):
    def __init__(self, ops, n, cin, cout, kernel, stride):
        super().__init__()
        self.blocks = nn.Sequential(*[BasicBlock(ops, cin if i == 0 else cout, cout, kernel, stride if i == 0 else 1)
                                      for i in range(n)])

    def forward(self, x):
        return self.blocks(x)


class PlainEncoder(nn.Module):
    def __init__(self, ops, cin, features, kernels, strides, n_conv):
        super().__init__()
        stages = []
        for s, f in enumerate(features):
            stages.append(nn.Sequential(StackedConvs(ops, n_conv[s], cin, f, kernels[s], strides[s])))
            cin = f
        self.stages = nn.Sequential(*stages)

    def forward(self, x):
        skips = []
        for stage in self.stages:
            x = stage(x)
            skips.append(x)
        return skips


class ResidualEncoder(nn.Module):
    def __init__(self, ops, cin, features, kernels, strides, n_blocks):
        super().__init__()
        self.stem = StackedConvs(ops, 1, cin, features[0], kernels[0], 1)
        cin = features[0]
        stages = []
        for s, f in enumerate(features):
            stages.append(StackedBlocks(ops, n_blocks[s], cin, f, kernels[s], strides[s]))
            cin = f
        self.stages = nn.Sequential(*stages)

    def forward(self, x):
        x = self.stem(x)
        skips = []
        for stage in self.stages:
            x = stage(x)
            skips.append(x)
        return skips


class Decoder(nn.Module):
    def __init__(self, ops, encoder, features, kernels, strides, n_conv_decoder, num_classes, deep_supervision):
        super().__init__()
        self.encoder = encoder
        self.deep_supervision = deep_supervision
        # registration order transpconvs, stages, seg_layers: the order in which the weights are initialized
        self.transpconvs, self.stages, self.seg_layers = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        for s in range(1, len(features)):
            below, skip, stride = features[-s], features[-(s + 1)], as_tuple(strides[-s], ops.dims)
            self.transpconvs.append(ops.transpconv(below, skip, stride, stride, bias=ops.bias))
            self.stages.append(StackedConvs(ops, n_conv_decoder[s - 1], 2 * skip, skip, kernels[-(s + 1)], 1))
            self.seg_layers.append(ops.conv(skip, num_classes, 1, 1, 0, bias=True))

    def forward(self, skips):
        x = skips[-1]
        outs = []
        last = len(self.stages) - 1
        for s in range(len(self.stages)):
            x = self.stages[s](torch.cat((self.transpconvs[s](x), skips[-(s + 2)]), 1))
            if self.deep_supervision:
                outs.append(self.seg_layers[s](x))
            elif s == last:
                outs.append(self.seg_layers[-1](x))
        outs = outs[::-1]
        return outs if self.deep_supervision else outs[0]


class UNet(nn.Module):
    """PlainConvUNet or ResidualEncoderUNet (kind), as nnU-Net's get_network_from_plans builds it."""

    def __init__(self, kind, in_channels, num_classes, a, deep_supervision=True):
        super().__init__()
        ops = Ops(a)
        n = a["n_stages"]
        features = per_stage(a["features_per_stage"], n)
        kernels = [as_tuple(k, ops.dims) for k in per_stage(a["kernel_sizes"], n)]
        self.strides = [as_tuple(s, ops.dims) for s in per_stage(a["strides"], n)]
        self.dims, self.kind = ops.dims, kind
        if kind == PLAIN:
            self.encoder = PlainEncoder(ops, in_channels, features, kernels, self.strides,
                                        per_stage(a["n_conv_per_stage"], n))
        else:
            self.encoder = ResidualEncoder(ops, in_channels, features, kernels, self.strides,
                                           per_stage(a["n_blocks_per_stage"], n))
        self.decoder = Decoder(ops, self.encoder, features, kernels, self.strides,
                               per_stage(a["n_conv_per_stage_decoder"], n - 1), num_classes, deep_supervision)
        for m in self.modules():  # modules() visits the shared encoder once
            init_he(m)
            if isinstance(m, BasicBlock) and hasattr(m.conv2, "norm"):
                # the residual net starts each block as the identity: its last norm before the sum at 0
                nn.init.zeros_(m.conv2.norm.weight)
                nn.init.zeros_(m.conv2.norm.bias)

    @property
    def deep_supervision(self):
        return self.decoder.deep_supervision

    @deep_supervision.setter
    def deep_supervision(self, on):
        self.decoder.deep_supervision = on

    def divisibility(self):
        d = [1] * self.dims
        for s in self.strides:
            d = [a * b for a, b in zip(d, s)]
        return d

    def forward(self, x):
        return self.decoder(self.encoder(x))


def init_he(m):
    """nnU-Net's InitWeights_He(1e-2): Kaiming normal (negative slope 1e-2) for every convolution, zero biases."""
    if isinstance(m, (nn.Conv2d, nn.Conv3d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
        nn.init.kaiming_normal_(m.weight, a=1e-2)
        if m.bias is not None:
            nn.init.zeros_(m.bias)


def build(config, in_channels, num_classes, deep_supervision=True):
    """The network a plans.json configuration describes."""
    return UNet(network_class(config), in_channels, num_classes, arch_kwargs(config), deep_supervision)


def load_strict(model, state_dict, source):
    """Loads state_dict into model; a missing or unexpected key, or a shape that differs, raises ValueError
    naming it and source."""
    own = model.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append("missing %d key(s), first %s" % (len(missing), ", ".join(missing[:3])))
        if unexpected:
            parts.append("unexpected %d key(s), first %s" % (len(unexpected), ", ".join(unexpected[:3])))
        raise ValueError("%s does not fit the network the plans describe: %s" % (source, "; ".join(parts)))
    for k, v in own.items():
        if tuple(state_dict[k].shape) != tuple(v.shape):
            raise ValueError("%s: %s has shape %s, the plans' network needs %s"
                             % (source, k, list(state_dict[k].shape), list(v.shape)))
    model.load_state_dict(state_dict, strict=True)
