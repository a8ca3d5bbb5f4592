"""U-Net++ (Zhou et al. 2018, "UNet++: A Nested U-Net Architecture for Medical Image Segmentation"; 2019,
"UNet++: Redesigning Skip Connections ...") for 2D and 3D.

Nodes X^{i,j} (i: down-sampling level, j: convolution layer along the skip pathway):
    X^{i,0} = H(pool(X^{i-1,0}))                      (X^{0,0} = H(input))
    X^{i,j} = H([X^{i,0}, ..., X^{i,j-1}, Up(X^{i+1,j-1})])   j >= 1
H: two zero-padded 3x3(x3) conv + BatchNorm + ReLU; pool: max pooling (a kernel per level, for anisotropic
3D); Up: transposed conv with kernel = stride = that level's pooling kernel. Widths base * 2^i.
Deep supervision: a 1x1 head on every X^{0,j}, j = 1..depth; training puts the loss on all of them.

Model pruning: the sub-network for level L is every node with i + j <= L; its output is the head on X^{0,L}.
forward() with self.level = None returns all heads [L1, ..., Ldepth] (training); with self.level = L it runs
only the level-L sub-network and returns that head (inference, export). prune(L) returns a standalone module
holding only the level-L nodes (used for the ONNX export and the parameter count of that level).
"""
import torch
import torch.nn as nn

from .unet import DoubleConv, _ops, level_pools, pooling_product


class UNetPlusPlus(nn.Module):
    arch = "unet++"

    def __init__(self, dims=2, in_channels=1, classes=2, base=8, pools=None, depth=4):
        super().__init__()
        pools = level_pools(dims, pools, depth)
        self.dims, self.pools, self.in_channels, self.base = dims, pools, in_channels, base
        self.depth = len(pools)
        self.level = None
        conv, _, maxpool, up = _ops(dims)
        w = [base * 2 ** i for i in range(self.depth + 1)]
        self.widths = w
        self.pool = nn.ModuleList([maxpool(p, p) for p in pools])
        self.node = nn.ModuleDict()
        self.up = nn.ModuleDict()
        for i in range(self.depth + 1):
            for j in range(self.depth + 1 - i):
                if j == 0:
                    cin = in_channels if i == 0 else w[i - 1]
                else:
                    cin = j * w[i] + w[i]
                    self.up[self._k(i + 1, j - 1)] = up(w[i + 1], w[i], pools[i], pools[i])
                self.node[self._k(i, j)] = DoubleConv(dims, cin, w[i])
        self.head = nn.ModuleList([conv(w[0], classes, 1) for _ in range(self.depth)])

    @staticmethod
    def _k(i, j):
        return "x%d_%d" % (i, j)

    def _run(self, x, level):
        """All nodes with i + j <= level; returns X^{0,1..level}."""
        X = {}
        for i in range(level + 1):
            X[(i, 0)] = self.node[self._k(i, 0)](x if i == 0 else self.pool[i - 1](X[(i - 1, 0)]))
        for s in range(1, level + 1):          # diagonal i + j = s, needs diagonal s - 1 and s
            for j in range(1, s + 1):
                i = s - j
                ins = [X[(i, k)] for k in range(j)] + [self.up[self._k(i + 1, j - 1)](X[(i + 1, j - 1)])]
                X[(i, j)] = self.node[self._k(i, j)](torch.cat(ins, 1))
        return [X[(0, j)] for j in range(1, level + 1)]

    def forward(self, x):
        if self.level is None:
            feats = self._run(x, self.depth)
            return [h(f) for h, f in zip(self.head, feats)]
        return self.head[self.level - 1](self._run(x, self.level)[-1])

    def divisibility(self, level=None):
        return pooling_product(self.pools[:level or self.level or self.depth])

    def prune(self, level):
        return PrunedUNetPlusPlus(self, level)

    def card_network(self):
        return {"depth": self.depth, "baseWidth": self.base,
                "convs": "U-Net++ nodes X^{i,j}: two 3x3 (3x3x3) zero-padded convs + BatchNorm + ReLU on the "
                         "concatenation of X^{i,0..j-1} and the transposed-conv upsampled X^{i+1,j-1}; max "
                         "pooling; 1x1 deep-supervision heads on X^{0,1..%d}" % self.depth}


class PrunedUNetPlusPlus(nn.Module):
    """The level-L sub-network of a trained UNetPlusPlus: only the nodes with i + j <= L and head L."""

    arch = "unet++"

    def __init__(self, full, level):
        super().__init__()
        assert 1 <= level <= full.depth
        self.dims, self.in_channels, self.base, self.level = full.dims, full.in_channels, full.base, level
        self.pools = full.pools[:level]
        self.full_depth = full.depth
        self.pool = nn.ModuleList(list(full.pool)[:level])
        self.node = nn.ModuleDict({k: m for k, m in full.node.items()
                                   if sum(map(int, k[1:].split("_"))) <= level})
        self.up = nn.ModuleDict({k: m for k, m in full.up.items()
                                 if sum(map(int, k[1:].split("_"))) <= level})
        self.head = full.head[level - 1]

    def forward(self, x):
        X = {}
        k = UNetPlusPlus._k
        for i in range(self.level + 1):
            X[(i, 0)] = self.node[k(i, 0)](x if i == 0 else self.pool[i - 1](X[(i - 1, 0)]))
        for s in range(1, self.level + 1):
            for j in range(1, s + 1):
                i = s - j
                ins = [X[(i, m)] for m in range(j)] + [self.up[k(i + 1, j - 1)](X[(i + 1, j - 1)])]
                X[(i, j)] = self.node[k(i, j)](torch.cat(ins, 1))
        return self.head(X[(0, self.level)])

    def divisibility(self):
        return pooling_product(self.pools)

    def card_network(self):
        return {"depth": self.level, "baseWidth": self.base, "prunedLevel": self.level,
                "trainedDepth": self.full_depth,
                "convs": "U-Net++ sub-network L%d (nodes X^{i,j} with i + j <= %d of a depth-%d U-Net++): two "
                         "3x3 (3x3x3) zero-padded convs + BatchNorm + ReLU per node on the concatenation of "
                         "X^{i,0..j-1} and the transposed-conv upsampled X^{i+1,j-1}; max pooling; 1x1 head on "
                         "X^{0,%d} (logits)" % (self.level, self.level, self.full_depth, self.level)}
