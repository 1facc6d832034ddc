// Spatial geometry shared by Conv, ConvInteger, QLinearConv and the pools:
// kernel, strides, dilations, pads (incl. auto_pad) and output sizes.
#pragma once
#include <string>
#include <vector>

#include "graph/graph.h"

namespace qwasm {

struct ConvGeometry {
  std::vector<int64_t> in, kernel, stride, dilation, pad_lo, pad_hi, out;

  // `in` = spatial input dims, `kernel` = spatial kernel dims. ceil_mode for pools.
  static ConvGeometry make(const Node& n, const std::vector<int64_t>& in, const std::vector<int64_t>& kernel,
                           bool ceil_mode = false);
  int64_t out_size() const;
  int64_t kernel_size() const;
};

}  // namespace qwasm
