// GridSample (opsets 16 and 20): samples X at the normalised grid points with nearest,
// bilinear or bicubic (A = -0.75) interpolation and zeros/border/reflection padding,
// following the ONNX reference's order of operations (computed in double). Opset 20 renamed
// the modes 'linear' and 'cubic' and allows 5-D volumes ([N, C, D, H, W] with a grid of
// [N, Do, Ho, Wo, 3] (x, y, z) points): nearest and trilinear there; the spec (and
// onnxruntime) define cubic for 4-D only.
#include <cmath>
#include <cstring>
#include <string>

#include "ops/half_via_float.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

enum class Pad { Zeros, Border, Reflection };

struct Plane {
  const float* p;
  int64_t h, w;
  Pad pad;
  double lo_x, hi_x, lo_y, hi_y;  // the reflection borders
};

double reflect(double x, double lo, double hi) {
  const double rng = hi - lo;
  if (x < lo) {
    const double dx = lo - x, r = dx - double(int64_t(dx / rng)) * rng;
    return int64_t(dx / rng) % 2 == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const double dx = x - hi, r = dx - double(int64_t(dx / rng)) * rng;
    return int64_t(dx / rng) % 2 == 0 ? hi - r : lo + r;
  }
  return x;
}

double clampd(double v, double lo, double hi) { return v < lo ? lo : (v > hi ? hi : v); }

double pixel(const Plane& pl, int64_t r, int64_t c) {
  if (pl.pad == Pad::Zeros) return r >= 0 && r < pl.h && c >= 0 && c < pl.w ? pl.p[r * pl.w + c] : 0.0;
  if (pl.pad == Pad::Border) {
    r = int64_t(clampd(double(r), 0, double(pl.h - 1))), c = int64_t(clampd(double(c), 0, double(pl.w - 1)));
  } else {
    c = int64_t(reflect(double(c), pl.lo_x, pl.hi_x)), r = int64_t(reflect(double(r), pl.lo_y, pl.hi_y));
  }
  return pl.p[r * pl.w + c];
}

void cubic_coeffs(double x, double c[4]) {
  const double a = -0.75;
  x = std::fabs(x);
  c[0] = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a;
  c[1] = ((a + 2) * x - (a + 3)) * x * x + 1;
  c[2] = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1;
  c[3] = ((a * (2 - x) - 5 * a) * (2 - x) + 8 * a) * (2 - x) - 4 * a;
}

double sample(const Plane& pl, const std::string& mode, double x, double y) {
  if (mode == "nearest") return pixel(pl, int64_t(std::nearbyint(y)), int64_t(std::nearbyint(x)));
  if (mode == "bilinear") {
    const double x1 = std::floor(x), y1 = std::floor(y), dx1 = x - x1, dy1 = y - y1;
    const int64_t c = int64_t(x1), r = int64_t(y1);
    return (1 - dy1) * ((1 - dx1) * pixel(pl, r, c) + dx1 * pixel(pl, r, c + 1)) +
           dy1 * ((1 - dx1) * pixel(pl, r + 1, c) + dx1 * pixel(pl, r + 1, c + 1));
  }
  const int64_t x0 = int64_t(std::floor(x)) - 1, y0 = int64_t(std::floor(y)) - 1;
  double cx[4], cy[4];
  cubic_coeffs(x - double(x0) - 1, cx);
  cubic_coeffs(y - double(y0) - 1, cy);
  double acc = 0;
  for (int i = 0; i < 4; ++i) {
    double row = 0;
    for (int j = 0; j < 4; ++j) row += cx[j] * pixel(pl, y0 + i, x0 + j);
    acc += cy[i] * row;
  }
  return acc;
}

// The 5-D case: a volume of D planes, sampled at (x, y, z).
struct Volume {
  Plane plane;  // plane.p: the first plane of the channel; h, w and the x / y borders
  int64_t d;
  double lo_z, hi_z;
};

