"""The dilated (atrous) ResNet encoder that PSPNet and DeepLabv3+ share, for 2D and 3D.

ResNet-18 layout (He et al. 2016) from cenet.resnet_encoder: a 7x7 stride-2 conv + BatchNorm + ReLU, 3x3 stride-2
max pooling, then four layers of two basic residual blocks at widths w, 2w, 4w, 8w. To keep a finer output
stride, the last layers drop their stride and dilate their convolutions instead, by the product of the strides
dropped so far (Chen et al. 2017, "Rethinking Atrous Convolution", section 3.1; Zhao et al. 2017 do the same for
PSPNet): output stride 16 drops layer 4's stride (dilation 2), output stride 8 drops layer 3's and layer 4's
(dilations 2 and 4). Every stride and dilation is per axis, so an anisotropic volume keeps its coarse axis.
"""
import torch.nn as nn

from .cenet import resnet_encoder
from .unet import five_strides, pooling_product

BLOCKS = (2, 2, 2, 2)  # ResNet-18


class DilatedResNet(nn.Module):
    """pools: the five strides of a plain ResNet (stem conv, max pooling, layers 2, 3, 4), per tensor axis;
    strided: how many of them are applied (3: output stride 8, 4: output stride 16); the others become dilations.
    forward returns (layer 1's features at the stride of the first two, layer 4's at the output stride)."""

    def __init__(self, dims, in_channels, base, pools, strided):
        super().__init__()
        pools = five_strides(dims, pools)
        assert strided in (3, 4), strided
        self.stem, self.maxpool, self.layers = resnet_encoder(dims, in_channels, base, pools, BLOCKS, strided)
        self.widths = [base * 2 ** i for i in range(len(BLOCKS))]
        self.output_stride = pooling_product(pools[:strided])
        self.low_level_stride = pooling_product(pools[:2])

    def forward(self, x):
        x = self.layers[0](self.maxpool(self.stem(x)))
        low = x
        for layer in self.layers[1:]:
            x = layer(x)
        return low, x
