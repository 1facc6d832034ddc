// Native runner for the ONNX backend node tests (Debian's libonnx-testdata).
// Prints PASS/FAIL per test and "P/T passed"; with --expect, fails when any
// listed test does not pass (the list in the repo only grows).
#include <dirent.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

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

// What a graph input / output holds, from its TypeProto: the test data of sequences and
// optionals are SequenceProto / OptionalProto (onnx-data.proto), which the project does
// not compile; the few fields the tests use are read from the wire format here.
struct ValueType {
  enum Kind { kTensor, kSequence, kOptional } kind = kTensor;
  DType elem = DType::Undefined;           // innermost tensor element type
  bool optional_of_sequence = false;
};

ValueType value_type(const onnx::TypeProto& t) {
  ValueType v;
  const onnx::TypeProto* inner = &t;
  if (t.has_optional_type()) {
    v.kind = ValueType::kOptional;
    inner = &t.optional_type().elem_type();
    v.optional_of_sequence = inner->has_sequence_type();
  } else if (t.has_sequence_type()) {
    v.kind = ValueType::kSequence;
  }
  if (inner->has_sequence_type()) inner = &inner->sequence_type().elem_type();
  if (inner->has_tensor_type() && dtype_is_valid(inner->tensor_type().elem_type()))
    v.elem = DType(inner->tensor_type().elem_type());
  return v;
}

// Calls f(field, bytes) for each length-delimited field of a serialized message.
template <typename F> void each_message_field(const std::string& bytes, const std::string& path, F f) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()), int(bytes.size()));
  while (uint32_t tag = in.ReadTag()) {
    if (WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t len = 0;
      std::string sub;
      if (!in.ReadVarint32(&len) || !in.ReadString(&sub, int(len))) fail(path, ": truncated message");
      f(WireFormatLite::GetTagFieldNumber(tag), sub);
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      fail(path, ": malformed message");
    }
  }
}

Tensor tensor_from_bytes(const std::string& bytes, const std::string& path, std::string* name) {
  onnx::TensorProto tp;
  if (!tp.ParseFromString(bytes)) fail(path, " is not a TensorProto");
  if (name) *name = tp.name();
  return tensor_from_proto(tp, LoadOptions{});
}

// SequenceProto: 1 name, 3 tensor_values.
Tensor sequence_from_bytes(const std::string& bytes, const std::string& path, DType elem, std::string* name) {
  std::vector<Tensor> items;
  each_message_field(bytes, path, [&](int field, const std::string& sub) {
    if (field == 1 && name) *name = sub;
    if (field == 3) items.push_back(tensor_from_bytes(sub, path, nullptr));
  });
  if (!items.empty()) elem = items[0].dtype();
  return Tensor::sequence(elem == DType::Undefined ? DType::Float32 : elem, std::move(items));
}

// OptionalProto: 1 name, 3 tensor_value, 5 sequence_value; neither = no value.
Tensor optional_from_bytes(const std::string& bytes, const std::string& path, DType elem, std::string* name) {
  Tensor out = Tensor::none();
  each_message_field(bytes, path, [&](int field, const std::string& sub) {
    if (field == 1 && name) *name = sub;
    if (field == 3) out = tensor_from_bytes(sub, path, nullptr);
    if (field == 5) out = sequence_from_bytes(sub, path, elem, nullptr);
  });
  return out;
}

Tensor read_value(const std::string& path, const ValueType& type, std::string* name) {
  std::string bytes = read_file(path);
  switch (type.kind) {
    case ValueType::kSequence: return sequence_from_bytes(bytes, path, type.elem, name);
    case ValueType::kOptional: return optional_from_bytes(bytes, path, type.elem, name);
    default: return tensor_from_bytes(bytes, path, name);
  }
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
  if (got.kind() != want.kind()) return name + ": got a " + got.kind_str() + ", expected a " + want.kind_str();
  if (want.is_none()) return "";
  if (want.is_sequence()) {
    if (got.items().size() != want.items().size())
      return name + ": sequence of " + std::to_string(got.items().size()) + " tensors, expected " +
             std::to_string(want.items().size());
    for (size_t i = 0; i < want.items().size(); ++i) {
      std::string why = compare(got.items()[i], want.items()[i], name + "[" + std::to_string(i) + "]");
      if (!why.empty()) return why;
    }
    return "";
  }
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
    onnx::ModelProto mp;
    if (!mp.ParseFromString(read_file(dir + "/model.onnx"))) fail(dir, "/model.onnx is not a ModelProto");
    std::vector<ValueType> in_types, out_types;
    for (const auto& vi : mp.graph().input()) {
      bool is_init = false;
      for (const auto& init : mp.graph().initializer()) is_init = is_init || init.name() == vi.name();
      if (!is_init) in_types.push_back(value_type(vi.type()));
    }
    for (const auto& vi : mp.graph().output()) out_types.push_back(value_type(vi.type()));
    auto type_at = [](const std::vector<ValueType>& v, size_t i) { return i < v.size() ? v[i] : ValueType{}; };
    auto sets = list_dir(dir, "test_data_set_");
    if (sets.empty()) return "no test_data_set";
    for (const auto& set : sets) {
      std::string sd = dir + "/" + set;
      std::vector<std::pair<std::string, Tensor>> feeds;
      auto ins = list_dir(sd, "input_");
      for (size_t i = 0; i < ins.size(); ++i) {
        std::string name;
        Tensor t = read_value(sd + "/input_" + std::to_string(i) + ".pb", type_at(in_types, i), &name);
        if (name.empty() && i < session->inputs().size()) name = session->inputs()[i].name;
        feeds.emplace_back(name, as_declared(t, name, session->inputs()));
      }
      auto outs = list_dir(sd, "output_");
      std::vector<std::string> names;
      std::vector<Tensor> expected;
      for (size_t i = 0; i < outs.size(); ++i) {
        std::string name;
        Tensor want = read_value(sd + "/output_" + std::to_string(i) + ".pb", type_at(out_types, i), &name);
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
