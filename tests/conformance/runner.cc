// Native runner for the ONNX backend node tests (Debian's libonnx-testdata).
// Prints PASS/FAIL per test and "P/T passed"; with --expect, fails when any
// listed test does not pass (the list in the repo only grows).
#include <dirent.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "api/session.h"
#include "graph/float16.h"
#include "onnx/tensor_proto.h"

using namespace qwasm;

namespace {

std::vector<std::string> list_dir(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.rfind(prefix, 0) == 0) out.push_back(n);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail("cannot read ", path);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

Tensor read_tensor(const std::string& path, std::string* name) {
  std::string bytes = read_file(path);
  onnx::TensorProto tp;
  if (!tp.ParseFromString(bytes)) fail(path, " is not a TensorProto");
  *name = tp.name();
  return tensor_from_proto(tp, LoadOptions{});
}

double value_at(const Tensor& t, int64_t i) { return t.get_f64(i); }

// numpy has no bfloat16: the ONNX 1.12 test data stores bfloat16 values as their uint16
// bits. Where the model declares the value bfloat16, read those bits as bfloat16.
Tensor as_declared(Tensor t, const std::string& name, const std::vector<ValueInfo>& declared) {
  if (t.dtype() != DType::UInt16) return t;
  for (const auto& vi : declared) {
    if (vi.name != name || vi.dtype != DType::BFloat16) continue;
    Tensor b(DType::BFloat16, t.shape());
    if (t.bytes()) std::memcpy(b.raw(), t.raw(), t.bytes());
    return b;
  }
  return t;
}

// ONNX backend-test tolerance: |a - e| <= atol + rtol * |e|, NaNs must match.
std::string compare(const Tensor& got, const Tensor& want, const std::string& name) {
  if (got.dtype() != want.dtype())
    return name + ": dtype " + dtype_name(got.dtype()) + " != expected " + dtype_name(want.dtype());
  if (got.shape() != want.shape())
    return name + ": shape " + shape_str(got.shape()) + " != expected " + shape_str(want.shape());
  bool is_float = want.dtype() == DType::Float32 || want.dtype() == DType::Float64 ||
                  want.dtype() == DType::Float16 || want.dtype() == DType::BFloat16;
  if (!is_float) {
    if (got.bytes() && std::memcmp(got.raw(), want.raw(), got.bytes()) != 0) {
      for (int64_t i = 0; i < want.size(); ++i)
        if (dtype_size(want.dtype()) == 1 || got.get_i64(i) != want.get_i64(i))
          return name + ": element " + std::to_string(i) + " = " + std::to_string(got.get_i64(i)) +
                 ", expected " + std::to_string(want.get_i64(i));
    }
    return "";
  }
  const double rtol = 1e-3, atol = 1e-7;
  for (int64_t i = 0; i < want.size(); ++i) {
    double g = value_at(got, i), e = value_at(want, i);
    if (std::isnan(e) || std::isnan(g)) {
      if (std::isnan(e) != std::isnan(g)) return name + ": NaN mismatch at element " + std::to_string(i);
      continue;
    }
    if (std::isinf(e) || std::isinf(g)) {
      if (g != e) return name + ": element " + std::to_string(i) + " = " + std::to_string(g) + ", expected " + std::to_string(e);
      continue;
    }
    if (std::fabs(g - e) > atol + rtol * std::fabs(e))
      return name + ": element " + std::to_string(i) + " = " + std::to_string(g) + ", expected " + std::to_string(e);
  }
  return "";
}

// Empty string on success, else the reason.
std::string run_test(const std::string& dir) {
  try {
    auto session = Session::create_from_file(dir + "/model.onnx");
    auto sets = list_dir(dir, "test_data_set_");
    if (sets.empty()) return "no test_data_set";
    for (const auto& set : sets) {
      std::string sd = dir + "/" + set;
      std::vector<std::pair<std::string, Tensor>> feeds;
      auto ins = list_dir(sd, "input_");
      for (size_t i = 0; i < ins.size(); ++i) {
        std::string name;
        Tensor t = read_tensor(sd + "/input_" + std::to_string(i) + ".pb", &name);
        if (name.empty() && i < session->inputs().size()) name = session->inputs()[i].name;
        feeds.emplace_back(name, as_declared(t, name, session->inputs()));
      }
      auto outs = list_dir(sd, "output_");
      std::vector<std::string> names;
      std::vector<Tensor> expected;
      for (size_t i = 0; i < outs.size(); ++i) {
        std::string name;
        Tensor want = read_tensor(sd + "/output_" + std::to_string(i) + ".pb", &name);
        if (name.empty() && i < session->outputs().size()) name = session->outputs()[i].name;
        expected.push_back(as_declared(want, name, session->outputs()));
        names.push_back(name);
      }
      auto got = session->run(feeds, names);
      for (size_t i = 0; i < got.size(); ++i) {
        std::string why = compare(got[i], expected[i], names[i]);
        if (!why.empty()) return set + ": " + why;
      }
    }
    return "";
  } catch (const std::exception& e) {
    std::string m = e.what();
    return m.empty() ? "exception" : m;
  }
}

std::set<std::string> read_expected(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& f : list_dir(dir, "")) {
    if (f.size() < 4 || f.substr(f.size() - 4) != ".txt") continue;
    std::ifstream in(dir + "/" + f);
    std::string line;
    while (std::getline(in, line)) {
      line.erase(std::remove_if(line.begin(), line.end(), ::isspace), line.end());
      if (!line.empty() && line[0] != '#') out.insert(line);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string root = "/usr/share/libonnx-testdata/data/node", filter = ".*", expect_dir;
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) root = argv[++i];
    else if (a == "--filter" && i + 1 < argc) filter = argv[++i];
    else if (a == "--expect" && i + 1 < argc) expect_dir = argv[++i];
    else if (a == "--quiet") quiet = true;
    else {
      std::fprintf(stderr, "usage: %s [--dir D] [--filter REGEX] [--expect DIR_OF_LISTS] [--quiet]\n", argv[0]);
      return 2;
    }
  }
  std::set<std::string> expected;
  if (!expect_dir.empty()) expected = read_expected(expect_dir);
  std::regex re(filter);
  int total = 0, passed = 0;
  std::vector<std::string> regressions, newly;
  for (const auto& t : list_dir(root, "test_")) {
    if (!std::regex_search(t, re)) continue;
    ++total;
    std::string why = run_test(root + "/" + t);
    bool ok = why.empty();
    if (ok) ++passed;
    if (!quiet || (!ok && expected.count(t))) std::printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", t.c_str(), ok ? "" : ": ", why.c_str());
    if (!ok && expected.count(t)) regressions.push_back(t);
    if (ok && !expect_dir.empty() && !expected.count(t)) newly.push_back(t);
  }
  for (const auto& e : expected)
    if (std::regex_search(e, re) && !std::ifstream(root + "/" + e + "/model.onnx"))
      regressions.push_back(e + " (missing)");
  std::printf("%d/%d passed\n", passed, total);
  if (!newly.empty()) {
    std::printf("passing but not in the expected list (%zu):", newly.size());
    for (auto& n : newly) std::printf(" %s", n.c_str());
    std::printf("\n");
  }
  if (total == 0) {
    std::fprintf(stderr, "FAIL: zero tests ran\n");
    return 1;
  }
  if (!regressions.empty()) {
    std::fprintf(stderr, "FAIL: %zu expected tests did not pass\n", regressions.size());
    return 1;
  }
  return 0;
}
