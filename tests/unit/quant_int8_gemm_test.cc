// The int8 GEMM as the integer ops reach it (ops/int8_gemm.h over the dispatched
// kernel), against plain loops written here: both B layouts the ops pack (MatMul's
// [K, N] and a convolution's [N, K]), every signedness pair, zero points of A per
// tensor and per row, of B per tensor and per column, shapes around the tiles, and a
// row split across threads. Then MatMulInteger with a per-row a_zero_point (a
// hand-worked case and a batched one, B constant and not) and ConvInteger with W
// constant and not.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "op_test_context.h"
#include "ops/int8_gemm.h"
#include "ops/registry.h"
#include "runtime/thread_pool.h"

using namespace qwasm;
using qwasm::test::TestContext;

namespace {

int32_t val(uint8_t v, bool is_signed) { return is_signed ? int32_t(int8_t(v)) : int32_t(v); }

// One GEMM through pack_i8_b / gemm_i8_rows, checked element by element.
void check_gemm(int M, int N, int K, bool as, bool bs, bool k_major, bool za_rows, bool zb_cols, Parallel& par,
                uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> a(size_t(M * K)), b(size_t(K * N));
  for (auto& v : a) v = uint8_t(rng());
  for (auto& v : b) v = uint8_t(rng());
  std::vector<int32_t> za(size_t(M) + 1), zb(size_t(N) + 1);
  for (auto& z : za) z = val(uint8_t(rng()), as);
  for (auto& z : zb) z = val(uint8_t(rng()), bs);
  // B element (k, n): [K, N] row-major, or [N, K] (a convolution's weights).
  auto b_at = [&](int k, int n) { return val(b[size_t(k_major ? k * N + n : n * K + k)], bs); };
  kernels::GemmI8PackArgs pa;
  pa.K = K, pa.N = N, pa.B = b.data(), pa.stride_k = k_major ? N : 1, pa.stride_n = k_major ? 1 : K;
  pa.b_signed = bs, pa.zb = zb.data(), pa.zb_per_column = zb_cols;
  const I8PackedB packed = pack_i8_b({pa}, "test");
  std::vector<int32_t> c(size_t(M * N), 0x5A5A5A5A);
  kernels::GemmI8Args g;
  g.A = a.data(), g.lda = K, g.a_signed = as, g.C = c.data(), g.ldc = N;
  if (za_rows) g.za_rows = za.data();
  else g.za = za[0];
  gemm_i8_rows(par, packed, 0, M, g);
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      int32_t want = 0;
      for (int k = 0; k < K; ++k)
        want += (val(a[size_t(m * K + k)], as) - za[za_rows ? size_t(m) : 0]) * (b_at(k, n) - zb[zb_cols ? size_t(n) : 0]);
      ASSERT_EQ(c[size_t(m * N + n)], want) << "seed " << seed << " M=" << M << " N=" << N << " K=" << K << " a_s=" << as
                                           << " b_s=" << bs << " k_major=" << k_major << " za_rows=" << za_rows
                                           << " zb_cols=" << zb_cols << " at " << m << "," << n;
    }
}

TEST(Int8Gemm, HelperMatchesPlainLoop) {
  uint32_t seed = 1;
  for (int combo = 0; combo < 32; ++combo)
    for (int M : {1, 3, 4, 5, 9})
      for (int N : {1, 7, 16, 17})
        for (int K : {0, 1, 15, 16, 33})
          check_gemm(M, N, K, combo & 1, combo & 2, combo & 4, combo & 8, combo & 16, serial(), seed++);
}

TEST(Int8Gemm, RowSplitAcrossThreadsKeepsPerRowZeroPoints) {
  if (!threads_supported()) GTEST_SKIP() << "this build has no threads (wasm without -pthread)";
  ThreadPool pool(3);
  PoolSlice par(&pool, 3);
  // 67 x 41 x 48 is past the parallel threshold, with row pieces not aligned to 67.
  check_gemm(67, 41, 48, false, true, true, true, true, par, 77);
  check_gemm(67, 41, 48, true, false, false, true, false, par, 78);
}

TEST(Int8Gemm, FewRowsSplitByColumnPanelsAcrossThreads) {
  if (!threads_supported()) GTEST_SKIP() << "this build has no threads (wasm without -pthread)";
  ThreadPool pool(3);
  PoolSlice par(&pool, 3);
  // One and three rows over many columns (a decoder step): the pieces are column panels,
  // the last one ragged (N = 301 is no multiple of any tile width).
  check_gemm(1, 301, 257, false, true, true, false, true, par, 91);
  check_gemm(1, 301, 257, true, false, false, true, false, par, 92);
  check_gemm(3, 301, 257, false, false, true, true, true, par, 93);
}

Node node(const std::string& op, size_t n_in) {
  Node n;
  n.op_type = op, n.name = "t", n.opset = 10;
  for (size_t i = 0; i < n_in; ++i) n.inputs.push_back("x" + std::to_string(i));
  n.outputs.push_back("y");
  return n;
}

// Runs n once with the inputs named in `constant` visible at build time (packed then).
Tensor run(const Node& n, std::vector<const Tensor*> ins, std::vector<size_t> constant) {
  const OpFactory* f = OpRegistry::builtin().find(n.domain, n.op_type, n.opset);
  if (!f) fail("no kernel for ", n.op_type);
  BuildContext bc{n, [&](const std::string& name) -> const Tensor* {
                    for (size_t i : constant)
                      if (n.inputs[i] == name) return ins[i];
                    return nullptr;
                  }};
  auto k = (*f)(bc);
  TestContext ctx(n, ins);
  k->compute(ctx);
  return ctx.outs_.at(0);
}

