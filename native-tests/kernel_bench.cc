// Kernel microbenchmark: every variant the host runs, on the shapes of the models we
// target (BERT-base int8 GEMMs, Qwen2-0.5B 4-bit GEMV/GEMM, an f32 GEMM), plus
// instruction ceilings and the ratios the kernels are judged by. Prints one JSON
// object per line ({"bench","impl","metric","value","unit", ...}), then a table.
// Shapes are M x K x N. 1 multiply-add = 2 ops.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bench_ceiling.h"
#include "qwasm_kernels.h"

namespace qk = qwasm::kernels;

namespace {

#if defined(__wasm__)
#if defined(QWASM_KERNELS_RELAXED)
const char* kBuild = "qwasm-relaxed";
#else
const char* kBuild = "qwasm-simd128";
#endif
#else
const char* kBuild = "native";
#endif

struct Row {
  std::string bench, impl, metric, unit;
  double value;
};
std::vector<Row> g_rows;

void emit(const std::string& bench, const std::string& impl, const std::string& metric, double value,
          const std::string& unit) {
  std::printf("{\"bench\":\"%s\",\"impl\":\"%s\",\"metric\":\"%s\",\"value\":%.4g,\"unit\":\"%s\"}\n", bench.c_str(),
              impl.c_str(), metric.c_str(), value, unit.c_str());
  std::fflush(stdout);
  g_rows.push_back({bench, impl, metric, unit, value});
}

// Seconds per call: one warm-up call, then repeat until ~0.25 s has passed.
double time_per_call(const std::function<void()>& f) {
  f();
  using clock = std::chrono::steady_clock;
  int n = 0;
  const auto t0 = clock::now();
  double s = 0;
  do {
    f();
    ++n;
    s = std::chrono::duration<double>(clock::now() - t0).count();
  } while (s < 0.25);
  return s / n;
}

uint32_t g_rng = 12345;
uint32_t rnd() { return g_rng = g_rng * 1664525u + 1013904223u; }

void* aligned(std::vector<uint8_t>& v, size_t bytes) {
  v.assign(bytes + 64, 0);
  return v.data() + ((64 - (reinterpret_cast<uintptr_t>(v.data()) & 63)) & 63);
}

std::string impl_name(const qk::KernelInfo& k) { return std::string(kBuild) + "/" + k.name; }
std::string shape(int M, int K, int N) {
  return std::to_string(M) + "x" + std::to_string(K) + "x" + std::to_string(N);
}

double bench_gemm_i8(const qk::GemmI8Kernel& k, int M, int K, int N) {
  std::vector<uint8_t> A(size_t(M) * size_t(K)), B(size_t(K) * size_t(N)), pbuf;
  for (auto& v : A) v = uint8_t(rnd() >> 24);
  const bool b7 = (k.info.caveats & qk::kNeedsB7bit) != 0;
  for (auto& v : B) v = b7 ? uint8_t(int8_t(int(rnd() >> 25) - 64)) : uint8_t(rnd() >> 24);
  std::vector<int32_t> C(size_t(M) * size_t(N)), zb(size_t(N), 3);
  qk::GemmI8PackArgs p;
  p.K = K, p.N = N, p.B = B.data(), p.stride_k = N, p.b_signed = true, p.zb = zb.data(), p.zb_per_column = true;
  void* pk = aligned(pbuf, k.packed_size(K, N));
  k.pack_b(p, pk);
  qk::GemmI8Args g;
  g.M = M, g.A = A.data(), g.lda = K, g.za = 128, g.packed_b = pk, g.C = C.data(), g.ldc = N;
  const double s = time_per_call([&] { k.run(g); });
  return 2.0 * M * N * K / s * 1e-9;
}

struct QWeights {
  qk::QBlockShape s;
  std::vector<uint8_t> B, Z, pbuf;
  std::vector<float> S;
  void* packed;
  QWeights(int K, int N) {
    s = {K, N, 4, 32};
    const int nb = qk::mnb_n_blocks(K, 32);
    B.resize(size_t(N) * size_t(nb) * 16);
    Z.resize(size_t(N) * size_t(qk::mnb_zp_row_bytes(nb, 4)));
    S.resize(size_t(N) * size_t(nb));
    for (auto& v : B) v = uint8_t(rnd() >> 24);
    for (auto& v : Z) v = uint8_t(rnd() >> 24);
    for (auto& v : S) v = 0.01f + float(rnd() >> 24) * 1e-4f;
    packed = aligned(pbuf, qk::qblock_packed_size(s));
    qk::qblock_pack(s, {B.data(), S.data(), Z.data()}, packed);
  }
};

double bench_qblock(const qk::QBlockKernel& k, QWeights& w, int M) {
  const int K = w.s.K, N = w.s.N;
  std::vector<float> A(size_t(M) * size_t(K)), Y(size_t(M) * size_t(N));
  for (auto& v : A) v = float(int(rnd() >> 20) - 2048) / 1024.0f;
  qk::QBlockArgs a;
  a.M = M, a.A = A.data(), a.lda = K, a.packed = w.packed, a.Y = Y.data(), a.ldy = N;
  const double s = time_per_call([&] { k.run(a); });
  return 2.0 * M * N * K / s * 1e-9;
}

// The baseline a runtime without block kernels would use: expand the 4-bit weights to
// f32 [K, N] and run the f32 GEMV. Returns {per call with the expansion, f32 GEMV only}.
std::pair<double, double> bench_dequant_baseline(QWeights& w) {
  const int K = w.s.K, N = w.s.N, nb = qk::mnb_n_blocks(K, 32);
  std::vector<float> W(size_t(K) * size_t(N)), A(static_cast<size_t>(K)), Y(static_cast<size_t>(N));
  for (auto& v : A) v = float(int(rnd() >> 20) - 2048) / 1024.0f;
  auto dequant = [&] {
    for (int n = 0; n < N; ++n)
      for (int blk = 0; blk < nb; ++blk) {
        const uint8_t* blob = w.B.data() + (size_t(n) * size_t(nb) + size_t(blk)) * 16;
        const float sc = w.S[size_t(n) * size_t(nb) + size_t(blk)];
        const float zp = float(qk::mnb_get_zp(w.Z.data(), 4, nb, n, blk));
        for (int i = 0; i < 32 && blk * 32 + i < K; ++i)
          W[size_t(blk * 32 + i) * size_t(N) + size_t(n)] = (float(qk::mnb_get_q(blob, 4, i)) - zp) * sc;
      }
  };
  qk::GemmF32Args g;
  g.M = 1, g.N = N, g.K = K, g.A = A.data(), g.a_rs = K, g.B = W.data(), g.b_rs = N, g.C = Y.data(), g.ldc = N;
  const double both = time_per_call([&] {
    dequant();
    qk::gemm_f32(g);
  });
  const double gemv = time_per_call([&] { qk::gemm_f32(g); });
  const double ops = 2.0 * K * N * 1e-9;
  return {ops / both, ops / gemv};
}

double bench_f32(const qk::GemmF32Kernel& k, int M, int K, int N) {
  std::vector<float> A(size_t(M) * size_t(K)), B(size_t(K) * size_t(N)), C(size_t(M) * size_t(N));
  for (auto& v : A) v = float(int(rnd() >> 20) - 2048) / 2048.0f;
  for (auto& v : B) v = float(int(rnd() >> 20) - 2048) / 2048.0f;
  qk::GemmF32Args g;
  g.M = M, g.N = N, g.K = K, g.A = A.data(), g.a_rs = K, g.B = B.data(), g.b_rs = N, g.C = C.data(), g.ldc = N;
  const double s = time_per_call([&] { k.run(g); });
  return 2.0 * M * N * K / s * 1e-9;
}

const char* filter = "";
bool selected(const qk::KernelInfo& k) { return qk::runs_on_host(k) && std::strstr(k.name, filter); }

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) filter = argv[1];
  size_t n = 0;
  std::printf("# kernel bench (%s), dot class: %s\n", kBuild, qwasm_dot_class_name(qk::host_features().dot));
  const int i8_shapes[2][3] = {{128, 768, 768}, {128, 3072, 768}};
  double best_i8 = 0, best_i8_b7 = 0, simd128_i8 = 0, vnni_i8 = 0;
  const qk::GemmI8Kernel& exact = qk::best_gemm_i8(false);
  const qk::GemmI8Kernel& any = qk::best_gemm_i8(true);
  const qk::GemmI8Kernel* const* gi = qk::gemm_i8_kernels(&n);
  for (size_t i = 0; i < n; ++i) {
    if (!selected(gi[i]->info)) continue;
    for (const auto& s : i8_shapes) {
      const double v = bench_gemm_i8(*gi[i], s[0], s[1], s[2]);
      emit("gemm_i8 " + shape(s[0], s[1], s[2]), impl_name(gi[i]->info), "throughput", v, "GOP/s");
      if (s[1] != 768) continue;
      if (gi[i] == &exact) best_i8 = v;
      if (gi[i] == &any) best_i8_b7 = v;
      if (gi[i]->info.isa == qk::Isa::kWasmSimd128) simd128_i8 = v;
      if (gi[i]->info.isa == qk::Isa::kAvx512Vnni) vnni_i8 = v;
    }
  }

  QWeights w1(896, 4864), w2(4864, 896);
  double best_q4 = 0;
  const qk::QBlockKernel& bq = qk::best_qblock(4);
  const qk::QBlockKernel* const* qb = qk::qblock_kernels(&n);
  for (size_t i = 0; i < n; ++i) {
    if (!selected(qb[i]->info)) continue;
    const double v1 = bench_qblock(*qb[i], w1, 1);
    emit("q4_gemv " + shape(1, 896, 4864), impl_name(qb[i]->info), "throughput", v1, "GOP/s");
    emit("q4_gemv " + shape(1, 4864, 896), impl_name(qb[i]->info), "throughput", bench_qblock(*qb[i], w2, 1), "GOP/s");
    emit("q4_gemm " + shape(64, 896, 4864), impl_name(qb[i]->info), "throughput", bench_qblock(*qb[i], w1, 64), "GOP/s");
    if (qb[i] == &bq) best_q4 = v1;
  }
  const auto base = bench_dequant_baseline(w1);
  emit("q4_gemv " + shape(1, 896, 4864), std::string(kBuild) + "/baseline_dequant_f32_then_f32_gemv", "throughput",
       base.first, "GOP/s");
  emit("q4_gemv " + shape(1, 896, 4864), std::string(kBuild) + "/baseline_f32_gemv_predequantized", "throughput",
       base.second, "GOP/s");

  const qk::GemmF32Kernel* const* gf = qk::gemm_f32_kernels(&n);
  for (size_t i = 0; i < n; ++i)
    if (selected(gf[i]->info))
      emit("gemm_f32 " + shape(128, 768, 768), impl_name(gf[i]->info), "throughput", bench_f32(*gf[i], 128, 768, 768),
           "GOP/s");

  // Ceilings and the ratios the kernels are judged by (docs/kernels.md).
  const std::string b(kBuild);
  if (const double c = ceiling_relaxed_dot_gops()) {
    emit("ceiling relaxed_dot loop", b, "throughput", c, "GOP/s");
    emit("ratio gemm_i8 128x768x768 exact / relaxed ceiling", b + "/" + exact.info.name, "ratio", best_i8 / c, "x");
    emit("ratio gemm_i8 128x768x768 b7 / relaxed ceiling", b + "/" + any.info.name, "ratio", best_i8_b7 / c, "x");
    if (simd128_i8 > 0) {
      emit("ratio gemm_i8 128x768x768 exact / simd128 kernel", b + "/" + exact.info.name, "ratio", best_i8 / simd128_i8, "x");
      emit("ratio gemm_i8 128x768x768 b7 / simd128 kernel", b + "/" + any.info.name, "ratio", best_i8_b7 / simd128_i8, "x");
    }
  }
  if (const double c = ceiling_simd128_dot_gops()) emit("ceiling i32x4.dot_i16x8 loop", b, "throughput", c, "GOP/s");
  if (qk::host_features().avx512vnni) {
    const double c = ceiling_avx512vnni_gops();
    emit("ceiling vpdpbusd zmm loop", b, "throughput", c, "GOP/s");
    if (vnni_i8 > 0) emit("ratio gemm_i8 128x768x768 avx512vnni / vpdpbusd peak", b, "ratio", vnni_i8 / c, "x");
  }
  if (best_q4 > 0) {
    emit("ratio q4_gemv 1x896x4864 level4 / dequant+f32 gemv", b + "/" + bq.info.name, "ratio", best_q4 / base.first, "x");
    emit("ratio q4_gemv 1x896x4864 level4 / f32 gemv on predequantized weights", b + "/" + bq.info.name, "ratio",
         best_q4 / base.second, "x");
  }

  std::printf("\n%-60s %-58s %10s\n", "bench", "impl", "value");
  for (const Row& r : g_rows)
    std::printf("%-60s %-58s %10.3g %s\n", r.bench.c_str(), r.impl.c_str(), r.value, r.unit.c_str());
  return g_rows.empty() ? 1 : 0;
}
