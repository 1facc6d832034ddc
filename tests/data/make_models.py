#!/usr/bin/python3
"""Generates the small fixture models used by the JS and C++ tests.

Run with Debian's python3 (python3-onnx, python3-numpy):  /usr/bin/python3 tests/data/make_models.py
Outputs go next to this script; they are small and deterministic, so they are committed.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def save(model, name):
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name))


def add_model():
    """y = a + b with a symbolic batch dim: the smallest end-to-end model."""
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, ["n", 3])
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, ["n", 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 3])
    g = helper.make_graph([helper.make_node("Add", ["a", "b"], ["y"], name="add")], "add", [a, b], [y])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="qwasm-tests")


def mlp_model():
    """A 2-layer MLP classifier (16 -> 32 -> 4) with softmax: the bundled demo model."""
    rng = np.random.default_rng(7)
    w1 = rng.standard_normal((16, 32)).astype(np.float32) * 0.3
    b1 = rng.standard_normal(32).astype(np.float32) * 0.1
    w2 = rng.standard_normal((32, 4)).astype(np.float32) * 0.3
    b2 = rng.standard_normal(4).astype(np.float32) * 0.1
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h0"], name="fc1"),
        helper.make_node("Add", ["h0", "b1"], ["h1"], name="fc1_bias"),
        helper.make_node("Relu", ["h1"], ["h2"], name="relu"),
        helper.make_node("MatMul", ["h2", "w2"], ["h3"], name="fc2"),
        helper.make_node("Add", ["h3", "b2"], ["logits"], name="fc2_bias"),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=-1),
    ]
    inits = [numpy_helper.from_array(v, n) for n, v in [("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)]]
    g = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 16])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", 4]),
         helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 4])],
        inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="qwasm-tests")


def external_model():
    """y = x * w where w (1024 floats) lives in an external file weights.bin."""
    w = (np.arange(1024, dtype=np.float32) * 0.5).reshape(1, 1024)
    t = numpy_helper.from_array(w, "w")
    g = helper.make_graph(
        [helper.make_node("Mul", ["x", "w"], ["y"], name="scale")], "ext",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1024])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1024])], [t])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="qwasm-tests")
    weights = os.path.join(HERE, "external.weights.bin")
    if os.path.exists(weights):
        os.remove(weights)  # onnx appends to an existing file
    onnx.external_data_helper.convert_model_to_external_data(
        m, all_tensors_to_one_file=True, location="external.weights.bin", size_threshold=0)
    onnx.save(m, os.path.join(HERE, "external.onnx"))


def unsupported_op_model():
    """Uses an operator qwasm does not implement, to check the error names it."""
    g = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["r"], name="ok_relu"),
         helper.make_node("FancyOp", ["r"], ["y"], name="mystery", domain="com.example")], "unsupported",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.example", 3)])


def bad_location_model(name, location, length="16"):
    """An external-data reference that must be rejected: it escapes the model dir, or
    its length disagrees with the tensor's dtype and shape (float32 [1, 4] = 16 bytes)."""
    t = numpy_helper.from_array(np.ones((1, 4), np.float32), "w")
    t.data_location = TensorProto.EXTERNAL
    t.ClearField("raw_data")
    for k, v in (("location", location), ("offset", "0"), ("length", length)):
        e = t.external_data.add()
        e.key, e.value = k, v
    g = helper.make_graph(
        [helper.make_node("Mul", ["x", "w"], ["y"], name="scale")], name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], [t])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(m, os.path.join(HERE, name + ".onnx"))


def bfloat16_input_model():
    """y = Cast<float>(x) with x bfloat16: valid, but JS has no bfloat16 array."""
    g = helper.make_graph(
        [helper.make_node("Cast", ["x"], ["y"], name="widen", to=TensorProto.FLOAT)], "bf16_input",
        [helper.make_tensor_value_info("x", TensorProto.BFLOAT16, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def invalid_model(kind):
    """Models the loader must refuse (saved without the checker, which refuses them too):
    two nodes writing one value, or an ai.onnx opset newer than qwasm implements."""
    nodes = [helper.make_node("Relu", ["x"], ["h"], name="first"),
             helper.make_node("Neg", ["x"], ["h" if kind == "two_writers" else "z"], name="second"),
             helper.make_node("Relu", ["h"], ["y"], name="last")]
    g = helper.make_graph(nodes, kind, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    opset = 99 if kind == "opset_too_new" else 17
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    onnx.save(m, os.path.join(HERE, kind + ".onnx"))


def mlp_expected():
    """The MLP's outputs for a fixed input, computed with numpy (the reference)."""
    m = onnx.load(os.path.join(HERE, "mlp.onnx"))
    w = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    x = (np.arange(32, dtype=np.float32).reshape(2, 16) - 16) / 8
    logits = np.maximum(x @ w["w1"] + w["b1"], 0) @ w["w2"] + w["b2"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    return {"x": x.ravel().tolist(), "dims": [2, 16], "logits": logits.ravel().tolist(),
            "probs": probs.ravel().tolist()}


if __name__ == "__main__":
    import json
    save(unsupported_op_model(), "unsupported.onnx")
    bad_location_model("escape_location", "../secret.bin")
    bad_location_model("absolute_location", "/etc/passwd")
    bad_location_model("wrong_length", "external.weights.bin", length="12")
    save(add_model(), "add.onnx")
    save(bfloat16_input_model(), "bfloat16_input.onnx")
    invalid_model("two_writers")
    invalid_model("opset_too_new")
    save(mlp_model(), "mlp.onnx")
    external_model()
    with open(os.path.join(HERE, "mlp.expected.json"), "w") as f:
        json.dump(mlp_expected(), f)
    print("wrote add.onnx, mlp.onnx, external.onnx + external.weights.bin")
