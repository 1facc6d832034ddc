// com.microsoft MatMulNBits: Y[.., N] = A[.., K] x dequant(B)^T (+ bias), with B
// block-quantized along K (bits 2/4/8, low bits first = even k), per-block
// scales and optional packed zero points (default 2^(bits-1)).
//  accuracy_level 4: A is quantized to int8 per block on the fly and multiplied
//    with the raw quantized weights in int32; zero points are folded in with
//    per-block sums of quantized A.
//  otherwise: float accumulation with each block dequantized on the fly.
// The weight matrix is never expanded to float, at load or per call. float16 A, bias and
// output (q4f16 exports) run through float32 rows; float16 scales are read as stored.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "ops/dtype_switch.h"
#include "ops/registry.h"
#include "ops/parallel_gemm.h"
#include "qwasm_kernels.h"

namespace qwasm {
namespace {

class MatMulNBits : public OpKernel {
 public:
  explicit MatMulNBits(const BuildContext& bc) : n_(bc.node) {
    const Node& n = bc.node;
    K_ = n.attr_i("K");
    N_ = n.attr_i("N");
    bits_ = n.attr_i("bits", 4);
    block_ = n.attr_i("block_size");
    level_ = n.attr_i("accuracy_level", 0);
    QWASM_CHECK(level_ >= 0 && level_ <= 4, n.label(), ": accuracy_level must be 0..4, got ", level_);
    QWASM_CHECK(bits_ == 2 || bits_ == 4 || bits_ == 8, n.label(), ": bits must be 2, 4 or 8, got ", bits_);
    QWASM_CHECK(block_ >= 16 && (block_ & (block_ - 1)) == 0, n.label(), ": block_size must be a power of two >= 16, got ",
                block_);
    QWASM_CHECK(K_ > 0 && N_ > 0, n.label(), ": K and N must be positive");
    blocks_ = (K_ + block_ - 1) / block_;
    blob_ = block_ * bits_ / 8;
    QWASM_CHECK(n.inputs.size() < 5 || n.inputs[4].empty(), n.label(), ": g_idx (act-order column permutation) is not supported; re-export without g_idx");
    if (const Tensor* b = bc.const_input(1)) check_b(*b);
    if (const Tensor* s = bc.const_input(2)) check_scales(*s);
    if (const Tensor* z = bc.const_input(3)) check_zp(*z);
    prepack(bc);
  }

  // B, scales and zero points live in packed_ once packed (see prepack).
  bool absorbed(size_t input) const override { return packed_ && input >= 1 && input <= 3; }

  void compute(OpContext& ctx) override {
    const Tensor& a0 = ctx.in(0);
    const Tensor* bias = ctx.input(5);
    Tensor a = widen_half(a0);
    QWASM_CHECK(a.dtype() == DType::Float32, n_.label(), ": A must be float32 or float16");
    QWASM_CHECK(a.rank() >= 1 && a.dim(a.rank() - 1) == K_, n_.label(), ": A's last dimension is ",
                a.rank() ? a.dim(a.rank() - 1) : 0, ", expected K = ", K_);
    QWASM_CHECK(!bias || bias->size() == N_, n_.label(), ": bias must have N = ", N_, " elements");
    Shape out_shape = a.shape();
    out_shape.back() = N_;
    const int64_t M = K_ ? a.size() / K_ : 0;
    // float32 results go straight into the output; float16 ones through a float copy.
    Tensor& out = ctx.output(0, a0.dtype(), out_shape);
    Tensor y = is_half(a0.dtype()) ? Tensor(DType::Float32, out_shape) : out;
    Tensor bf = bias ? widen_half(*bias) : Tensor();
    if (packed_) {
      // The dispatched block kernel over the weights packed at build time.
      if (M > 0) run_packed(ctx.parallel(), a.data<float>(), int(M), y.data<float>());
    } else {
      const Tensor& b = ctx.in(1);
      const Tensor* zp = ctx.input(3);
      check_b(b);
      check_scales(ctx.in(2));
      if (zp) check_zp(*zp);
      const Scales sc(ctx.in(2));
      const bool int_zp = !zp || zp->dtype() == DType::UInt8;
      if (level_ == 4 && int_zp) run_int8(a.data<float>(), M, b.data<uint8_t>(), sc, zp, y.data<float>());
      else run_float(a.data<float>(), M, b.data<uint8_t>(), sc, zp, y.data<float>());
    }
    if (bf.defined())
      for (int64_t m = 0; m < M; ++m)
        for (int64_t j = 0; j < N_; ++j) y.data<float>()[m * N_ + j] += bf.data<float>()[j];
    if (is_half(a0.dtype())) narrow_half(y, out);
  }

