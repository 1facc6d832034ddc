// Einsum over any equation (explicit "->" or implicit output, "..." broadcasting,
// repeated labels as diagonals) by one walk over every label assignment, summing
// products in double. Direct rather than fast: the equations models use are small
// contractions the walk handles; a GEMM path can be added where one is hot.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "ops/cast.h"
#include "ops/dtype_switch.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

constexpr int kEllipsisBase = 256;  // label ids of ellipsis dims: kEllipsisBase + k

// A term's labels, "..." expanded to `ell` ids aligned to the right of the broadcast dims.
std::vector<int> term_labels(const std::string& t, int64_t rank, int64_t ell_total, const Node& n) {
  std::vector<int> out;
  const size_t dot = t.find("...");
  const int64_t letters = int64_t(t.size()) - (dot == std::string::npos ? 0 : 3);
  const int64_t ell = dot == std::string::npos ? 0 : (rank < 0 ? ell_total : rank - letters);
  QWASM_CHECK(ell >= 0 && ell <= ell_total && (dot != std::string::npos || rank < 0 || rank == letters), n.label(),
              ": term '", t, "' does not match its input's rank ", rank);
  for (size_t i = 0; i < t.size(); ++i) {
    if (i == dot) {
      for (int64_t k = ell_total - ell; k < ell_total; ++k) out.push_back(kEllipsisBase + int(k));
      i += 2;
    } else {
      const char c = t[i];
      QWASM_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'), n.label(), ": bad label '", c, "' in equation");
      out.push_back(c);
    }
  }
  return out;
}

struct Plan {
  std::vector<int> labels;                   // output labels first, then summed ones
  std::vector<int64_t> size;                 // per label
  size_t out_labels = 0;
  std::vector<std::vector<int64_t>> stride;  // [input][label]: element stride (0 when absent/broadcast)
};

Plan make_plan(const Node& n, const std::vector<const Tensor*>& xs) {
  std::string eq;
  for (char c : n.attr_s("equation", "")) if (c != ' ') eq += c;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms;
  for (size_t p = 0;;) {
    const size_t c = lhs.find(',', p);
    terms.push_back(lhs.substr(p, c == std::string::npos ? std::string::npos : c - p));
    if (c == std::string::npos) break;
    p = c + 1;
  }
  QWASM_CHECK(terms.size() == xs.size(), n.label(), ": equation '", eq, "' has ", terms.size(), " terms for ",
              xs.size(), " inputs");
  int64_t ell_total = 0;
  for (size_t i = 0; i < terms.size(); ++i)
    if (terms[i].find("...") != std::string::npos)
      ell_total = std::max<int64_t>(ell_total, xs[i]->rank() - (int64_t(terms[i].size()) - 3));
  Plan p;
  std::map<int, int64_t> size, uses;
  std::vector<std::vector<int>> in_labels;
  for (size_t i = 0; i < terms.size(); ++i) {
    in_labels.push_back(term_labels(terms[i], xs[i]->rank(), ell_total, n));
    for (size_t d = 0; d < in_labels[i].size(); ++d) {
      const int l = in_labels[i][d];
      const int64_t s = xs[i]->dim(int64_t(d));
      auto it = size.find(l);
      if (it == size.end() || it->second == 1) size[l] = s;
      else QWASM_CHECK(s == it->second || (l >= kEllipsisBase && s == 1), n.label(), ": label sizes disagree");
      ++uses[l];
    }
  }
  std::vector<int> out;
  if (arrow != std::string::npos) {
    out = term_labels(eq.substr(arrow + 2), -1, ell_total, n);
  } else {
    for (int64_t k = 0; k < ell_total; ++k) out.push_back(kEllipsisBase + int(k));
    for (const auto& [l, u] : uses)
      if (l < kEllipsisBase && u == 1) out.push_back(l);
  }
  for (int l : out) QWASM_CHECK(size.count(l), n.label(), ": output label not in any input");
  p.labels = out;
  p.out_labels = out.size();
  for (const auto& [l, s] : size)
    if (std::find(out.begin(), out.end(), l) == out.end()) p.labels.push_back(l);
  for (int l : p.labels) p.size.push_back(size[l]);
  for (size_t i = 0; i < xs.size(); ++i) {
    std::vector<int64_t> st(p.labels.size(), 0);
    int64_t mul = 1;
    for (size_t d = in_labels[i].size(); d-- > 0;) {
      const size_t li = size_t(std::find(p.labels.begin(), p.labels.end(), in_labels[i][d]) - p.labels.begin());
      if (xs[i]->dim(int64_t(d)) != 1 || p.size[li] == 1) st[li] += mul;
      mul *= xs[i]->dim(int64_t(d));
    }
    p.stride.push_back(st);
  }
  return p;
}

