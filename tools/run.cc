// qwasm_run: loads a model natively, feeds deterministic pseudo-random inputs
// (symbolic dims = 1 unless given as name=value) and prints outputs and timing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "api/session.h"

using namespace qwasm;

static Tensor random_input(const ValueInfo& vi, const std::map<std::string, int64_t>& dims, uint32_t& seed) {
  Shape shape;
  for (const auto& d : vi.dims) shape.push_back(d.value >= 0 ? d.value : (dims.count(d.param) ? dims.at(d.param) : 1));
  Tensor t(vi.dtype, shape);
  for (int64_t i = 0; i < t.size(); ++i) {
    seed = seed * 1664525u + 1013904223u;
    double u = double(seed >> 8) / double(1 << 24);
    switch (vi.dtype) {
      case DType::Float32: t.data<float>()[i] = float(u * 2 - 1); break;
      case DType::Int64: t.data<int64_t>()[i] = int64_t(u * 100); break;
      case DType::Int32: t.data<int32_t>()[i] = int32_t(u * 100); break;
      case DType::UInt8: t.data<uint8_t>()[i] = uint8_t(u * 256); break;
      case DType::Int8: t.data<int8_t>()[i] = int8_t(int(u * 256) - 128); break;
      case DType::Bool: t.data<uint8_t>()[i] = u > 0.5; break;
      default: break;
    }
  }
  return t;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: qwasm_run model.onnx [dim=value ...] [--runs N] [--threads N] [--profile]\n");
    return 2;
  }
  std::map<std::string, int64_t> dims;
  int runs = 5;
  int threads = 1;
  bool profile = false;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--profile")) profile = true;
    else if (const char* eq = std::strchr(argv[i], '=')) dims[std::string(argv[i], size_t(eq - argv[i]))] = std::atoll(eq + 1);
  }
  try {
    auto t0 = std::chrono::steady_clock::now();
    auto s = Session::create_from_file(argv[1], threads);
    auto t1 = std::chrono::steady_clock::now();
    std::printf("loaded in %.1f ms\n", std::chrono::duration<double, std::milli>(t1 - t0).count());
    uint32_t seed = 42;
    std::vector<std::pair<std::string, Tensor>> feeds;
    for (const auto& vi : s->inputs()) feeds.emplace_back(vi.name, random_input(vi, dims, seed));
    std::vector<Tensor> out;
    std::map<std::string, std::pair<double, int64_t>> times;
    if (profile) s->set_profile(&times);
    double best = 1e30;
    for (int r = 0; r < runs; ++r) {
      auto a = std::chrono::steady_clock::now();
      out = s->run(feeds);
      best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
    }
    for (size_t i = 0; i < out.size(); ++i) {
      std::printf("%s: %s %s [", s->outputs()[i].name.c_str(), dtype_name(out[i].dtype()), shape_str(out[i].shape()).c_str());
      for (int64_t k = 0; k < std::min<int64_t>(out[i].size(), 8); ++k) std::printf("%s%g", k ? ", " : "", out[i].get_f64(k));
      std::printf("%s]\n", out[i].size() > 8 ? ", ..." : "");
    }
    std::printf("best of %d runs: %.3f ms\n", runs, best);
    if (profile) {  // per operator type, most expensive first, averaged over the runs
      std::vector<std::pair<double, std::string>> rows;
      double total = 0;
      for (auto& kv : times) rows.emplace_back(kv.second.first, kv.first), total += kv.second.first;
      std::sort(rows.rbegin(), rows.rend());
      for (auto& r : rows)
        std::printf("  %-40s %9.3f ms/run %5.1f%%  %lld calls/run\n", r.second.c_str(), r.first / runs,
                    100 * r.first / total, (long long)(times[r.second].second / runs));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