template <typename T>
Tensor tensor(DType t, Shape s, std::vector<T> v) {
  Tensor x(t, s);
  EXPECT_EQ(size_t(x.size()), v.size());
  for (size_t i = 0; i < v.size(); ++i) static_cast<T*>(x.raw())[i] = v[i];
  return x;
}

TEST(Int8Gemm, MatMulIntegerPerRowZeroPointHandWorked) {
  // (A - [1; 2]) x B with B = identity: [[1, 2], [3, 4]] - [[1, 1], [2, 2]] = [[0, 1], [1, 2]].
  const Tensor a = tensor<uint8_t>(DType::UInt8, {2, 2}, {1, 2, 3, 4});
  const Tensor b = tensor<uint8_t>(DType::UInt8, {2, 2}, {1, 0, 0, 1});
  const Tensor za = tensor<uint8_t>(DType::UInt8, {2}, {1, 2});
  const Node n = node("MatMulInteger", 3);
  for (const auto& constant : {std::vector<size_t>{}, std::vector<size_t>{1}}) {
    const Tensor y = run(n, {&a, &b, &za}, constant);
    ASSERT_EQ(y.dtype(), DType::Int32);
    ASSERT_EQ(y.shape(), Shape({2, 2}));
    EXPECT_EQ(std::vector<int32_t>(y.data<int32_t>(), y.data<int32_t>() + 4), std::vector<int32_t>({0, 1, 1, 2}));
  }
}

TEST(Int8Gemm, MatMulIntegerBatchedPerRowZeroPoint) {
  const int64_t batches = 2, M = 5, K = 19, N = 18;
  std::mt19937 rng(5);
  Tensor a(DType::Int8, {batches, M, K}), b(DType::UInt8, {K, N}), za(DType::Int8, {M}), zb(DType::UInt8, {N});
  for (Tensor* t : {&a, &b, &za, &zb})
    for (int64_t i = 0; i < t->size(); ++i) static_cast<uint8_t*>(t->raw())[i] = uint8_t(rng());
  const uint8_t* ap = static_cast<const uint8_t*>(a.raw());
  const uint8_t* bp = static_cast<const uint8_t*>(b.raw());
  const Node n = node("MatMulInteger", 4);
  for (const auto& constant : {std::vector<size_t>{}, std::vector<size_t>{1, 3}}) {
    const Tensor y = run(n, {&a, &b, &za, &zb}, constant);
    ASSERT_EQ(y.shape(), Shape({batches, M, N}));
    for (int64_t t = 0; t < batches; ++t)
      for (int64_t m = 0; m < M; ++m)
        for (int64_t j = 0; j < N; ++j) {
          int32_t want = 0;
          for (int64_t k = 0; k < K; ++k)
            want += (val(ap[(t * M + m) * K + k], true) - val(static_cast<const uint8_t*>(za.raw())[m], true)) *
                    (val(bp[k * N + j], false) - val(static_cast<const uint8_t*>(zb.raw())[j], false));
          ASSERT_EQ(y.data<int32_t>()[(t * M + m) * N + j], want) << t << "," << m << "," << j;
        }
  }
}

TEST(Int8Gemm, ConvIntegerWeightsConstantOrNot) {
  // X [1, 4, 5, 5] uint8, W [6, 2, 3, 3] int8 in 2 groups, per-channel w_zp, pad 1, stride 2.
  const int64_t C = 4, H = 5, OC = 6, G = 2, KH = 3, OH = 3;
  std::mt19937 rng(9);
  Tensor x(DType::UInt8, {1, C, H, H}), w(DType::Int8, {OC, C / G, KH, KH}), xz(DType::UInt8, {}),
      wz(DType::Int8, {OC});
  for (Tensor* t : {&x, &w, &xz, &wz})
    for (int64_t i = 0; i < t->size(); ++i) static_cast<uint8_t*>(t->raw())[i] = uint8_t(rng());
  Node n = node("ConvInteger", 4);
  n.attrs["group"].kind = Attribute::Kind::Int, n.attrs["group"].i = G;
  n.attrs["pads"].kind = Attribute::Kind::Ints, n.attrs["pads"].ints = {1, 1, 1, 1};
  n.attrs["strides"].kind = Attribute::Kind::Ints, n.attrs["strides"].ints = {2, 2};
  const uint8_t* xp = static_cast<const uint8_t*>(x.raw());
  const int8_t* wp = static_cast<const int8_t*>(w.raw());
  const int32_t x0 = static_cast<const uint8_t*>(xz.raw())[0];
  for (const auto& constant : {std::vector<size_t>{}, std::vector<size_t>{1, 3}}) {
    const Tensor y = run(n, {&x, &w, &xz, &wz}, constant);
    ASSERT_EQ(y.shape(), Shape({1, OC, OH, OH}));
    for (int64_t oc = 0; oc < OC; ++oc)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OH; ++ox) {
          int32_t want = 0;
          const int64_t g = oc / (OC / G);
          for (int64_t c = 0; c < C / G; ++c)
            for (int64_t ky = 0; ky < KH; ++ky)
              for (int64_t kx = 0; kx < KH; ++kx) {
                const int64_t iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
                if (iy < 0 || iy >= H || ix < 0 || ix >= H) continue;  // padding is x_zp: contributes 0
                const int32_t xv = xp[((g * (C / G) + c) * H + iy) * H + ix] - x0;
                want += xv * (wp[((oc * (C / G) + c) * KH + ky) * KH + kx] - static_cast<const int8_t*>(wz.raw())[oc]);
              }
          ASSERT_EQ(y.data<int32_t>()[(oc * OH + oy) * OH + ox], want) << oc << "," << oy << "," << ox;
        }
  }
}

}  // namespace