 private:
  // The per-block scales as the model stores them (float32, float16 or bfloat16), read in
  // place: no float copy of a half scale tensor per call.
  struct Scales {
    explicit Scales(const Tensor& t)
        : f32(t.dtype() == DType::Float32 ? t.data<float>() : nullptr),
          half(f32 ? nullptr : static_cast<const uint16_t*>(t.raw())), bf16(t.dtype() == DType::BFloat16) {}
    float operator[](int64_t i) const {
      return f32 ? f32[i] : bf16 ? bfloat16_to_float(half[i]) : half_to_float(half[i]);
    }
    const float* f32;
    const uint16_t* half;
    bool bf16;
  };

  // The dispatched block kernel over the weights packed at build time. With threads,
  // each piece takes whole column groups (a header copy whose pointers start at its
  // first group), so every output is computed exactly as on one thread.
  void run_packed(Parallel& par, const float* A, int M, float* Y) const {
    const auto* h = static_cast<const kernels::QPackedHeader*>(packed_->data);
    const kernels::QBlockKernel& k = kernels::best_qblock(int(level_));
    constexpr int kUnit = 4;  // groups per piece step: the widest kernels walk 4 groups at once
    const int units = (h->n_groups + kUnit - 1) / kUnit;
    const bool small = int64_t(M) * N_ * K_ < kParallelMinWork;
    const int pieces = small ? 1 : std::min(units, 2 * par.threads());
    parallel_for(par, pieces, [&](int p) {
      const int g0 = int(int64_t(units) * p / pieces) * kUnit;
      const int g1 = std::min(h->n_groups, int(int64_t(units) * (p + 1) / pieces) * kUnit);
      if (g0 >= g1) return;
      kernels::QPackedHeader sub = *h;
      sub.n_groups = g1 - g0;
      sub.N = std::min(h->N - g0 * kernels::kQGroupCols, sub.n_groups * kernels::kQGroupCols);
      sub.data = kernels::qpacked_data(h, g0, 0);
      sub.scales = kernels::qpacked_scales(h, g0, 0);
      sub.zps = kernels::qpacked_zps(h, g0, 0);
      kernels::QBlockArgs qa;
      qa.M = M, qa.A = A, qa.lda = K_, qa.packed = &sub, qa.Y = Y + int64_t(g0) * kernels::kQGroupCols, qa.ldy = N_;
      k.run(qa);
    });
  }

  void check_b(const Tensor& b) const {
    QWASM_CHECK(b.dtype() == DType::UInt8 && b.size() == N_ * blocks_ * blob_, n_.label(), ": B has ", b.size(),
                " bytes (", dtype_name(b.dtype()), " ", shape_str(b.shape()), "), expected uint8 [", N_, ", ", blocks_, ", ",
                blob_, "] for N=", N_, " K=", K_, " bits=", bits_, " block_size=", block_);
  }
  void check_scales(const Tensor& s) const {
    QWASM_CHECK(s.dtype() == DType::Float32 || is_half(s.dtype()), n_.label(), ": scales must be float32 or float16, got ",
                dtype_name(s.dtype()));
    QWASM_CHECK(s.size() == N_ * blocks_, n_.label(), ": scales has ", s.size(), " elements, expected N * n_blocks = ",
                N_ * blocks_);
  }
  void check_zp(const Tensor& z) const {
    if (z.dtype() == DType::UInt8) {
      const int64_t per_row = (blocks_ * bits_ + 7) / 8;
      QWASM_CHECK(z.size() == N_ * per_row, n_.label(), ": zero_points has ", z.size(), " bytes, expected ", N_ * per_row);
    } else {
      QWASM_CHECK(z.size() == N_ * blocks_ && (z.dtype() == DType::Float32 || is_half(z.dtype())), n_.label(),
                  ": zero_points must be packed uint8 or one float per block");
    }
  }
  // Zero point of block `blk` in row `j`.
  float zero_point(const Tensor* zp, int64_t j, int64_t blk) const {
    if (!zp) return float(1 << (bits_ - 1));
    if (zp->dtype() != DType::UInt8) return float(zp->get_f64(j * blocks_ + blk));
    const int64_t per_row = (blocks_ * bits_ + 7) / 8;
    const uint8_t byte = zp->data<uint8_t>()[j * per_row + (blk * bits_) / 8];
    return float((byte >> ((blk * bits_) % 8)) & ((1 << bits_) - 1));
  }
  // The block's quantized values (0 .. 2^bits-1) as bytes.
  void unpack(const uint8_t* blob, uint8_t* q) const {
    if (bits_ == 8) {
      std::memcpy(q, blob, size_t(block_));
    } else if (bits_ == 4) {
      for (int64_t i = 0; i < block_ / 2; ++i) q[2 * i] = blob[i] & 15, q[2 * i + 1] = blob[i] >> 4;
    } else {
      for (int64_t i = 0; i < block_ / 4; ++i)
        for (int t = 0; t < 4; ++t) q[4 * i + t] = (blob[i] >> (2 * t)) & 3;
    }
  }

