"""Adds ONNX weights to a bioimage.io model package that has only TorchScript or PyTorch state-dict weights, so
that Tessera (which runs ONNX networks) can import it. The package (a folder, its rdf.yaml / bioimageio.yaml, or a
.zip) is copied into a new folder with the ONNX file and a `weights: onnx:` entry (source, sha256, opset_version,
parent) added to its description; the original is not changed. Every axis but the channel axis is exported as
dynamic. Then: `tessera import bioimageio NEW_FOLDER`, which runs the package's own test on the ONNX weights.

    /usr/bin/python3 scripts/bioimageio_to_onnx.py PACKAGE -o NEW_FOLDER [--opset 17] [--trust-package-code]

pytorch_state_dict weights need the architecture's Python code from the package; importing it runs that code,
so the script does it only with --trust-package-code. Needs PyTorch, onnx and PyYAML (Debian: python3-torch
python3-onnx python3-yaml)."""
import argparse
import hashlib
import importlib.util
import os
import shutil
import sys
import zipfile

import numpy as np
import onnx
import torch
import yaml


def fail(message):
    print("bioimageio_to_onnx: " + message, file=sys.stderr)
    sys.exit(2)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def copy_package(source, target):
    if os.path.exists(target):
        fail(target + " exists; give a new folder for the converted package")
    if os.path.isdir(source):
        shutil.copytree(source, target)
    elif source.endswith(".zip"):
        os.makedirs(target)
        root = os.path.realpath(target)
        with zipfile.ZipFile(source) as z:
            for name in z.namelist():
                path = os.path.realpath(os.path.join(target, name))
                if os.path.isabs(name) or not path.startswith(root + os.sep):
                    shutil.rmtree(target)
                    fail(source + " holds the entry '" + name + "', which would be written outside the package")
            z.extractall(target)
    elif source.endswith((".yaml", ".yml")):
        shutil.copytree(os.path.dirname(os.path.abspath(source)), target)
    else:
        fail(source + " is not a bioimage.io package (a folder, its rdf.yaml, or a .zip)")
    for name in ("rdf.yaml", "bioimageio.yaml"):
        if os.path.isfile(os.path.join(target, name)):
            return os.path.join(target, name)
    shutil.rmtree(target)
    fail(source + " holds no rdf.yaml or bioimageio.yaml")


def inside(folder, relative, what):
    path = os.path.realpath(os.path.join(folder, relative))
    if not path.startswith(os.path.realpath(folder) + os.sep) or not os.path.isfile(path):
        fail(what + " '" + relative + "' is not a file inside the package")
    return path


def state_dict_model(folder, entry, trust):
    if not trust:
        fail("the package has pytorch_state_dict weights: their architecture is Python code in the package, which "
             "this script imports (runs) only with --trust-package-code")
    arch = entry.get("architecture")
    kwargs = entry.get("kwargs", {}) or {}
    if isinstance(arch, str):  # 0.4: "file.py:Name"
        source, _, callable_name = arch.rpartition(":")
    elif isinstance(arch, dict) and "source" in arch:  # 0.5: {source, callable, kwargs}
        source, callable_name, kwargs = arch["source"], arch["callable"], arch.get("kwargs", {}) or {}
    else:
        fail("the pytorch_state_dict architecture " + repr(arch) + " is not a file of the package (an "
             "architecture from a library needs that library installed; convert it there)")
    spec = importlib.util.spec_from_file_location("package_architecture", inside(folder, source, "architecture"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = getattr(module, callable_name)(**kwargs)
    model.load_state_dict(torch.load(inside(folder, entry["source"], "weights"), map_location="cpu"))
    return model


def dynamic_axes(tensor, rank):
    axes = tensor["axes"]
    if isinstance(axes, str):  # 0.4: letters
        channel = axes.index("c") if "c" in axes else None
    else:
        types = [a.get("type") for a in axes]
        channel = types.index("channel") if "channel" in types else None
    return {i: "axis%d" % i for i in range(rank) if i != channel}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("package")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--opset", type=int, default=17)
    p.add_argument("--trust-package-code", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(1)
    rdf_path = copy_package(args.package, args.output)
    folder = os.path.dirname(rdf_path)
    try:
        with open(rdf_path, encoding="utf-8") as f:
            rdf = yaml.safe_load(f)
        weights = rdf.get("weights") or {}
        if weights.get("onnx"):
            fail("the package has ONNX weights already; import it as it is")
        if len(rdf.get("inputs", [])) != 1 or not rdf.get("outputs"):
            fail("the package needs one input and at least one output")
        v05 = str(rdf.get("format_version", "")).startswith("0.5")
        test = rdf["inputs"][0]["test_tensor"]["source"] if v05 else rdf["test_inputs"][0]
        x = torch.from_numpy(np.load(inside(folder, test, "test input")).astype(np.float32))
        if weights.get("torchscript"):
            model, parent = torch.jit.load(inside(folder, weights["torchscript"]["source"], "weights"), map_location="cpu"), "torchscript"
        elif weights.get("pytorch_state_dict"):
            model, parent = state_dict_model(folder, weights["pytorch_state_dict"], args.trust_package_code), "pytorch_state_dict"
        else:
            fail("the package has " + ", ".join(weights) + " weights; this script converts torchscript and pytorch_state_dict")
        model.eval()
        name_in = rdf["inputs"][0].get("id") or rdf["inputs"][0].get("name") or "input"
        out = rdf["outputs"][0]
        name_out = out.get("id") or out.get("name") or "output"
        with torch.no_grad():
            rank_out = model(x).dim()
        onnx_path = os.path.join(folder, "weights.onnx")
        with torch.no_grad():
            torch.onnx.export(model, x, onnx_path, opset_version=args.opset, input_names=[name_in],
                              output_names=[name_out], do_constant_folding=True,
                              dynamic_axes={name_in: dynamic_axes(rdf["inputs"][0], x.dim()),
                                            name_out: dynamic_axes(out, rank_out)})
        onnx.checker.check_model(onnx.load(onnx_path))
        weights["onnx"] = {"source": "weights.onnx", "sha256": sha256(onnx_path), "opset_version": args.opset,
                           "parent": parent}
        rdf["weights"] = weights
        with open(rdf_path, "w", encoding="utf-8") as f:
            yaml.safe_dump(rdf, f, sort_keys=False)
    except SystemExit:
        shutil.rmtree(args.output, ignore_errors=True)
        raise
    except Exception as e:  # a broken package: say so, leave no half-converted folder
        shutil.rmtree(args.output, ignore_errors=True)
        fail("cannot convert " + args.package + ": " + type(e).__name__ + ": " + str(e))
    print("Wrote %s with ONNX weights (from %s, opset %d); import it with: tessera import bioimageio %s"
          % (args.output, parent, args.opset, args.output))


if __name__ == "__main__":
    main()