double voxel(const Volume& v, int64_t z, int64_t r, int64_t c) {
  const Plane& pl = v.plane;
  if (pl.pad == Pad::Zeros) {
    if (z < 0 || z >= v.d) return 0.0;
  } else if (pl.pad == Pad::Border) {
    z = int64_t(clampd(double(z), 0, double(v.d - 1)));
  } else {
    z = int64_t(reflect(double(z), v.lo_z, v.hi_z));
  }
  Plane at = pl;
  at.p = pl.p + z * pl.h * pl.w;
  return pixel(at, r, c);
}

double sample_volume(const Volume& v, bool nearest, double x, double y, double z) {
  if (nearest) return voxel(v, int64_t(std::nearbyint(z)), int64_t(std::nearbyint(y)), int64_t(std::nearbyint(x)));
  const double x1 = std::floor(x), y1 = std::floor(y), z1 = std::floor(z);
  const double dx = x - x1, dy = y - y1, dz = z - z1;
  const int64_t c = int64_t(x1), r = int64_t(y1), k = int64_t(z1);
  auto bilinear = [&](int64_t zz) {
    return (1 - dy) * ((1 - dx) * voxel(v, zz, r, c) + dx * voxel(v, zz, r, c + 1)) +
           dy * ((1 - dx) * voxel(v, zz, r + 1, c) + dx * voxel(v, zz, r + 1, c + 1));
  };
  return (1 - dz) * bilinear(k) + dz * bilinear(k + 1);
}

void grid_sample_3d(const Node& n, const Tensor& x, const Tensor& grid, const std::string& mode, Pad pad,
                    bool align, OpContext& ctx) {
  QWASM_CHECK(mode != "bicubic", n.label(), ": cubic mode is defined for 4-D input only, X is ",
              shape_str(x.shape()));
  QWASM_CHECK(grid.rank() == 5 && grid.dim(0) == x.dim(0) && grid.dim(4) == 3, n.label(),
              ": X [N, C, D, H, W] needs a grid [N, Do, Ho, Wo, 3], got ", shape_str(x.shape()), " and ",
              shape_str(grid.shape()));
  const int64_t N = x.dim(0), C = x.dim(1), D = x.dim(2), H = x.dim(3), W = x.dim(4);
  const int64_t Do = grid.dim(1), Ho = grid.dim(2), Wo = grid.dim(3), S = Do * Ho * Wo;
  QWASM_CHECK((D > 0 && H > 0 && W > 0) || N * C * S == 0, n.label(), ": cannot sample an empty volume ",
              shape_str(x.shape()));
  auto lo = [&](int64_t) { return align ? 0.0 : -0.5; };
  auto hi = [&](int64_t len) { return align ? double(len - 1) : double(len) - 0.5; };
  Volume v{Plane{nullptr, H, W, pad, lo(W), hi(W), lo(H), hi(H)}, D, lo(D), hi(D)};
  auto denorm = [&](double g, int64_t len) { return align ? (g + 1) / 2 * double(len - 1) : ((g + 1) * double(len) - 1) / 2; };
  const bool nearest = mode == "nearest";
  Tensor& y = ctx.output(0, DType::Float32, {N, C, Do, Ho, Wo});
  const float* g = grid.data<float>();
  for (int64_t b = 0; b < N; ++b)
    for (int64_t ch = 0; ch < C; ++ch) {
      v.plane.p = x.data<float>() + (b * C + ch) * D * H * W;
      float* yp = y.data<float>() + (b * C + ch) * S;
      for (int64_t o = 0; o < S; ++o) {
        const float* gp = g + (b * S + o) * 3;
        double sx = denorm(gp[0], W), sy = denorm(gp[1], H), sz = denorm(gp[2], D);
        if (nearest) sx = std::nearbyint(sx), sy = std::nearbyint(sy), sz = std::nearbyint(sz);
        const Plane& pl = v.plane;
        if (sx < pl.lo_x || sx > pl.hi_x || sy < pl.lo_y || sy > pl.hi_y || sz < v.lo_z || sz > v.hi_z) {
          if (pad == Pad::Border) {
            sx = clampd(sx, 0, double(W - 1)), sy = clampd(sy, 0, double(H - 1)), sz = clampd(sz, 0, double(D - 1));
          } else if (pad == Pad::Reflection) {
            sx = reflect(sx, pl.lo_x, pl.hi_x), sy = reflect(sy, pl.lo_y, pl.hi_y), sz = reflect(sz, v.lo_z, v.hi_z);
          }
        }
        yp[o] = float(sample_volume(v, nearest, sx, sy, sz));
      }
    }
}

