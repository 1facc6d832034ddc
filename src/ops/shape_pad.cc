// Pad: constant / reflect / edge / wrap, with pads as an attribute before opset
// 11, as an input from 11, and an optional axes input from 18. Negative pads
// crop. Each output dim gets a map to its source coordinate (-1 = fill value);
// the innermost dim is then cut into runs so interior rows move with memcpy.
#include <cstring>

#include "ops/registry.h"
#include "ops/shape_util.h"

namespace qwasm {
namespace {

enum class Mode { Constant, Reflect, Edge, Wrap };

Mode mode_of(const Node& n) {
  const std::string m = n.attr_s("mode", "constant");
  if (m == "constant") return Mode::Constant;
  if (m == "reflect") return Mode::Reflect;
  if (m == "edge") return Mode::Edge;
  if (m == "wrap" && n.opset >= 19) return Mode::Wrap;
  fail(n.label(), ": unknown mode '", m, "' (constant, reflect, edge; wrap from opset 19)");
}

void check_pad(const Node& n) { mode_of(n); }

// Source coordinate of each output coordinate along one dim (-1: fill value).
std::vector<int64_t> coord_map(int64_t dim, int64_t lo, int64_t out, Mode mode) {
  std::vector<int64_t> m(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    int64_t c = o - lo;
    if (c < 0 || c >= dim) {
      switch (mode) {
        case Mode::Constant: c = -1; break;
        case Mode::Edge: c = c < 0 ? 0 : dim - 1; break;
        case Mode::Wrap: c = ((c % dim) + dim) % dim; break;
        case Mode::Reflect: {  // mirror without repeating the edge element
          const int64_t period = 2 * (dim - 1);
          if (period == 0) {
            c = 0;
          } else {
            c = ((c % period) + period) % period;
            if (c >= dim) c = period - c;
          }
          break;
        }
      }
    }
    m[size_t(o)] = c;
  }
  return m;
}

struct Run {
  int64_t out_start, count, src;  // src = -1: fill
};

// Pads before (lo) and after (hi) every dim: the pads attribute (Pad-1 'paddings')
// before opset 11, else the pads input, over the axes input (opset 18) or all dims.
void pads_per_dim(OpContext& ctx, int64_t r, std::vector<int64_t>& lo, std::vector<int64_t>& hi) {
  const Node& n = ctx.node();
  std::vector<int64_t> pads;
  if (n.opset < 11) pads = n.has_attr("pads") ? n.attr_ints("pads") : n.attr_ints("paddings");
  else pads = ints_of(ctx.in(1));
  std::vector<int64_t> axes;
  if (const Tensor* a = n.opset >= 18 ? ctx.input(3) : nullptr) axes = ints_of(*a);
  else
    for (int64_t i = 0; i < r; ++i) axes.push_back(i);
  QWASM_CHECK(pads.size() == 2 * axes.size(), n.label(), ": pads has ", pads.size(), " entries, expected ",
              2 * axes.size());
  lo.assign(size_t(r), 0), hi.assign(size_t(r), 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = normalize_axis(axes[i], r, n.label());
    lo[size_t(a)] = pads[i];
    hi[size_t(a)] = pads[i + axes.size()];
  }
}

Shape padded_shape(const Node& n, const Tensor& x, const std::vector<int64_t>& lo, const std::vector<int64_t>& hi,
                   Mode mode) {
  Shape shape(size_t(x.rank()), 0);
  for (int64_t d = 0; d < x.rank(); ++d) {
    shape[size_t(d)] = x.dim(d) + lo[size_t(d)] + hi[size_t(d)];
    QWASM_CHECK(shape[size_t(d)] >= 0, n.label(), ": pads make dim ", d, " negative");
    QWASM_CHECK(mode == Mode::Constant || x.dim(d) > 0 || shape[size_t(d)] == 0, n.label(),
                ": cannot pad an empty dim in mode ", n.attr_s("mode", "constant"));
  }
  return shape;
}

// The bytes of the constant fill value: the value attribute before opset 11, else
// the optional constant_value input; zero when neither is given (or not constant mode).
ElemBytes fill_value(OpContext& ctx, const Tensor& x, Mode mode, size_t es) {
  const Node& n = ctx.node();
  ElemBytes fill;
  if (mode != Mode::Constant) return fill;
  if (n.opset < 11) {
    fill = scalar_bytes(x.dtype(), n.attr_f("value", 0), n);
  } else if (const Tensor* v = ctx.input(2)) {
    QWASM_CHECK(v->dtype() == x.dtype() && v->size() >= 1, n.label(), ": constant_value must be one ",
                dtype_name(x.dtype()), " value");
    std::memcpy(fill.b.data(), v->raw(), es);
  }
  return fill;
}

// The innermost dim's map as runs: consecutive source coordinates become one memcpy.
std::vector<Run> runs_of(const std::vector<int64_t>& map) {
  std::vector<Run> runs;
  for (int64_t o = 0; o < int64_t(map.size()); ++o) {
    const int64_t c = map[size_t(o)];
    if (!runs.empty()) {
      Run& b = runs.back();
      if ((c < 0 && b.src < 0) || (c >= 0 && b.src >= 0 && c == b.src + b.count)) {
        ++b.count;
        continue;
      }
    }
    runs.push_back({o, 1, c});
  }
  return runs;
}

// Writes every output row: all fill where an outer dim maps outside x, else the
// innermost dim's runs (fill or memcpy from the source row).
void write_rows(const Tensor& x, const std::vector<std::vector<int64_t>>& maps, const ElemBytes& fill, size_t es,
                Tensor& out) {
  const int64_t r = x.rank();
  const std::vector<Run> runs = runs_of(maps.back());
  const auto xs = shape_strides(x.shape());
  const int64_t row = out.shape().back(), rows = out.size() / row;
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(out.raw());
  std::vector<int64_t> idx(size_t(r), 0);
  for (int64_t rr = 0; rr < rows; ++rr, dst += size_t(row) * es) {
    int64_t base = 0;
    bool outside = false;
    for (int64_t d = 0; d + 1 < r && !outside; ++d) {
      const int64_t c = maps[size_t(d)][size_t(idx[size_t(d)])];
      outside = c < 0;
      base += c * xs[size_t(d)];
    }
    if (outside) {
      fill_elems(dst, fill.data(), es, row);
    } else {
      for (const Run& run : runs) {
        char* to = dst + size_t(run.out_start) * es;
        if (run.src < 0) fill_elems(to, fill.data(), es, run.count);
        else std::memcpy(to, src + size_t(base + run.src) * es, size_t(run.count) * es);
      }
    }
    for (int64_t d = r - 2; d >= 0; --d) {
      if (++idx[size_t(d)] < out.dim(d)) break;
      idx[size_t(d)] = 0;
    }
  }
}

void pad(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const int64_t r = x.rank();
  const Mode mode = mode_of(n);
  std::vector<int64_t> lo, hi;
  pads_per_dim(ctx, r, lo, hi);
  const Shape shape = padded_shape(n, x, lo, hi, mode);
  const size_t es = moved_elem_size(x, n);
  const ElemBytes fill = fill_value(ctx, x, mode, es);
  Tensor& out = ctx.output(0, x.dtype(), shape);
  if (out.size() == 0) return;
  if (r == 0) {
    std::memcpy(out.raw(), x.raw(), es);
    return;
  }
  std::vector<std::vector<int64_t>> maps(static_cast<size_t>(r));
  for (int64_t d = 0; d < r; ++d) maps[size_t(d)] = coord_map(x.dim(d), lo[size_t(d)], shape[size_t(d)], mode);
  write_rows(x, maps, fill, es, out);
}

}  // namespace

void register_shape_pad_ops(OpRegistry& r) { r.add("", "Pad", 1, validated(check_pad, pad)); }

}  // namespace qwasm
