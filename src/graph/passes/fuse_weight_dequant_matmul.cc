// Weight-only quantization: MatMul(A, DequantizeLinear(W_q, scale, zp)) and
// Gemm(A, DequantizeLinear(...), C) with W_q constant int8/uint8/int4/uint4.
// Left alone, DequantizeLinear would run on every call (constant folding skips it on
// purpose) and the float MatMul would read a 4x (8-bit) or 8x (4-bit) larger W. The
// pass rewrites the pair to com.microsoft MatMulNBits, accuracy_level 0: A stays
// float and each weight block is dequantized on the fly inside the block kernel, so
// no float copy of W exists at load or per call and the result matches the float
// MatMul within rounding (the bound is stated in tests/unit/graph_passes_dq_test.cc).
//
// Granularities: per tensor, per output column (axis = W's N axis) and blocked along
// K (opset 21 block_size). MatMulNBits has one scale per block of `bs` rows of K
// (bs a power of two, 16..256), so
//  - blocked: bs = the largest such power of two dividing the DQ block size; each
//    DQ block becomes block_size / bs MatMulNBits blocks with the same scale;
//  - per column / per tensor: the column's scale is repeated in every block.
// Values: MatMulNBits stores unsigned q in [0, 2^bits) with an unsigned zero point,
// so signed weights are offset by 2^(bits-1) (q - zp is unchanged); a signed weight
// without zero point then has exactly MatMulNBits's default zero point and needs no
// zero-point input.
#include <cstring>
#include <set>

#include "graph/passes/graph_index.h"
#include "graph/passes/passes.h"

namespace qwasm {
namespace {

bool is_op(const Node& n, const char* op) { return n.domain.empty() && n.op_type == op; }

// W as the matmul reads it: element (k, n) of the K x N operand.
struct QWeight {
  const Tensor* q = nullptr;
  const Tensor* scale = nullptr;
  const Tensor* zp = nullptr;
  int64_t K = 0, N = 0;
  int64_t q_ks = 0, q_ns = 0;  // element index of (k, n) in q (and in a per-element zp)
  // Scale index of (k, n) = (k / block) * s_ks + n * s_ns (block = K for per-tensor/column).
  int64_t block = 0, s_ks = 0, s_ns = 0;
  int bits = 8;
  bool is_signed = true;