void grid_sample(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& grid = ctx.in(1);
  QWASM_CHECK(x.dtype() == DType::Float32 && grid.dtype() == DType::Float32, n.label(), ": float inputs required");
  QWASM_CHECK(x.rank() == 4 || (x.rank() == 5 && n.opset >= 20), n.label(), ": X must be [N, C, H, W]",
              n.opset >= 20 ? " or [N, C, D, H, W]" : " (5-D volumes from opset 20)", ", got ", shape_str(x.shape()));
  // Opset 16 spells the modes bilinear/bicubic, opset 20 linear/cubic: accept both, work in the former.
  std::string mode = n.attr_s("mode", "bilinear");
  const std::string pm = n.attr_s("padding_mode", "zeros");
  if (mode == "linear") mode = "bilinear";
  if (mode == "cubic") mode = "bicubic";
  QWASM_CHECK(mode == "nearest" || mode == "bilinear" || mode == "bicubic", n.label(), ": unknown mode '", mode,
              "' (expected nearest, linear/bilinear or cubic/bicubic)");
  QWASM_CHECK(pm == "zeros" || pm == "border" || pm == "reflection", n.label(), ": unknown padding_mode '", pm, "'");
  const bool align = n.attr_i("align_corners", 0) != 0;
  const Pad pad = pm == "zeros" ? Pad::Zeros : pm == "border" ? Pad::Border : Pad::Reflection;
  if (x.rank() == 5) return grid_sample_3d(n, x, grid, mode, pad, align, ctx);
  QWASM_CHECK(grid.rank() == 4 && grid.dim(0) == x.dim(0) && grid.dim(3) == 2, n.label(),
              ": X [N, C, H, W] needs a grid [N, Ho, Wo, 2], got ", shape_str(x.shape()), " and ",
              shape_str(grid.shape()));
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), Ho = grid.dim(1), Wo = grid.dim(2);
  QWASM_CHECK((H > 0 && W > 0) || N * C * Ho * Wo == 0, n.label(), ": cannot sample an empty image ",
              shape_str(x.shape()));
  Plane pl{nullptr, H, W, pad,
           align ? 0.0 : -0.5, align ? double(W - 1) : double(W) - 0.5,
           align ? 0.0 : -0.5, align ? double(H - 1) : double(H) - 0.5};
  auto denorm = [&](double v, int64_t len) { return align ? (v + 1) / 2 * double(len - 1) : ((v + 1) * double(len) - 1) / 2; };
  Tensor& y = ctx.output(0, DType::Float32, {N, C, Ho, Wo});
  const float* g = grid.data<float>();
  for (int64_t b = 0; b < N; ++b)
    for (int64_t c = 0; c < C; ++c) {
      pl.p = x.data<float>() + (b * C + c) * H * W;
      float* yp = y.data<float>() + (b * C + c) * Ho * Wo;
      for (int64_t o = 0; o < Ho * Wo; ++o) {
        double sx = denorm(g[(b * Ho * Wo + o) * 2], W), sy = denorm(g[(b * Ho * Wo + o) * 2 + 1], H);
        if (mode == "nearest") sx = std::nearbyint(sx), sy = std::nearbyint(sy);
        if (sx < pl.lo_x || sx > pl.hi_x || sy < pl.lo_y || sy > pl.hi_y) {
          if (pl.pad == Pad::Border) sx = clampd(sx, 0, double(W - 1)), sy = clampd(sy, 0, double(H - 1));
          else if (pl.pad == Pad::Reflection) sx = reflect(sx, pl.lo_x, pl.hi_x), sy = reflect(sy, pl.lo_y, pl.hi_y);
        }
        yp[o] = float(sample(pl, mode, sx, sy));
      }
    }
}

}  // namespace

void register_nn_grid_sample_ops(OpRegistry& r) { r.add("", "GridSample", 16, half_via_float(grid_sample)); }

}  // namespace qwasm
