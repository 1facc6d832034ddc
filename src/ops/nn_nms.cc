// NonMaxSuppression: per batch and class, boxes by descending score (ties by lower
// index), each kept unless its IoU with a kept box exceeds iou_threshold, up to
// max_output_boxes_per_class; output rows are [batch, class, box].
#include <algorithm>
#include <array>
#include <numeric>
#include <vector>

#include "ops/registry.h"

namespace qwasm {
namespace {

using Box = std::array<float, 4>;  // y1, x1, y2, x2 with y1 <= y2, x1 <= x2

Box corners(const Tensor& boxes, int64_t at, bool center) {
  float v[4];
  for (int k = 0; k < 4; ++k) v[k] = float(boxes.get_f64(at + k));
  if (center) return {v[1] - v[3] / 2, v[0] - v[2] / 2, v[1] + v[3] / 2, v[0] + v[2] / 2};
  return {std::min(v[0], v[2]), std::min(v[1], v[3]), std::max(v[0], v[2]), std::max(v[1], v[3])};
}

float iou(const Box& a, const Box& b) {
  const float ih = std::min(a[2], b[2]) - std::max(a[0], b[0]), iw = std::min(a[3], b[3]) - std::max(a[1], b[1]);
  if (ih <= 0 || iw <= 0) return 0.0f;
  const float inter = ih * iw;
  const float uni = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return uni > 0 ? inter / uni : 0.0f;
}

void non_max_suppression(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& boxes = ctx.in(0);
  const Tensor& scores = ctx.in(1);
  QWASM_CHECK(boxes.rank() == 3 && boxes.dim(2) == 4, n.label(), ": boxes must be [B, N, 4], got ",
              shape_str(boxes.shape()));
  QWASM_CHECK(scores.rank() == 3 && scores.dim(0) == boxes.dim(0) && scores.dim(2) == boxes.dim(1), n.label(),
              ": scores must be [B, C, N] matching boxes, got ", shape_str(scores.shape()));
  auto scalar = [&](size_t i, double def) {
    const Tensor* t = ctx.input(i);
    return t && t->size() > 0 ? t->get_f64(0) : def;
  };
  const int64_t max_out = ctx.input(2) && ctx.input(2)->size() > 0 ? ctx.input(2)->get_i64(0) : 0;
  const float iou_th = float(scalar(3, 0.0)), score_th = float(scalar(4, 0.0));
  const bool has_score_th = ctx.input(4) && ctx.input(4)->size() > 0;
  const bool center = n.attr_i("center_point_box", 0) != 0;
  const int64_t B = boxes.dim(0), N = boxes.dim(1), C = scores.dim(1);
  std::vector<int64_t> rows;  // flattened [batch, class, box] triples
  std::vector<Box> bx(static_cast<size_t>(N));
  std::vector<int64_t> order, kept;
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t i = 0; i < N; ++i) bx[size_t(i)] = corners(boxes, (b * N + i) * 4, center);
    for (int64_t c = 0; c < C; ++c) {
      const int64_t base = (b * C + c) * N;
      order.clear();
      for (int64_t i = 0; i < N; ++i)
        if (!has_score_th || float(scores.get_f64(base + i)) > score_th) order.push_back(i);
      // Ties by lower index (std::sort with the index as the tie-break, not stable_sort,
      // whose libstdc++ buffer clang-19 flags as deprecated).
      std::sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
        const double sx = scores.get_f64(base + x), sy = scores.get_f64(base + y);
        return sx != sy ? sx > sy : x < y;
      });
      kept.clear();
      for (int64_t i : order) {
        if (int64_t(kept.size()) >= max_out) break;
        bool keep = true;
        for (int64_t k : kept)
          if (iou(bx[size_t(i)], bx[size_t(k)]) > iou_th) { keep = false; break; }
        if (!keep) continue;
        kept.push_back(i);
        rows.insert(rows.end(), {b, c, i});
      }
    }
  }
  Tensor& y = ctx.output(0, DType::Int64, {int64_t(rows.size() / 3), 3});
  std::copy(rows.begin(), rows.end(), y.data<int64_t>());
}

}  // namespace

void register_nn_nms_ops(OpRegistry& r) { r.add_fn("", "NonMaxSuppression", 10, non_max_suppression); }

}  // namespace qwasm