template <typename T>
void contract(const Plan& p, const std::vector<const Tensor*>& xs, T* y, int64_t out_count) {
  std::vector<double> acc(size_t(out_count), 0.0);
  const size_t L = p.labels.size();
  std::vector<int64_t> idx(L, 0), off(xs.size(), 0);
  int64_t total = 1;
  for (int64_t s : p.size) total *= s;
  for (int64_t step = 0; step < total; ++step) {
    double prod = 1.0;
    for (size_t i = 0; i < xs.size(); ++i) prod *= double(xs[i]->data<T>()[off[i]]);
    int64_t o = 0;
    for (size_t l = 0; l < p.out_labels; ++l) o = o * p.size[l] + idx[l];
    acc[size_t(o)] += prod;
    for (size_t l = L; l-- > 0;) {  // odometer over labels, offsets kept incrementally
      for (size_t i = 0; i < xs.size(); ++i) off[i] += p.stride[i][l];
      if (++idx[l] < p.size[l]) break;
      for (size_t i = 0; i < xs.size(); ++i) off[i] -= p.stride[i][l] * p.size[l];
      idx[l] = 0;
    }
  }
  for (int64_t o = 0; o < out_count; ++o) y[o] = T(acc[size_t(o)]);
}

void einsum(OpContext& ctx) {
  const Node& n = ctx.node();
  std::vector<Tensor> widened;
  for (size_t i = 0; i < ctx.input_count(); ++i) widened.push_back(widen_half(ctx.in(i)));
  std::vector<const Tensor*> xs;
  for (const Tensor& t : widened) {
    QWASM_CHECK(t.dtype() == widened[0].dtype(), n.label(), ": inputs must share one element type");
    xs.push_back(&t);
  }
  QWASM_CHECK(!xs.empty(), n.label(), ": at least one input required");
  const Plan p = make_plan(n, xs);
  const Shape s(p.size.begin(), p.size.begin() + long(p.out_labels));
  const DType dt = ctx.in(0).dtype();
  QWASM_CHECK(dt != DType::Bool, n.label(), ": bool inputs are not supported");
  Tensor& out = ctx.output(0, dt, s);
  if (xs[0]->dtype() == DType::Float32) {
    Tensor y(DType::Float32, s);
    contract<float>(p, xs, y.data<float>(), y.size());
    if (is_half(dt)) narrow_half(y, out);
    else std::copy_n(static_cast<const char*>(y.raw()), y.bytes(), static_cast<char*>(out.raw()));
    return;
  }
  // Other types: contract reads every element as a double anyway, so they go through
  // float64 (one instantiation instead of one per type) and back to their own type.
  std::vector<Tensor> wide;
  std::vector<const Tensor*> ws;
  for (const Tensor* x : xs) wide.push_back(cast_tensor(*x, DType::Float64, n.label()));
  for (const Tensor& w : wide) ws.push_back(&w);
  Tensor y(DType::Float64, s);
  contract<double>(p, ws, y.data<double>(), y.size());
  const Tensor r = cast_tensor(y, dt, n.label());
  std::copy_n(static_cast<const char*>(r.raw()), r.bytes(), static_cast<char*>(out.raw()));
}

}  // namespace

void register_nn_einsum_ops(OpRegistry& r) { r.add_fn("", "Einsum", 12, einsum); }

}  // namespace qwasm
