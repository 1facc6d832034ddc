// Permutations of whole tensors: Transpose, DepthToSpace, SpaceToDepth. All
// three are one permute_copy (tiled when the innermost dim moves).
#include "ops/registry.h"
#include "ops/shape_util.h"
#include "ops/strided_copy.h"

namespace qwasm {
namespace {

void check_transpose(const Node& n) {
  auto perm = n.attr_ints("perm");
  std::vector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    QWASM_CHECK(p >= 0 && p < int64_t(perm.size()) && !seen[size_t(p)], n.label(), ": perm ",
                shape_str(Shape(perm.begin(), perm.end())), " is not a permutation");
    seen[size_t(p)] = true;
  }
}

void transpose(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const int64_t r = x.rank();
  std::vector<int64_t> perm = n.attr_ints("perm");
  if (perm.empty())
    for (int64_t i = r - 1; i >= 0; --i) perm.push_back(i);
  QWASM_CHECK(int64_t(perm.size()) == r, n.label(), ": perm has ", perm.size(), " entries for an input of rank ", r);
  Shape out_shape(static_cast<size_t>(r));
  for (int64_t i = 0; i < r; ++i) out_shape[size_t(i)] = x.dim(perm[size_t(i)]);
  const size_t es = moved_elem_size(x, n);
  Tensor& out = ctx.output(0, x.dtype(), out_shape);
  permute_copy(out.raw(), x.raw(), es, x.shape(), perm);
}

void check_blocksize(const Node& n) {
  QWASM_CHECK(n.attr_i("blocksize") > 0, n.label(), ": blocksize must be positive");
  const std::string mode = n.attr_s("mode", "DCR");
  QWASM_CHECK(mode == "DCR" || mode == "CRD", n.label(), ": mode must be DCR or CRD, got '", mode, "'");
}

void depth_to_space(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  QWASM_CHECK(x.rank() == 4, n.label(), ": input must be 4-D [N,C,H,W], got ", shape_str(x.shape()));
  const int64_t b = n.attr_i("blocksize");
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  QWASM_CHECK(C % (b * b) == 0, n.label(), ": channels ", C, " not divisible by blocksize^2 = ", b * b);
  const int64_t c = C / (b * b);
  Shape view;
  std::vector<int64_t> perm;
  if (n.attr_s("mode", "DCR") == "DCR") {
    view = {N, b, b, c, H, W};  // depth split as (b1, b2, c)
    perm = {0, 3, 4, 1, 5, 2};
  } else {
    view = {N, c, b, b, H, W};  // depth split as (c, b1, b2)
    perm = {0, 1, 4, 2, 5, 3};
  }
  const size_t es = moved_elem_size(x, n);
  Tensor& out = ctx.output(0, x.dtype(), {N, c, H * b, W * b});
  permute_copy(out.raw(), x.raw(), es, view, perm);
}

void space_to_depth(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  QWASM_CHECK(x.rank() == 4, n.label(), ": input must be 4-D [N,C,H,W], got ", shape_str(x.shape()));
  const int64_t b = n.attr_i("blocksize");
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  QWASM_CHECK(H % b == 0 && W % b == 0, n.label(), ": spatial dims ", H, "x", W, " not divisible by blocksize ", b);
  const size_t es = moved_elem_size(x, n);
  Tensor& out = ctx.output(0, x.dtype(), {N, C * b * b, H / b, W / b});
  permute_copy(out.raw(), x.raw(), es, {N, C, H / b, b, W / b, b}, {0, 3, 5, 1, 2, 4});
}

}  // namespace

void register_shape_transpose_ops(OpRegistry& r) {
  r.add("", "Transpose", 1, validated(check_transpose, transpose), kMovesValues);
  r.add("", "DepthToSpace", 1, validated(check_blocksize, depth_to_space));
  r.add("", "SpaceToDepth", 1, validated(check_blocksize, space_to_depth));
}

}  // namespace qwasm
