"""The one path by which Tessera's scripts write an ONNX graph and check it: export (opset 17, input "input", dynamic
batch and spatial axes), a run of the written graph on the golden input, its comparison with PyTorch, and the
golden pair. The graph runs in onnxruntime where that is installed, otherwise in interpret_graph below, an
independent evaluation with torch functional ops of the ops that Tessera's networks export to. weights_to_float16
stores a graph's weight tensors as float16, each followed by a Cast to float32 (the computation stays float32)."""
import math
import os

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

OPSET = 17
SPATIAL_AXES = ["depth", "height", "width"]


def export_graph(model, path, dummy, output_names=("logits",), dynamic_spatial=True):
    """Writes model (in eval mode) as path, checks it with the ONNX checker and returns the loaded graph. The batch
    axis is dynamic; so are the spatial axes unless the network has one fixed input size."""
    axes = {0: "batch"}
    if dynamic_spatial:
        axes.update({2 + i: n for i, n in enumerate(SPATIAL_AXES[-(dummy.dim() - 2):])})
    outs = list(output_names)
    # Eval-mode export folds every BatchNorm into the preceding convolution.
    torch.onnx.export(model, dummy, path, opset_version=OPSET, input_names=["input"], output_names=outs,
                      dynamic_axes=dict({"input": axes}, **{o: dict(axes) for o in outs}),
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    return m


def graph_ops(m):
    return sorted({n.op_type for n in m.graph.node})


def run_graph(m, x):
    """Every output of graph m on the input x, and what ran it."""
    try:
        import onnxruntime
    except ImportError:
        return interpret_graph(m, x), "interpret_graph"
    session = onnxruntime.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    outputs = session.run(None, {m.graph.input[0].name: x.numpy()})
    return [torch.from_numpy(o) for o in outputs], "onnxruntime " + onnxruntime.__version__


def check_against_torch(model, m, x, tolerance):
    """Runs the PyTorch model and graph m on x and asserts that every output agrees within tolerance (max absolute
    difference). Returns PyTorch's outputs, the graph's outputs and the differences, each a list in output order."""
    with torch.no_grad():
        expected = model.eval()(x)
    expected = list(expected) if isinstance(expected, (tuple, list)) else [expected]
    actual, runner = run_graph(m, x)
    assert len(actual) == len(expected), (len(actual), len(expected))
    diffs = [float((e - a).abs().max()) for e, a in zip(expected, actual)]
    names = [o.name for o in m.graph.output]
    print("ONNX ops %s; graph (%s) vs PyTorch max |diff| %.2e" % (graph_ops(m), runner, diffs[0]), flush=True)
    for name, d in zip(names[1:], diffs[1:]):
        print("%s: graph vs PyTorch max |diff| %.2e" % (name, d), flush=True)
    assert max(diffs) < tolerance, dict(zip(names, diffs))
    return expected, actual, diffs


def write_golden(folder, x, y, tolerance):
    """golden-input.bin and golden-output.bin (little-endian float32) in folder; returns the card's golden block."""
    x.numpy().astype("<f4").tofile(os.path.join(folder, "golden-input.bin"))
    y.numpy().astype("<f4").tofile(os.path.join(folder, "golden-output.bin"))
    return {"inputShape": list(x.shape), "outputShape": list(y.shape), "tolerance": tolerance}


FLOAT16_SUFFIX = "_float16"


def weights_to_float16(m):
    """A copy of graph m whose float32 weight tensors (initializers of rank >= 2: the conv and transposed-conv
    kernels, nearly all of the file) are stored as float16, each read through a Cast node to float32 under its old
    name, so every op still computes in float32 and the file is about half the size. Biases, normalization
    parameters and other rank-0/1 tensors stay float32. Raises ValueError on a graph already converted or on a
    weight outside the float16 range."""
    out = onnx.ModelProto()
    out.CopyFrom(m)
    g = out.graph
    if any(i.name.endswith(FLOAT16_SUFFIX) for i in g.initializer):
        raise ValueError("graph already stores its weights as float16")
    casts = []
    for init in g.initializer:
        if init.data_type != onnx.TensorProto.FLOAT or len(init.dims) < 2:
            continue
        w = numpy_helper.to_array(init)
        if not np.all(np.abs(w) <= np.finfo(np.float16).max):
            raise ValueError("weight %s exceeds the float16 range" % init.name)
        name = init.name
        init.CopyFrom(numpy_helper.from_array(w.astype(np.float16), name + FLOAT16_SUFFIX))
        casts.append(onnx.helper.make_node("Cast", [name + FLOAT16_SUFFIX], [name], name="cast_" + name,
                                           to=onnx.TensorProto.FLOAT))
    # an initializer may also be listed as a graph input (older exporters): the float32 name is now a node output
    names = {c.output[0] for c in casts}
    kept = [i for i in g.input if i.name not in names]
    del g.input[:]
    g.input.extend(kept)
    nodes = casts + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(out, full_check=True)
    return out


def weights_storage(m):
    """"float16" when graph m stores its weights through weights_to_float16, else "float32"."""
    return "float16" if any(i.name.endswith(FLOAT16_SUFFIX) for i in m.graph.initializer) else "float32"


def interpret_graph(m, x):
    """Every output of graph m on the input x, evaluated node by node with torch functional ops."""
    env = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
    env[m.graph.input[0].name] = x
    for n in m.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in n.attribute}
        ins = [env[i] if i else None for i in n.input]
        d = ins[0].dim() - 2 if ins and ins[0] is not None else 0
        if n.op_type == "Conv":
            conv = [None, F.conv1d, F.conv2d, F.conv3d][d]
            pads = a.get("pads", [0] * 2 * d)
            assert pads[:d] == pads[d:]
            y = conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a.get("strides", 1), pads[:d],
                     a.get("dilations", 1), a.get("group", 1))
        elif n.op_type == "ConvTranspose":
            convt = [None, F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d][d]
            pads, out_pad = a.get("pads", [0] * 2 * d), a.get("output_padding", [0] * d)
            assert pads[:d] == pads[d:]
            y = convt(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a.get("strides", 1), pads[:d], out_pad)
        elif n.op_type == "BatchNormalization":  # inference form: running statistics
            y = F.batch_norm(ins[0], ins[3], ins[4], ins[1], ins[2], False, 0.0, a.get("epsilon", 1e-5))
        elif n.op_type == "InstanceNormalization":
            axes = list(range(2, ins[0].dim()))
            mean = ins[0].mean(axes, keepdim=True)
            var = ((ins[0] - mean) ** 2).mean(axes, keepdim=True)
            shape = [1, -1] + [1] * d
            y = (ins[0] - mean) / torch.sqrt(var + a.get("epsilon", 1e-5)) * ins[1].view(shape) + ins[2].view(shape)
        elif n.op_type == "Relu":
            y = torch.relu(ins[0])
        elif n.op_type == "LeakyRelu":
            y = torch.where(ins[0] >= 0, ins[0], ins[0] * a.get("alpha", 0.01))
        elif n.op_type == "AveragePool":
            pads = a.get("pads", [0] * 2 * d)
            assert pads[:d] == pads[d:]
            ap = [None, F.avg_pool1d, F.avg_pool2d, F.avg_pool3d][d]
            y = ap(ins[0], a["kernel_shape"], a.get("strides", 1), pads[:d],
                   count_include_pad=bool(a.get("count_include_pad", 0)))
        elif n.op_type == "Pad":  # constant mode only (PyTorch writes one before an AveragePool)
            assert a.get("mode", b"constant") == b"constant", a
            p = [int(v) for v in ins[1]]
            r = ins[0].dim()
            value = float(ins[2]) if len(ins) > 2 and ins[2] is not None else 0.0
            y = F.pad(ins[0], [v for axis in reversed(range(r)) for v in (p[axis], p[axis + r])], value=value)
        elif n.op_type == "GlobalAveragePool":
            y = ins[0].mean(dim=tuple(range(2, ins[0].dim())), keepdim=True)
        elif n.op_type == "MaxPool":
            pads = a.get("pads", [0] * 2 * d)
            assert pads[:d] == pads[d:] and a.get("storage_order", 0) == 0
            mp = [None, F.max_pool1d, F.max_pool2d, F.max_pool3d][d]
            indices = len(n.output) > 1 and n.output[1] != ""
            y = mp(ins[0], a["kernel_shape"], a.get("strides", a["kernel_shape"]), pads[:d], return_indices=indices)
            if indices:
                # torch counts within each (n, c) plane; ONNX over the flattened N x C x spatial tensor
                values, plane = y
                first = torch.arange(plane.shape[0] * plane.shape[1]).reshape(plane.shape[:2] + (1,) * d)
                y = (values, plane + first * ins[0][0, 0].numel())
        elif n.op_type == "MaxUnpool":
            # The spec: a zero tensor of the output shape (output_shape if given, else (in - 1) * stride + kernel
            # - pads per axis), each value written at its flat index over the whole tensor.
            kernel, strides = a["kernel_shape"], a.get("strides", [1] * d)
            pads = a.get("pads", [0] * 2 * d)
            shape = ins[2].tolist() if len(ins) > 2 and ins[2] is not None else list(ins[0].shape[:2]) + [
                (i - 1) * s + k - p0 - p1 for i, s, k, p0, p1 in zip(ins[0].shape[2:], strides, kernel, pads[:d], pads[d:])]
            y = torch.zeros(math.prod(shape), dtype=ins[0].dtype)
            y[ins[1].reshape(-1)] = ins[0].reshape(-1)
            y = y.reshape(shape)
        elif n.op_type == "Concat":
            y = torch.cat(ins, a["axis"])
        elif n.op_type == "Sigmoid":
            y = torch.sigmoid(ins[0])
        elif n.op_type == "Add":
            y = ins[0] + ins[1]
        elif n.op_type == "Mul":
            y = ins[0] * ins[1]
        elif n.op_type == "Div":
            y = ins[0] / ins[1]
        elif n.op_type == "Slice":
            starts, ends, axes_ = (ins[i].tolist() for i in (1, 2, 3))
            steps = ins[4].tolist() if len(ins) > 4 else [1] * len(starts)
            sl = [slice(None)] * ins[0].dim()
            for st, en, ax, sp in zip(starts, ends, axes_, steps):
                sl[ax] = slice(st, min(en, ins[0].shape[ax]), sp)
            y = ins[0][tuple(sl)]
        elif n.op_type == "Identity":
            y = ins[0]
        elif n.op_type == "Cast":  # only the float16 -> float32 casts of weights_to_float16
            assert a["to"] == onnx.TensorProto.FLOAT, a
            y = ins[0].float()
        elif n.op_type == "Constant":
            y = torch.from_numpy(numpy_helper.to_array(a["value"]).copy())
        elif n.op_type == "Resize":
            # Only what Tessera's networks export: linear, half_pixel, constant scales, no roi.
            assert a.get("mode") == b"linear" and a.get("coordinate_transformation_mode") == b"half_pixel", a
            scales = [float(v) for v in ins[2]]
            assert scales[:2] == [1.0, 1.0], scales
            mode = {1: "linear", 2: "bilinear", 3: "trilinear"}[d]
            y = F.interpolate(ins[0], scale_factor=scales[2:], mode=mode, align_corners=False)
        else:
            raise NotImplementedError(n.op_type)
        for name, value in zip(n.output, y if isinstance(y, tuple) else (y,)):
            if name:
                env[name] = value
    return [env[o.name] for o in m.graph.output]