  // Both paths unpack each weight block once and apply it to every row of A, so
  // prefill (M > 1) does not repeat the unpacking per row.
  void run_float(const float* a, int64_t M, const uint8_t* b, const Scales& scales, const Tensor* zp, float* y) const {
    const int64_t kp = blocks_ * block_;  // K padded to whole blocks (the pad is 0 and adds nothing)
    std::vector<float> apad(static_cast<size_t>(M * kp), 0.0f), asum(static_cast<size_t>(M * blocks_));
    for (int64_t m = 0; m < M; ++m) {
      std::copy(a + m * K_, a + (m + 1) * K_, apad.begin() + m * kp);
      for (int64_t blk = 0; blk < blocks_; ++blk) {
        float s = 0;
        for (int64_t i = 0; i < block_; ++i) s += apad[size_t(m * kp + blk * block_ + i)];
        asum[size_t(m * blocks_ + blk)] = s;
      }
    }
    std::fill(y, y + M * N_, 0.0f);
    std::vector<float> q(static_cast<size_t>(block_));
    std::vector<uint8_t> qb(static_cast<size_t>(block_));
    for (int64_t j = 0; j < N_; ++j)
      for (int64_t blk = 0; blk < blocks_; ++blk) {
        unpack(b + (j * blocks_ + blk) * blob_, qb.data());
        for (int64_t i = 0; i < block_; ++i) q[size_t(i)] = float(qb[size_t(i)]);
        const float sc = scales[j * blocks_ + blk], z = zero_point(zp, j, blk);
        for (int64_t m = 0; m < M; ++m) {
          const float* ab = &apad[size_t(m * kp + blk * block_)];
          float dot = 0;
          for (int64_t i = 0; i < block_; ++i) dot += q[size_t(i)] * ab[i];
          y[m * N_ + j] += sc * (dot - z * asum[size_t(m * blocks_ + blk)]);
        }
      }
  }

  void run_int8(const float* a, int64_t M, const uint8_t* b, const Scales& scales, const Tensor* zp, float* y) const {
    const int64_t kp = blocks_ * block_;
    std::vector<int8_t> aq(static_cast<size_t>(M * kp), 0);
    std::vector<float> ascale(static_cast<size_t>(M * blocks_));
    std::vector<int32_t> asum(static_cast<size_t>(M * blocks_));
    for (int64_t m = 0; m < M; ++m) {
      const float* am = a + m * K_;
      for (int64_t blk = 0; blk < blocks_; ++blk) {
        const int64_t k0 = blk * block_, k1 = std::min(K_, k0 + block_);
        float amax = 0;
        for (int64_t k = k0; k < k1; ++k) amax = std::max(amax, std::fabs(am[k]));
        const float sc = amax / 127.0f, inv = amax > 0 ? 127.0f / amax : 0.0f;
        int32_t s = 0;
        for (int64_t k = k0; k < k1; ++k) {
          const int8_t v = int8_t(std::nearbyint(am[k] * inv));
          aq[size_t(m * kp + k)] = v;
          s += v;
        }
        ascale[size_t(m * blocks_ + blk)] = sc;
        asum[size_t(m * blocks_ + blk)] = s;
      }
    }
    std::fill(y, y + M * N_, 0.0f);
    std::vector<uint8_t> q(static_cast<size_t>(block_));
    for (int64_t j = 0; j < N_; ++j)
      for (int64_t blk = 0; blk < blocks_; ++blk) {
        unpack(b + (j * blocks_ + blk) * blob_, q.data());
        const float sc = scales[j * blocks_ + blk], z = zero_point(zp, j, blk);
        for (int64_t m = 0; m < M; ++m) {
          const int8_t* ab = &aq[size_t(m * kp + blk * block_)];
          int32_t dot = 0;
          for (int64_t i = 0; i < block_; ++i) dot += int32_t(q[size_t(i)]) * int32_t(ab[i]);
          y[m * N_ + j] += sc * ascale[size_t(m * blocks_ + blk)] * (float(dot) - z * float(asum[size_t(m * blocks_ + blk)]));
        }
      }
  }

