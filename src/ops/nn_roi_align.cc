// RoiAlign (opsets 10/16): each region of interest is split into output_height x
// output_width bins, each bin averages (or max-pools) bilinear samples on a regular
// grid, as in Mask R-CNN and the ONNX reference; samples outside [-1, size] count as 0.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "ops/half_via_float.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// Bilinear sample of an [H, W] plane; one weighted corner list, max mode takes the largest.
float sample(const float* p, int64_t H, int64_t W, double y, double x, bool max_mode) {
  if (y < -1.0 || y > double(H) || x < -1.0 || x > double(W)) return 0.0f;
  y = std::max(y, 0.0), x = std::max(x, 0.0);
  int64_t y0 = int64_t(y), x0 = int64_t(x), y1, x1;
  if (y0 >= H - 1) y1 = y0 = H - 1, y = double(y0);
  else y1 = y0 + 1;
  if (x0 >= W - 1) x1 = x0 = W - 1, x = double(x0);
  else x1 = x0 + 1;
  const double ly = y - double(y0), lx = x - double(x0), hy = 1 - ly, hx = 1 - lx;
  const double v[4] = {hy * hx * p[y0 * W + x0], hy * lx * p[y0 * W + x1], ly * hx * p[y1 * W + x0],
                       ly * lx * p[y1 * W + x1]};
  if (max_mode) return float(std::max(std::max(v[0], v[1]), std::max(v[2], v[3])));
  return float(v[0] + v[1] + v[2] + v[3]);
}

void roi_align(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& rois = ctx.in(1);
  const Tensor& bi = ctx.in(2);
  QWASM_CHECK(x.dtype() == DType::Float32 && x.rank() == 4, n.label(), ": X must be float [N, C, H, W]");
  QWASM_CHECK(rois.rank() == 2 && rois.dim(1) == 4 && bi.size() == rois.dim(0), n.label(),
              ": rois must be [R, 4] with R batch_indices, got ", shape_str(rois.shape()));
  const std::string mode = n.attr_s("mode", "avg");
  QWASM_CHECK(mode == "avg" || mode == "max", n.label(), ": unknown mode '", mode, "'");
  const bool max_mode = mode == "max";
  const bool half_pixel = n.attr_s("coordinate_transformation_mode", n.opset >= 16 ? "half_pixel" : "output_half_pixel") ==
                          "half_pixel";
  const int64_t oh = n.attr_i("output_height", 1), ow = n.attr_i("output_width", 1), ratio = n.attr_i("sampling_ratio", 0);
  const double scale = n.attr_f("spatial_scale", 1.0f), offset = half_pixel ? 0.5 : 0.0;
  QWASM_CHECK(oh > 0 && ow > 0 && ratio >= 0, n.label(), ": output sizes must be positive, sampling_ratio >= 0");
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), R = rois.dim(0);
  Tensor& y = ctx.output(0, DType::Float32, {R, C, oh, ow});
  for (int64_t r = 0; r < R; ++r) {
    const int64_t b = bi.get_i64(r);
    QWASM_CHECK(b >= 0 && b < N, n.label(), ": batch index ", b, " is outside [0, ", N, ")");
    const float* roi = rois.data<float>() + r * 4;
    const double sw = roi[0] * scale - offset, sh = roi[1] * scale - offset;
    double rw = roi[2] * scale - offset - sw, rh = roi[3] * scale - offset - sh;
    if (!half_pixel) rw = std::max(rw, 1.0), rh = std::max(rh, 1.0);
    const double bh = rh / double(oh), bw = rw / double(ow);
    const int64_t gh = ratio > 0 ? ratio : int64_t(std::ceil(rh / double(oh)));
    const int64_t gw = ratio > 0 ? ratio : int64_t(std::ceil(rw / double(ow)));
    const double count = double(std::max<int64_t>(gh * gw, 1));
    for (int64_t c = 0; c < C; ++c) {
      const float* p = x.data<float>() + (b * C + c) * H * W;
      float* yp = y.data<float>() + (r * C + c) * oh * ow;
      for (int64_t ph = 0; ph < oh; ++ph)
        for (int64_t pw = 0; pw < ow; ++pw) {
          double acc = 0;
          bool first = true;
          for (int64_t iy = 0; iy < gh; ++iy)
            for (int64_t ix = 0; ix < gw; ++ix) {
              const double sy = sh + double(ph) * bh + (double(iy) + 0.5) * bh / double(gh);
              const double sx = sw + double(pw) * bw + (double(ix) + 0.5) * bw / double(gw);
              const float v = sample(p, H, W, sy, sx, max_mode);
              if (!max_mode) {
                acc += v;
              } else {
                acc = first ? double(v) : std::max(acc, double(v));
                first = false;
              }
            }
          yp[ph * ow + pw] = float(max_mode ? acc : acc / count);
        }
    }
  }
}

}  // namespace

void register_nn_roi_align_ops(OpRegistry& r) { r.add("", "RoiAlign", 10, half_via_float(roi_align)); }

}  // namespace qwasm
