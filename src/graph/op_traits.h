// What code other than an operator's own kernel may assume about the operator: the
// executor (may it compute the node at load?) and the graph passes (may a rewrite move
// the op onto other data?). Each op declares its traits where it registers
// (ops/registry.h, OpRegistry::add); the type lives here, in the graph layer, because
// the passes below ops read it: the runtime hands them a lookup (optimize_graph) built
// from the registry, so graph/ never includes ops/.
#pragma once
#include <functional>

#include "graph/graph.h"

namespace qwasm {

struct OpTraits {
  // Never computed at load, even when every input is constant: the result is random
  // (RandomNormal, Multinomial, ...), the op has subgraphs (If, Loop, Scan), or folding
  // would materialise what must stay small (DequantizeLinear: a float copy of
  // quantized weights).
  bool never_fold = false;
  // Output 0 holds elements of input 0 rearranged, nothing computed, for any element
  // type (the other inputs only say where they go): a QDQ chain DQ -> op -> Q with one
  // scale and zero point may run the op on the quantized bytes (graph/passes/fuse_qdq.cc).
  bool moves_values = false;
  // The op accepts sequence and empty-optional values (graph/tensor.h ValueKind) as
  // inputs; the executor refuses to give them to any op without this flag.
  bool takes_sequences = false;
};

// The usual sets, for registrations to name.
inline constexpr OpTraits kNeverFold{/*never_fold=*/true, /*moves_values=*/false};
inline constexpr OpTraits kMovesValues{/*never_fold=*/false, /*moves_values=*/true};
inline constexpr OpTraits kTakesSequences{/*never_fold=*/false, /*moves_values=*/false, /*takes_sequences=*/true};
// If / Loop / Scan: run subgraphs, so never folded, and forward any value kind.
inline constexpr OpTraits kControlFlow{/*never_fold=*/true, /*moves_values=*/false, /*takes_sequences=*/true};

// The traits of a node's op at the node's opset; defaults for an op nobody registered.
using OpTraitsOf = std::function<OpTraits(const Node&)>;

}  // namespace qwasm
