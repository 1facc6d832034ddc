"""A tiny ONNX graph builder shared by the model generators: unique names,
initializers from numpy arrays, nodes with generated output names."""
import numpy as np
from onnx import helper, numpy_helper


class GraphBuilder:
    def __init__(self, seed):
        self.nodes, self.inits, self.rng, self.n = [], [], np.random.default_rng(seed), 0

    def name(self, base):
        self.n += 1
        return f"{base}_{self.n}"

    def init(self, base, array):
        name = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op, inputs, outputs=None, domain="", n_out=1, **attrs):
        """Adds a node; returns its output name (or the list when it has several)."""
        outs = outputs or [self.name(op.lower()) for _ in range(n_out)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=self.name(op), domain=domain, **attrs))
        return outs if len(outs) > 1 else outs[0]