  int64_t param(int64_t k, int64_t n) const { return (k / block) * s_ks + n * s_ns; }
  // The stored integer at flat index i (4-bit types: low nibble = even index).
  int32_t raw(const Tensor& t, int64_t i) const {
    const uint8_t* p = static_cast<const uint8_t*>(t.raw());
    if (bits == 8) return is_signed ? int32_t(int8_t(p[i])) : int32_t(p[i]);
    const int32_t v = (i & 1) ? p[i >> 1] >> 4 : p[i >> 1] & 15;
    return is_signed && v >= 8 ? v - 16 : v;
  }
  // Value and zero point shifted into MatMulNBits's unsigned range.
  int32_t offset() const { return is_signed ? 1 << (bits - 1) : 0; }
  int32_t uq(int64_t k, int64_t n) const { return raw(*q, k * q_ks + n * q_ns) + offset(); }
  int32_t uzp(int64_t k, int64_t n) const { return (zp ? raw(*zp, param(k, n)) : 0) + offset(); }
};

// Reads DequantizeLinear `dq` as the K x N operand of a matmul whose K axis is
// `k_axis` of the 2-D W (0 for MatMul and Gemm transB=0, 1 for Gemm transB=1).
bool read_weight(const Node& dq, const GraphIndex& idx, int k_axis, QWeight& w) {
  if (dq.inputs.size() < 2 || dq.outputs.size() != 1) return false;
  w.q = idx.constant(dq.inputs[0]);
  w.scale = idx.constant(dq.inputs[1]);
  if (!w.q || !w.scale || w.q->rank() != 2 || w.scale->dtype() != DType::Float32) return false;
  switch (w.q->dtype()) {
    case DType::Int8: w.bits = 8, w.is_signed = true; break;
    case DType::UInt8: w.bits = 8, w.is_signed = false; break;
    case DType::Int4: w.bits = 4, w.is_signed = true; break;
    case DType::UInt4: w.bits = 4, w.is_signed = false; break;
    default: return false;
  }
  if (dq.inputs.size() > 2 && !dq.inputs[2].empty()) {
    w.zp = idx.constant(dq.inputs[2]);
    if (!w.zp || w.zp->dtype() != w.q->dtype() || w.zp->shape() != w.scale->shape()) return false;
  }
  if (dq.attr_i("output_dtype", 0) != 0 && dq.attr_i("output_dtype", 0) != int64_t(DType::Float32)) return false;
  const int n_axis = 1 - k_axis;
  w.K = w.q->dim(k_axis), w.N = w.q->dim(n_axis);
  w.q_ks = k_axis == 0 ? w.N : 1, w.q_ns = k_axis == 0 ? 1 : w.K;
  if (w.K <= 0 || w.N <= 0) return false;
  const int64_t block = dq.opset >= 21 ? dq.attr_i("block_size", 0) : 0;
  int64_t axis = dq.opset >= 13 ? dq.attr_i("axis", 1) : 1;
  if (axis < 0) axis += 2;
  const Tensor& s = *w.scale;
  if (block == 0 && s.size() == 1 && s.rank() <= 1) {  // per tensor
    w.block = w.K, w.s_ks = 0, w.s_ns = 0;
    return true;
  }
  if (block == 0 && axis == n_axis && s.rank() == 1 && s.size() == w.N) {  // per column
    w.block = w.K, w.s_ks = 0, w.s_ns = 1;
    return true;
  }
  if (block > 0 && axis == k_axis && s.rank() == 2) {  // blocked along K
    const int64_t nb = (w.K + block - 1) / block;
    if (s.dim(k_axis) != nb || s.dim(n_axis) != w.N) return false;
    w.block = block;
    w.s_ks = k_axis == 0 ? w.N : 1, w.s_ns = k_axis == 0 ? 1 : nb;
    return true;
  }
  return false;
}

// MatMulNBits block size: power of two in [16, 256]. Blocked weights need one that
// divides the DQ block; otherwise prefer large blocks (fewer scale steps in the
// kernel) unless padding K up to whole blocks would waste more than 1/16 of the work.
int64_t nbits_block(const QWeight& w) {
  if (w.block < w.K) {
    for (int64_t bs = 256; bs >= 16; bs /= 2)
      if (w.block % bs == 0) return bs;
    return 0;
  }
  for (int64_t bs = 256; bs > 16; bs /= 2)
    if (((w.K + bs - 1) / bs) * bs - w.K <= w.K / 16) return bs;
  return 16;
}

struct Packed {
  Tensor b, scales, zp;  // zp undefined when every zero point is MatMulNBits's default
};

// B uint8 [N, n_blocks, blob] (low nibble = even k), scales [N, n_blocks] (times
// `alpha`, Gemm's), zero points [N, ceil(n_blocks * bits / 8)]; past K stays 0.
Packed pack(const QWeight& w, int64_t bs, float alpha) {
  const int64_t nb = (w.K + bs - 1) / bs, blob = bs * w.bits / 8, zrow = (nb * w.bits + 7) / 8;
  Packed p;
  p.b = Tensor(DType::UInt8, {w.N, nb, blob});
  p.scales = Tensor(DType::Float32, {w.N, nb});
  Tensor zp(DType::UInt8, {w.N, zrow});
  uint8_t* b = p.b.data<uint8_t>();
  uint8_t* z = zp.data<uint8_t>();
  float* sc = p.scales.data<float>();
  const float* s = w.scale->data<float>();
  bool default_zp = true;
  for (int64_t n = 0; n < w.N; ++n) {
    for (int64_t blk = 0; blk < nb; ++blk) {
      const int64_t k0 = blk * bs;
      sc[n * nb + blk] = s[w.param(k0, n)] * alpha;
      const int32_t zv = w.uzp(k0, n);
      default_zp = default_zp && zv == (1 << (w.bits - 1));
      z[n * zrow + blk * w.bits / 8] |= uint8_t(zv << ((blk * w.bits) % 8));
      uint8_t* dst = b + (n * nb + blk) * blob;
      for (int64_t i = 0; i < bs && k0 + i < w.K; ++i) {
        const int32_t q = w.uq(k0 + i, n);
        if (w.bits == 8) dst[i] = uint8_t(q);
        else dst[i / 2] |= uint8_t((i & 1) ? q << 4 : q);
      }
    }
  }
  if (!default_zp) p.zp = zp;
  return p;
}

struct Match {
  int node = -1, dq = -1;
  QWeight w;
  float alpha = 1.0f;
  Tensor bias;  // Gemm: beta * C as [N], undefined when none
};

bool match(const Graph& g, const GraphIndex& idx, int i, Match& mt) {
  const Node& n = g.nodes[size_t(i)];
  const bool gemm = is_op(n, "Gemm");
  if ((!gemm && !is_op(n, "MatMul")) || n.inputs.size() < 2 || n.outputs.size() != 1 || n.outputs[0].empty())
    return false;
  if (!gemm && n.inputs.size() != 2) return false;
  const std::string& wv = n.inputs[1];
  mt.node = i, mt.dq = idx.producer(wv);
  if (mt.dq < 0 || !is_op(g.nodes[size_t(mt.dq)], "DequantizeLinear") || !idx.only_used_by(wv, i) || wv == n.inputs[0])
    return false;
  int k_axis = 0;
  if (gemm) {
    if (n.attr_i("transA", 0) != 0) return false;
    k_axis = n.attr_i("transB", 0) ? 1 : 0;
    mt.alpha = n.attr_f("alpha", 1.0f);
  }
  if (!read_weight(g.nodes[size_t(mt.dq)], idx, k_axis, mt.w)) return false;
  if (gemm && n.inputs.size() > 2 && !n.inputs[2].empty()) {
    // Only a C that broadcasts as one value per column: [N], [1, N] or a scalar.
    const Tensor* c = idx.constant(n.inputs[2]);
    if (!c || c->dtype() != DType::Float32) return false;
    const bool per_col = c->size() == mt.w.N && (c->rank() == 1 || (c->rank() == 2 && c->dim(0) == 1));
    if (!per_col && !(c->size() == 1 && c->rank() <= 2)) return false;
    const float beta = n.attr_f("beta", 1.0f);
    mt.bias = Tensor(DType::Float32, {mt.w.N});
    for (int64_t j = 0; j < mt.w.N; ++j) mt.bias.data<float>()[j] = beta * c->data<float>()[per_col ? j : 0];
  }
  return nbits_block(mt.w) != 0;
}

std::string add_init(Graph& g, const std::string& base, Tensor t) {
  const std::string name = fresh_name(g, base);
  g.initializers[name] = std::move(t);
  return name;
}

}  // namespace

void fuse_weight_dequant_matmul(Model& m) {
  Graph& g = m.graph;
  std::vector<Match> matches;
  {
    const GraphIndex idx(g);
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      Match mt;
      if (match(g, idx, int(i), mt)) matches.push_back(mt);
    }
    if (matches.empty()) return;

    std::set<int> dead;
    std::vector<std::string> old_inits;
    for (Match& mt : matches) {
      const Node& dq = g.nodes[size_t(mt.dq)];
      const std::string base = dq.inputs[0];
      const int64_t bs = nbits_block(mt.w);
      Packed p = pack(mt.w, bs, mt.alpha);
      // Free each original as soon as its copy exists, so loading never holds two
      // copies of every weight at once (shared ones go in drop_unused_initializers).
      if (idx.uses(base) == 1) g.initializers.erase(base);
      Node f;
      f.name = g.nodes[size_t(mt.node)].name;
      f.op_type = "MatMulNBits";
      f.domain = "com.microsoft";
      f.opset = 1;
      f.inputs = {g.nodes[size_t(mt.node)].inputs[0], add_init(g, base + "_nbits_B", p.b),
                  add_init(g, base + "_nbits_scales", p.scales), p.zp.defined() ? add_init(g, base + "_nbits_zp", p.zp) : ""};
      if (mt.bias.defined()) f.inputs.insert(f.inputs.end(), {"", add_init(g, base + "_nbits_bias", mt.bias)});
      f.outputs = g.nodes[size_t(mt.node)].outputs;
      auto attr_int = [&](const char* name, int64_t v) {
        Attribute a;
        a.kind = Attribute::Kind::Int, a.i = v;
        f.attrs[name] = a;
      };
      attr_int("K", mt.w.K), attr_int("N", mt.w.N), attr_int("bits", mt.w.bits), attr_int("block_size", bs);
      attr_int("accuracy_level", 0);  // float accumulation: same result as the float MatMul within rounding
      for (const auto& in : dq.inputs) old_inits.push_back(in);
      if (g.nodes[size_t(mt.node)].inputs.size() > 2) old_inits.push_back(g.nodes[size_t(mt.node)].inputs[2]);
      g.nodes[size_t(mt.node)] = std::move(f);
      dead.insert(mt.dq);
    }
    erase_nodes(g, dead);
    // The repacked copies replace the originals: keep one copy of the weights.
    drop_unused_initializers(g, old_inits);
  }
  if (!m.opsets.count("com.microsoft")) m.opsets["com.microsoft"] = 1;
}

}  // namespace qwasm
