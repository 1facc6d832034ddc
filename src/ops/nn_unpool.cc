// MaxUnpool: scatters X into a zero tensor at MaxPool's flat indices. The indices
// address the shape inferred from kernel/strides/pads; with output_shape given, each
// is re-addressed to the same coordinates in that (possibly larger) shape.
#include <cstring>
#include <vector>

#include "ops/registry.h"
#include "ops/shape_util.h"

namespace qwasm {
namespace {

void max_unpool(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& idx = ctx.in(1);
  QWASM_CHECK(x.rank() >= 3, n.label(), ": input of rank >= 3 required, got ", shape_str(x.shape()));
  QWASM_CHECK(idx.shape() == x.shape(), n.label(), ": indices shape ", shape_str(idx.shape()), " != X shape ",
              shape_str(x.shape()));
  const size_t r = size_t(x.rank() - 2);
  const std::vector<int64_t> kernel = n.attr_ints("kernel_shape");
  const std::vector<int64_t> stride = n.attr_ints("strides", std::vector<int64_t>(r, 1));
  const std::vector<int64_t> pads = n.attr_ints("pads", std::vector<int64_t>(2 * r, 0));
  QWASM_CHECK(kernel.size() == r && stride.size() == r && pads.size() == 2 * r, n.label(),
              ": kernel_shape/strides/pads do not match ", r, " spatial dims");
  Shape out = {x.dim(0), x.dim(1)};
  for (size_t i = 0; i < r; ++i) out.push_back((x.dim(int64_t(i + 2)) - 1) * stride[i] - pads[i] - pads[i + r] + kernel[i]);
  const Shape inferred = out;
  const Tensor* os = ctx.input(2);
  if (os && os->size() > 0) {
    out = ints_of(*os);
    QWASM_CHECK(out.size() == size_t(x.rank()) && out[0] == x.dim(0) && out[1] == x.dim(1), n.label(),
                ": output_shape must be [N, C, ...] of rank ", x.rank());
  }
  const size_t es = moved_elem_size(x, n);
  Tensor& y = ctx.output(0, x.dtype(), out);
  std::memset(y.raw(), 0, y.bytes());
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(y.raw());
  const int64_t inferred_size = shape_size(inferred);
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t rem = idx.get_i64(i), at = 0, mul = 1;
    QWASM_CHECK(rem >= 0 && rem < inferred_size, n.label(), ": index ", rem, " is outside the unpooled shape ",
                shape_str(inferred));
    for (size_t d = inferred.size(); d-- > 0;) {
      const int64_t c = rem % inferred[d];
      rem /= inferred[d];
      QWASM_CHECK(c < out[d], n.label(), ": index falls outside output_shape ", shape_str(out));
      at += c * mul;
      mul *= out[d];
    }
    std::memcpy(dst + size_t(at) * es, src + size_t(i) * es, es);
  }
}

}  // namespace

void register_nn_unpool_ops(OpRegistry& r) { r.add_fn("", "MaxUnpool", 9, max_unpool); }

}  // namespace qwasm
