// Calibration arithmetic, independent of ONNX and of the runtime: what range of an
// activation to quantize, from the values seen while the float model ran on the
// calibration data.
//   minmax:     the whole observed range.
//   percentile: the range that keeps all but (100 - p)% of the values at each end, read off a
//               histogram of the values over the observed [min, max].
//   entropy:    TensorRT's KL method on a histogram of |x| over [0, max |x|]: the threshold
//               whose clipped, 128-level quantized distribution diverges least from the
//               observed one; the range is the observed one clipped to [-t, t].
// Every range is widened to include 0 (so 0 is exact, as zero padding needs).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace qwasm {

struct Range {
  float lo = 0, hi = 0;
};

// Counts of values in `bins` equal bins over [lo, hi]; values outside go to the end bins.
struct Histogram {
  float lo = 0, hi = 0;
  std::vector<double> counts;
  Histogram() = default;
  Histogram(float lo_, float hi_, int bins) : lo(lo_), hi(hi_), counts(size_t(bins), 0.0) {}
  void add(const float* x, size_t n, bool absolute);
  double total() const;
  float width() const { return counts.empty() ? 0.0f : (hi - lo) / float(counts.size()); }
};

// p in (0, 100]: hi = the upper edge of the first bin where the count from below reaches
// p% of the total; lo = the lower edge of the last bin where the count from above does.
Range percentile_range(const Histogram& h, double p);

// TensorRT's entropy calibration on a histogram of |x| (bin i covers [i w, (i + 1) w)):
// for each i from `levels` to the bin count, P = bins [0, i) with the count beyond added to
// bin i - 1; Q = those i bins merged into `levels` groups (group l is bins
// [floor(l i / levels), floor((l + 1) i / levels))), each group's count spread evenly over
// its bins that are non-zero; KL(P || Q) of the normalised two (infinite where Q is 0 and P is
// not). Returns the i with the least divergence (the smallest on ties); the threshold is i w.
int entropy_bins(const std::vector<double>& abs_hist, int levels = 128);

// Scale and zero point for [lo, hi] (widened to include 0) over the integer range [qmin, qmax]:
// scale = (hi - lo) / (qmax - qmin) (1 for an all-zero range), zero point
// = clamp(round(qmin - lo / scale), qmin, qmax).
struct QParams {
  float scale = 1;
  int32_t zero_point = 0;
};
QParams affine_params(Range r, int32_t qmin, int32_t qmax);

}  // namespace qwasm
