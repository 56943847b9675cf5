#!/usr/bin/python3
"""Folds the PP-OCRv4 detection and recognition graphs into fewer operations, exactly.

    ppocr-fold.py IN.onnx OUT.onnx

Why: the models in the rapidocr wheel were exported by paddle2onnx for opset 12, which
spells every hard-swish as four elementwise passes (Add 3, Clip 0..6, Mul, Div 6), and
PP-LCNetV3's "learnable affine blocks" as a scalar Mul and Add after every convolution
and every activation. ONNX Runtime fuses none of them, so on one CPU thread these passes
and the layout reorders around them took half the time (measured with ORT's profiler:
Conv 35%, Add+Mul+Clip+Div 45%). Nothing else does this rewrite (ORT's own optimiser
leaves it, and onnxsim does not fold scalars through convolutions), hence this script.

The rewrites are algebraic identities; only float rounding changes:
  - x * Clip(x + 3, 0, 6) / 6            ->  x * HardSigmoid(x; 1/6, 1/2)
  - Conv(x; W, B) * a + b                ->  Conv(x; a W, a B + b)
  - Conv(x * a + b; W, B), no padding    ->  Conv(x; a W, B + b sum(W))
(With padding the last one is not exact, as the padded zeros would not be shifted, so
those are left alone.) Debian's python3-onnx is enough; numpy comes with it.
"""

import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def fold(model):
    g = model.graph
    # Constants become initializers so that weights can be replaced by name.
    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    nodes = []
    for n in g.node:
        if n.op_type == "Constant" and n.attribute[0].name == "value":
            inits[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
        else:
            nodes.append(n)
    graph_outputs = {o.name for o in g.output}
    counts = {}

    def scalar(name, want=None):
        c = inits.get(name)
        if c is None or c.size != 1:
            return None
        v = float(c.reshape(-1)[0])
        return v if want is None or v == want else None

    def index():
        producer = {o: n for n in nodes for o in n.output}
        users = {}
        for n in nodes:
            for x in n.input:
                users.setdefault(x, []).append(n)
        return producer, users

    def rebuild(remove, replace):
        out = []
        for n in nodes:
            if id(n) in replace:
                out.extend(replace[id(n)])
            elif id(n) not in remove:
                out.append(n)
        return out

    def attribute(n, name, default):
        for a in n.attribute:
            if a.name == name:
                return helper.get_attribute_value(a)
        return default

    def conv(like, x, w, b, y):
        c = helper.make_node("Conv", [x, w, b], [y], name=like.name)
        c.attribute.extend(like.attribute)
        return c

    def count(what):
        counts[what] = counts.get(what, 0) + 1

    # 1. Hard-swish.
    producer, users = index()
    single = lambda name: len(users.get(name, [])) == 1 and name not in graph_outputs
    remove, replace = set(), {}
    for div in nodes:
        if div.op_type != "Div" or scalar(div.input[1], 6.0) is None:
            continue
        mul = producer.get(div.input[0])
        if mul is None or mul.op_type != "Mul":
            continue
        for x, c in (mul.input, reversed(mul.input)):
            clip = producer.get(c)
            if clip is not None and clip.op_type == "Clip":
                break
        else:
            continue
        if scalar(clip.input[1], 0.0) is None or scalar(clip.input[2], 6.0) is None:
            continue
        add = producer.get(clip.input[0])
        if add is None or add.op_type != "Add" or add.input[0] != x or scalar(add.input[1], 3.0) is None:
            continue
        if not all(single(n.output[0]) for n in (add, clip, mul)):
            continue
        remove |= {id(add), id(clip), id(mul)}
        gate = div.output[0] + "_gate"
        replace[id(div)] = [
            helper.make_node("HardSigmoid", [x], [gate], alpha=1.0 / 6.0, beta=0.5),
            helper.make_node("Mul", [x, gate], [div.output[0]]),
        ]
        count("hard-swish")
    nodes = rebuild(remove, replace)

    def affine(x):
        """Mul by a scalar then Add a scalar, reading x alone: (mul, add, a, b)."""
        if not single(x):
            return None
        mul = users[x][0]
        other = [i for i in mul.input if i != x]
        if mul.op_type != "Mul" or len(other) != 1 or scalar(other[0]) is None or not single(mul.output[0]):
            return None
        add = users[mul.output[0]][0]
        other2 = [i for i in add.input if i != mul.output[0]]
        if add.op_type != "Add" or len(other2) != 1 or scalar(other2[0]) is None:
            return None
        return mul, add, scalar(other[0]), scalar(other2[0])

    def weights(c):
        w = inits[c.input[1]]
        b = inits[c.input[2]] if len(c.input) > 2 else np.zeros(w.shape[0], np.float32)
        return w, b

    # 2. Affine after a convolution.
    producer, users = index()
    remove, replace = set(), {}
    for c in nodes:
        if c.op_type != "Conv" or len(users.get(c.input[1], [])) != 1:
            continue
        found = affine(c.output[0])
        if found is None:
            continue
        mul, add, a, b = found
        w, bias = weights(c)
        wn, bn = c.output[0] + "_w", c.output[0] + "_b"
        inits[wn] = (w * a).astype(np.float32)
        inits[bn] = (bias * a + b).astype(np.float32)
        remove |= {id(mul), id(add)}
        replace[id(c)] = [conv(c, c.input[0], wn, bn, add.output[0])]
        count("affine after conv")
    nodes = rebuild(remove, replace)

    # 3. Affine before an unpadded convolution.
    producer, users = index()
    remove, replace = set(), {}
    for mul in nodes:
        if mul.op_type != "Mul":
            continue
        xs = [i for i in mul.input if scalar(i) is None]
        if len(xs) != 1:
            continue
        if not single(xs[0]) or not single(mul.output[0]):
            continue
        add = users[mul.output[0]][0]
        other = [i for i in add.input if i != mul.output[0]]
        if add.op_type != "Add" or len(other) != 1 or scalar(other[0]) is None or not single(add.output[0]):
            continue
        c = users[add.output[0]][0]
        if c.op_type != "Conv" or c.input[0] != add.output[0] or len(users.get(c.input[1], [])) != 1:
            continue
        if any(p != 0 for p in attribute(c, "pads", [0, 0, 0, 0])):
            continue
        if attribute(c, "auto_pad", b"NOTSET") not in (b"NOTSET", b"VALID"):
            continue
        a = scalar([i for i in mul.input if i != xs[0]][0])
        b = scalar(other[0])
        w, bias = weights(c)
        wn, bn = c.output[0] + "_wi", c.output[0] + "_bi"
        inits[wn] = (w * a).astype(np.float32)
        inits[bn] = (bias + b * w.sum(axis=(1, 2, 3))).astype(np.float32)
        remove |= {id(mul), id(add)}
        replace[id(c)] = [conv(c, xs[0], wn, bn, c.output[0])]
        count("affine before conv")
    nodes = rebuild(remove, replace)

    used = {i for n in nodes for i in n.input}
    del g.node[:]
    g.node.extend(nodes)
    del g.initializer[:]
    g.initializer.extend(numpy_helper.from_array(v, k) for k, v in inits.items() if k in used)
    onnx.checker.check_model(model)
    return counts


def main():
    src, dst = sys.argv[1], sys.argv[2]
    model = onnx.load(src)
    before = len(model.graph.node)
    counts = fold(model)
    onnx.save(model, dst)
    done = ", ".join(f"{v} {k}" for k, v in counts.items()) or "nothing"
    print(f"{dst.removesuffix('.part')}: folded {done}; {before} -> {len(model.graph.node)} nodes")


if __name__ == "__main__":
    main()
