#include "ops/conv_geometry.h"

namespace qwasm {

ConvGeometry ConvGeometry::make(const Node& n, const std::vector<int64_t>& in, const std::vector<int64_t>& kernel,
                                bool ceil_mode) {
  const size_t r = in.size();
  ConvGeometry g;
  g.in = in;
  g.kernel = kernel;
  g.stride = n.attr_ints("strides", std::vector<int64_t>(r, 1));
  g.dilation = n.attr_ints("dilations", std::vector<int64_t>(r, 1));
  std::vector<int64_t> pads = n.attr_ints("pads", std::vector<int64_t>(2 * r, 0));
  QWASM_CHECK(kernel.size() == r && g.stride.size() == r && g.dilation.size() == r && pads.size() == 2 * r,
              n.label(), ": kernel_shape/strides/dilations/pads do not match ", r, " spatial dims");
  const std::string auto_pad = n.attr_s("auto_pad", "NOTSET");
  g.pad_lo.assign(pads.begin(), pads.begin() + long(r));
  g.pad_hi.assign(pads.begin() + long(r), pads.end());
  for (size_t i = 0; i < r; ++i) {
    QWASM_CHECK(g.stride[i] > 0 && g.dilation[i] > 0 && kernel[i] > 0, n.label(), ": invalid kernel/stride/dilation");
    const int64_t ek = (kernel[i] - 1) * g.dilation[i] + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const int64_t o = (in[i] + g.stride[i] - 1) / g.stride[i];
      const int64_t total = std::max<int64_t>((o - 1) * g.stride[i] + ek - in[i], 0);
      g.pad_lo[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      g.pad_hi[i] = total - g.pad_lo[i];
    } else if (auto_pad == "VALID") {
      g.pad_lo[i] = g.pad_hi[i] = 0;
    } else {
      QWASM_CHECK(auto_pad == "NOTSET", n.label(), ": unknown auto_pad '", auto_pad, "'");
    }
    const int64_t span = in[i] + g.pad_lo[i] + g.pad_hi[i] - ek;
    QWASM_CHECK(span >= 0, n.label(), ": kernel larger than the padded input");
    int64_t o = (ceil_mode ? (span + g.stride[i] - 1) / g.stride[i] : span / g.stride[i]) + 1;
    // A ceil-mode window must start inside the input or the left padding.
    if (ceil_mode && (o - 1) * g.stride[i] >= in[i] + g.pad_lo[i]) --o;
    g.out.push_back(o);
  }
  return g;
}

int64_t ConvGeometry::out_size() const {
  int64_t n = 1;
  for (int64_t o : out) n *= o;
  return n;
}

int64_t ConvGeometry::kernel_size() const {
  int64_t n = 1;
  for (int64_t k : kernel) n *= k;
  return n;
}

}  // namespace qwasm
