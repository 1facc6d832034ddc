#include "graph/passes/passes.h"

namespace qwasm {

void optimize_graph(Model& m, const OpTraitsOf& traits) {
  // Chains first: the weight-only pass would otherwise take the MatMul out of a QDQ group.
  // Called through pointers the optimizers cannot see through (volatile): binaryen inlines
  // every function with a single caller, which merged the passes into one 68 KB wasm
  // function. V8 compiles a hot function with its optimizing tier in the background, and
  // for that one it needed a 17 MB compiler zone in the middle of loading a model, for
  // code that runs once (0.5B q4 model, Node 22: peak load RSS 490-492 -> 470-473 MiB).
  // fold_batchnorm and fuse_hardswish before fuse_conv_epilogue: Conv -> BN -> Relu becomes
  // Conv -> Relu first.
  // square_pow_to_mul after fuse_layernorm, whose pattern holds a Pow 2.
  // fuse_qdq alone reads op traits, so it runs first through a pointer of its own.
  // remove_identities before everything: an Identity inside a pattern would hide it.
  using Pass = void (*)(Model&);
  static Pass volatile const kFirst = remove_identities;
  kFirst(m);
  using TraitsPass = void (*)(Model&, const OpTraitsOf&);
  static TraitsPass volatile const kQdq = fuse_qdq;
  kQdq(m, traits);
  static Pass volatile const kPasses[] = {fuse_dynamic_quant_matmul, gather_into_dynamic_matmul,
                                          fuse_weight_dequant_matmul, fuse_gelu, fuse_layernorm,
                                          fold_batchnorm, fuse_hardswish, fuse_conv_epilogue,
                                          square_pow_to_mul};
  for (Pass pass : kPasses) pass(m);
}

}  // namespace qwasm
