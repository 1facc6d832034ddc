// The session thread pool (operators reach it through ops/parallel.h: a PoolSlice per
// run) and the operators it splits: every task index runs exactly once, and MatMulNBits
// (both accuracy levels, with and without zero points, N not a multiple of the column
// group), the DynamicQuantizeLinear -> MatMulInteger chain, f32 MatMul / Gemm and the
// row-wise / elementwise ops (Softmax, LayerNormalization, Gelu) give
// bit-identical outputs on 1, 2, 3 and 4 threads (pieces are whole kernel tiles; see
// ops/parallel_gemm.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <set>
#include <random>
#include <string>
#include <vector>

#include "graph_test_util.h"
#include "runtime/executor.h"
#include "runtime/thread_pool.h"

using namespace qwasm;
using namespace qwasm::test;

namespace {

#define SKIP_WITHOUT_THREADS() \
  if (!threads_supported()) GTEST_SKIP() << "this build has no threads (wasm without -pthread)"

TEST(ThreadPool, EveryIndexRunsOnce) {
  SKIP_WITHOUT_THREADS();
  for (int threads : {1, 2, 3, 4}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    PoolSlice slice(&pool, threads);
    EXPECT_EQ(slice.threads(), threads);
    for (int n : {0, 1, 2, 3, 7, 64, 1000}) {
      std::vector<std::atomic<int>> hits(size_t(n > 0 ? n : 1));
      for (auto& h : hits) h = 0;
      // Repeated calls reuse the same workers (generation handoff).
      for (int rep = 0; rep < 20; ++rep) parallel_for(slice, n, [&](int i) { hits[size_t(i)]++; });
      for (int i = 0; i < n; ++i) ASSERT_EQ(hits[size_t(i)].load(), 20) << "threads " << threads << " n " << n << " i " << i;
    }
  }
}

// Runs two tasks that wait for each other until `timeout` and returns how many saw the
// other one arrive: 2 only if they ran at the same time. The deadline makes a pool whose
// workers never run fail instead of hang (the caller then runs both, one after the other).
int tasks_that_met(Parallel& par, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::atomic<int> arrived{0}, met{0};
  parallel_for(par, 2, [&](int) {
    arrived++;
    while (arrived.load() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    if (arrived.load() == 2) met++;
  });
  return met.load();
}

TEST(ThreadPool, WorkersReallyRunTasks) {
  SKIP_WITHOUT_THREADS();
  ThreadPool pool(3);
  PoolSlice slice(&pool, 3);
  EXPECT_EQ(tasks_that_met(slice, std::chrono::seconds(10)), 2) << "no worker took a task within 10 s";
}

TEST(ThreadPool, WorkersCheckFailsWithoutWorkers) {
  // The check above on one thread: the first task times out, so it fails, and returns.
  EXPECT_EQ(tasks_that_met(serial(), std::chrono::milliseconds(50)), 1);
  ThreadPool pool(3);
  PoolSlice one(&pool, 1);
  EXPECT_EQ(tasks_that_met(one, std::chrono::milliseconds(50)), 1);
}

TEST(ThreadPool, LimitCapsTheWorkersThatJoin) {
  SKIP_WITHOUT_THREADS();
  ThreadPool pool(4);
  PoolSlice slice(&pool, 2);
  EXPECT_EQ(slice.threads(), 2);
  std::mutex mu;
  size_t most = 0;
  for (int rep = 0; rep < 50; ++rep) {
    std::set<std::thread::id> ids;  // who ran this job's tasks
    parallel_for(slice, 64, [&](int) {
      std::lock_guard<std::mutex> lock(mu);
      ids.insert(std::this_thread::get_id());
    });
    most = std::max(most, ids.size());
  }
  EXPECT_LE(most, 2u);  // the caller and at most one worker, never three
}

TEST(ThreadPool, SharedPoolGrowsOnDemand) {
  SKIP_WITHOUT_THREADS();
  EXPECT_EQ(shared_thread_pool(1), nullptr);
  ThreadPool* p = shared_thread_pool(2);
  ASSERT_NE(p, nullptr);
  EXPECT_GE(p->size(), 2);
  EXPECT_GE(shared_thread_pool(3)->size(), 3);
  EXPECT_EQ(shared_thread_pool(2), shared_thread_pool(3));  // never shrinks
}

TEST(ThreadPool, NoPoolRunsInline) {
  PoolSlice none(nullptr, 4);
  EXPECT_EQ(none.threads(), 1);
  EXPECT_EQ(serial().threads(), 1);
  for (Parallel* par : {static_cast<Parallel*>(&none), &serial()}) {
    std::vector<int> order;  // in order, on this thread
    parallel_for(*par, 5, [&](int i) { order.push_back(i); });
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  }
}

Tensor random_bytes(DType dt, const Shape& s, std::mt19937& rng) {
  Tensor t(dt, s);
  for (int64_t i = 0; i < t.size(); ++i) static_cast<uint8_t*>(t.raw())[i] = uint8_t(rng());
  return t;
}

// Runs `m` on `threads` threads (1 = no pool) and returns the raw output bytes.
std::vector<std::vector<uint8_t>> run_on(const Model& m, const Tensor& a, int threads) {
  // A pool of 4 limited to `threads`, as sessions use the shared pool.
  ThreadPool pool(4);
  PoolSlice slice(threads > 1 ? &pool : nullptr, threads);
  Executor ex(m);
  std::vector<std::vector<uint8_t>> outs;
  for (const Tensor& t : ex.run({{"A", a}}, {}, slice)) {
    const uint8_t* p = static_cast<const uint8_t*>(t.raw());
    outs.emplace_back(p, p + t.size() * int64_t(dtype_size(t.dtype())));
  }
  return outs;
}

void expect_same_on_all_thread_counts(const Model& m, const Tensor& a) {
  const auto one = run_on(m, a, 1);
  ASSERT_FALSE(one.empty());
  for (int threads : {2, 3, 4}) {
    const auto many = run_on(m, a, threads);
    ASSERT_EQ(many.size(), one.size());
    for (size_t i = 0; i < one.size(); ++i) {
      ASSERT_EQ(many[i].size(), one[i].size());
      EXPECT_EQ(std::memcmp(many[i].data(), one[i].data(), one[i].size()), 0)
          << "output " << i << " differs on " << threads << " threads";
    }
  }
}

Model matmulnbits_model(int64_t M, int64_t K, int64_t N, int64_t level, bool zps, uint32_t seed) {
  std::mt19937 rng(seed);
  const int64_t bs = 32, nb = (K + bs - 1) / bs;
  Model m;
  m.opsets[""] = 17, m.opsets["com.microsoft"] = 1;
  m.graph.inputs = {value("A", DType::Float32, {M, K})};
  m.graph.initializers["B"] = random_bytes(DType::UInt8, {N, nb, bs / 2}, rng);
  m.graph.initializers["S"] = random_f32({N, nb}, rng, 0.001f, 0.05f);
  std::vector<std::string> in = {"A", "B", "S"};
  if (zps) {
    m.graph.initializers["Z"] = random_bytes(DType::UInt8, {N, (nb + 1) / 2}, rng);
    in.push_back("Z");
  }
  Node n = make_ms("MatMulNBits", in, {"Y"});
  n.attrs["K"] = int_attr(K), n.attrs["N"] = int_attr(N), n.attrs["bits"] = int_attr(4);
  n.attrs["block_size"] = int_attr(bs), n.attrs["accuracy_level"] = int_attr(level);
  m.graph.nodes.push_back(n);
  m.graph.outputs = {value("Y", DType::Float32, {M, N})};
  return m;
}

TEST(ThreadedOps, MatMulNBitsIsBitIdentical) {
  SKIP_WITHOUT_THREADS();
  for (int64_t level : {0, 4})
    for (bool zps : {false, true})
      for (int64_t M : {1, 5, 64}) {
        SCOPED_TRACE("level " + std::to_string(level) + " zps " + std::to_string(zps) + " M " + std::to_string(M));
        std::mt19937 rng{uint32_t(M * 7 + level)};
        // N = 200 (12.5 column groups) and 1024 (in-place packing); K = 300 (not a multiple of the block).
        for (int64_t N : {200, 1024}) {
          const Model m = matmulnbits_model(M, 300, N, level, zps, 11);
          expect_same_on_all_thread_counts(m, random_f32({M, 300}, rng));
        }
      }
}

TEST(ThreadedOps, DynamicQuantizedMatMulIsBitIdentical) {
  SKIP_WITHOUT_THREADS();
  for (int64_t M : {1, 3, 37, 128}) {
    SCOPED_TRACE("M " + std::to_string(M));
    std::mt19937 rng{uint32_t(M)};
    const int64_t K = 192, N = 301;
    Model m;
    m.opsets[""] = 17;
    m.graph.inputs = {value("A", DType::Float32, {M, K})};
    m.graph.initializers["W"] = random_bytes(DType::Int8, {K, N}, rng);
    m.graph.nodes.push_back(make("DynamicQuantizeLinear", {"A"}, {"q", "s", "z"}));
    m.graph.nodes.push_back(make("MatMulInteger", {"q", "W", "z"}, {"Y"}));
    m.graph.outputs = {value("Y", DType::Int32, {M, N})};
    expect_same_on_all_thread_counts(m, random_f32({M, K}, rng));
  }
}

TEST(ThreadedOps, FloatMatMulAndGemmAreBitIdentical) {
  SKIP_WITHOUT_THREADS();
  for (int64_t M : {1, 2, 9, 130}) {
    SCOPED_TRACE("M " + std::to_string(M));
    std::mt19937 rng{uint32_t(M + 100)};
    const int64_t K = 200, N = 257;
    Model m;
    m.opsets[""] = 17;
    m.graph.inputs = {value("A", DType::Float32, {M, K})};
    m.graph.initializers["W"] = random_f32({K, N}, rng);
    m.graph.initializers["Wt"] = random_f32({N, K}, rng);
    m.graph.initializers["C"] = random_f32({N}, rng);
    m.graph.nodes.push_back(make("MatMul", {"A", "W"}, {"Y"}));
    Node gemm = make("Gemm", {"A", "Wt", "C"}, {"G"});
    gemm.attrs["transB"] = int_attr(1);
    m.graph.nodes.push_back(gemm);
    m.graph.outputs = {value("Y", DType::Float32, {M, N}), value("G", DType::Float32, {M, N})};
    expect_same_on_all_thread_counts(m, random_f32({M, K}, rng));
  }
}

// A Parallel that reports what the operators asked of it and runs their pieces in
// reverse order on the calling thread (pieces must be independent).
class CountingParallel final : public Parallel {
 public:
  int threads() const override { return 4; }
  void run(int n, TaskFn fn, void* ctx) override {
    ++calls;
    for (int i = n; i-- > 0;) fn(ctx, i);
  }
  int calls = 0;
};

TEST(ThreadedOps, TheExecutorHandsItsParallelToTheOperators) {
  std::mt19937 rng{7};
  const int64_t M = 64, K = 128, N = 96;
  Model m;
  m.opsets[""] = 17;
  m.graph.inputs = {value("A", DType::Float32, {M, K})};
  m.graph.initializers["W"] = random_f32({K, N}, rng);
  m.graph.nodes.push_back(make("MatMul", {"A", "W"}, {"Y"}));
  m.graph.outputs = {value("Y", DType::Float32, {M, N})};
  const Tensor a = random_f32({M, K}, rng);
  Executor ex(m);
  const Tensor one = ex.run({{"A", a}}, {})[0];  // serial()
  CountingParallel par;
  const Tensor split = ex.run({{"A", a}}, {}, par)[0];
  EXPECT_GT(par.calls, 0) << "MatMul never split its work through the run's Parallel";
  ASSERT_EQ(split.size(), one.size());
  EXPECT_EQ(std::memcmp(split.raw(), one.raw(), size_t(one.size()) * sizeof(float)), 0);
}

// Softmax, LayerNormalization and Gelu over rows / elements, and DynamicQuantizeMatMul's
// quantization of A: split into contiguous ranges (ops/parallel_ranges.h). Sizes that are
// not multiples of the 64-element alignment, so the last range ends in a vector tail.
Model rowwise_model(int64_t rows, int64_t cols) {
  std::mt19937 rng{5};
  Model m;
  m.opsets[""] = 17, m.opsets["com.microsoft"] = 1;
  m.graph.inputs = {value("A", DType::Float32, {rows, cols})};
  m.graph.initializers["g"] = random_f32({cols}, rng);
  m.graph.initializers["b"] = random_f32({cols}, rng);
  m.graph.initializers["W"] = random_bytes(DType::Int8, {cols, 33}, rng);
  m.graph.initializers["ws"] = random_f32({33}, rng, 0.001f, 0.01f);
  m.graph.nodes.push_back(make("Softmax", {"A"}, {"S"}));
  Node ln = make("LayerNormalization", {"A", "g", "b"}, {"L"});
  ln.attrs["epsilon"] = float_attr(1e-5f);
  m.graph.nodes.push_back(ln);
  m.graph.nodes.push_back(make_ms("Gelu", {"A"}, {"G"}));
  m.graph.nodes.push_back(make_ms("DynamicQuantizeMatMul", {"A", "W", "ws"}, {"Q"}));
  m.graph.outputs = {value("S", DType::Float32, {rows, cols}), value("L", DType::Float32, {rows, cols}),
                     value("G", DType::Float32, {rows, cols}), value("Q", DType::Float32, {rows, 33})};
  return m;
}

TEST(ThreadedOps, RowwiseAndElementwiseSplitsGiveTheSerialBits) {
  const int64_t rows = 301, cols = 131;  // 39431 elements: every op splits
  const Model m = rowwise_model(rows, cols);
  std::mt19937 rng{9};
  Tensor a = random_f32({rows, cols}, rng, -4.0f, 4.0f);
  Executor ex(m);
  for (bool odd : {false, true}) {
    SCOPED_TRACE(odd ? "with NaN, -0 and the range's ends in different pieces" : "finite");
    if (odd) {  // the quantization range is combined from the pieces' min / max
      a.data<float>()[0] = -0.0f, a.data<float>()[7] = std::nanf("");
      a.data<float>()[rows * cols - 1] = -9.0f, a.data<float>()[rows * cols / 2] = 11.0f;
    }
    const auto one = ex.run({{"A", a}}, {});  // serial()
    CountingParallel par;                    // pieces in reverse order
    const auto split = ex.run({{"A", a}}, {}, par);
    EXPECT_GE(par.calls, 5) << "Softmax, LayerNormalization, Gelu and A's range and quantization each split";
    ASSERT_EQ(split.size(), one.size());
    for (size_t i = 0; i < one.size(); ++i) {
      ASSERT_EQ(split[i].size(), one[i].size());
      EXPECT_EQ(std::memcmp(split[i].raw(), one[i].raw(), size_t(one[i].size()) * sizeof(float)), 0) << "output " << i;
    }
  }
}

TEST(ThreadedOps, RowwiseAndElementwiseOpsAreBitIdentical) {
  SKIP_WITHOUT_THREADS();
  std::mt19937 rng{13};
  expect_same_on_all_thread_counts(rowwise_model(301, 131), random_f32({301, 131}, rng, -4.0f, 4.0f));
}

Tensor scalar_f32(float v) {
  Tensor t(DType::Float32, {});
  *t.data<float>() = v;
  return t;
}

Tensor scalar_u8(uint8_t v) {
  Tensor t(DType::UInt8, {});
  *static_cast<uint8_t*>(t.raw()) = v;
  return t;
}

TEST(ThreadedOps, ConvIntegerQLinearConvAndDepthwiseAreBitIdentical) {
  SKIP_WITHOUT_THREADS();
  // ConvInteger (int32 out) and QLinearConv (requantized bytes); group 1 (im2row or the
  // pointwise transpose, then the int8 GEMM) and group = C (the depthwise path).
  for (bool qlinear : {false, true})
    for (int64_t group : {int64_t(1), int64_t(24)})
      for (int64_t k : {1, 3, 5})
        for (int64_t stride : {1, 2}) {
          SCOPED_TRACE(std::string(qlinear ? "QLinearConv" : "ConvInteger") + " group " + std::to_string(group) +
                       " k " + std::to_string(k) + " stride " + std::to_string(stride));
          std::mt19937 rng{uint32_t(group * 10 + k + stride + (qlinear ? 100 : 0))};
          const int64_t C = 24, M = group == 1 ? 40 : C, H = 57, W = 61;  // large enough to split every step
          Model m;
          m.opsets[""] = 17;
          m.graph.inputs = {value("A", DType::UInt8, {1, C, H, W})};
          m.graph.initializers["W"] = random_bytes(DType::Int8, {M, C / group, k, k}, rng);
          m.graph.initializers["xzp"] = scalar_u8(131);
          Node conv = qlinear ? make("QLinearConv", {"A", "xs", "xzp", "W", "ws", "wzp", "ys", "yzp", "bias"}, {"Y"})
                              : make("ConvInteger", {"A", "W", "xzp"}, {"Y"});
          if (qlinear) {
            m.graph.initializers["xs"] = scalar_f32(0.02f);
            m.graph.initializers["ws"] = random_f32({M}, rng, 0.002f, 0.01f);
            Tensor wzp(DType::Int8, {M});
            std::memset(wzp.raw(), 0, size_t(M));
            m.graph.initializers["wzp"] = wzp;
            m.graph.initializers["ys"] = scalar_f32(0.05f);
            m.graph.initializers["yzp"] = scalar_u8(120);
            Tensor bias(DType::Int32, {M});
            for (int64_t i = 0; i < M; ++i) bias.data<int32_t>()[i] = int32_t(rng() % 2001) - 1000;
            m.graph.initializers["bias"] = bias;
          }
          conv.attrs["group"] = int_attr(group);
          Attribute pads, strides;
          pads.kind = strides.kind = Attribute::Kind::Ints;
          pads.ints = {k / 2, k / 2, k / 2, k / 2};
          strides.ints = {stride, stride};
          conv.attrs["pads"] = pads, conv.attrs["strides"] = strides;
          m.graph.nodes.push_back(conv);
          m.graph.outputs = {value("Y", qlinear ? DType::UInt8 : DType::Int32, {})};
          m.graph.outputs[0].has_shape = false;
          expect_same_on_all_thread_counts(m, random_bytes(DType::UInt8, {1, C, H, W}, rng));
        }
}

}  // namespace