  // Packs B (+ scales, packed zero points) once into the block kernels' layout when
  // they are constant and the kernels support the shape (bits 4/8, uint8 or no zero
  // points); otherwise the portable loops below run. The layout reorders quantized
  // bits; it never widens them to float.
  void prepack(const BuildContext& bc) {
    const Tensor* b = bc.const_input(1);
    const Tensor* s = bc.const_input(2);
    const Tensor* z = bc.const_input(3);
    const bool zp_absent = n_.inputs.size() < 4 || n_.inputs[3].empty();
    if (!b || !s || (!zp_absent && (!z || z->dtype() != DType::UInt8))) return;
    if (s->dtype() != DType::Float32 && s->dtype() != DType::Float16) return;
    if (K_ >= (int64_t(1) << 30) || N_ >= (int64_t(1) << 30)) return;
    kernels::QBlockShape qs;
    qs.K = int(K_), qs.N = int(N_), qs.bits = int(bits_), qs.block_size = int(block_);
    if (!kernels::qblock_supported(qs)) return;
    // The packed layout's scales are float32: float16 ones (q4f16 exports) are widened once
    // into a buffer of this node's own (2 bytes more per block than the model's; the float16
    // originals are then absorbed and freed), which is rearranged like float32 ones.
    Tensor s32 = s->dtype() == DType::Float16 ? widen_half(*s) : Tensor();
    // Preferred: rearrange B and the scales where they already are (they came from the
    // model's bytes; nobody else reads them), so the weights never exist twice.
    Tensor* bx = bc.exclusive_input(1);
    Tensor* sx = s32.defined() ? &s32 : bc.exclusive_input(2);
    if (bx && sx && N_ % kernels::kQGroupCols == 0) {
      zps_ = z ? heap_buffer(kernels::qblock_zp_bytes(qs), false) : nullptr;
      header_ = heap_buffer(sizeof(kernels::QPackedHeader), false);
      if (kernels::qblock_pack_in_place(qs, bx->data<uint8_t>(), sx->data<float>(), z ? z->data<uint8_t>() : nullptr,
                                        zps_ ? static_cast<uint8_t*>(zps_->data) : nullptr, header_->data)) {
        weights_ = *bx, scales_ = *sx;  // keep the rearranged buffers alive
        packed_ = header_;
        return;
      }
    }
    kernels::QBlockWeights w;
    w.B = b->data<uint8_t>(), w.scales = s32.defined() ? s32.data<float>() : s->data<float>();
    w.zero_points = z ? z->data<uint8_t>() : nullptr;
    packed_ = heap_buffer(kernels::qblock_packed_size(qs), false);
    kernels::qblock_pack(qs, w, packed_->data);
  }

  const Node& n_;
  int64_t K_, N_, bits_, block_, level_, blocks_, blob_;
  std::shared_ptr<Buffer> packed_;  // what the kernels read (a QPackedHeader first) when B is constant, else null
  // In-place packing: the header, expanded zero points, and B / scales rearranged in their own buffers.
  std::shared_ptr<Buffer> header_, zps_;
  Tensor weights_, scales_;
};

}  // namespace

void register_quant_matmulnbits_ops(OpRegistry& r) {
  r.add("com.microsoft", "MatMulNBits", 1, [](const BuildContext& bc) { return std::make_unique<MatMulNBits>(bc); });
}

}  // namespace qwasm
