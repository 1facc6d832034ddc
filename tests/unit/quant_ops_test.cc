// The generated quantization suite (tests/data/quant/manifest.json, shared with
// tests/js/quant.test.mjs) run natively, plus unit checks of the pieces under the
// quantization ops: float8 codecs and rounding (the int8 GEMM is checked in
// quant_int8_gemm_test.cc). The manifest cases fail when the data directory cannot be read
// (native and wasm alike: the wasm test binary links -sNODERAWFS).
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "api/session.h"
#include "graph/float16.h"
#include "ops/quant_common.h"

using namespace qwasm;

namespace {

// ---- a minimal JSON reader (objects, arrays, numbers, strings, literals) for the manifest
struct Json {
  enum Kind { Null, Num, Str, Arr, Obj, Bool } kind = Null;
  double num = 0;
  std::string str;
  std::vector<Json> arr;
  std::map<std::string, Json> obj;
  const Json& operator[](const std::string& k) const {
    static const Json none;
    auto it = obj.find(k);
    return it == obj.end() ? none : it->second;
  }
  bool has(const std::string& k) const { return obj.count(k) != 0; }
};

struct JsonParser {
  const std::string& s;
  size_t i = 0;
  void ws() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  Json parse() {
    ws();
    Json j;
    const char c = s.at(i);
    if (c == '{') {
      j.kind = Json::Obj;
      ++i;
      ws();
      if (s[i] == '}') return ++i, j;
      for (;;) {
        ws();
        std::string k = parse().str;
        ws();
        ++i;  // ':'
        j.obj[k] = parse();
        ws();
        if (s[i++] == '}') return j;
      }
    }
    if (c == '[') {
      j.kind = Json::Arr;
      ++i;
      ws();
      if (s[i] == ']') return ++i, j;
      for (;;) {
        j.arr.push_back(parse());
        ws();
        if (s[i++] == ']') return j;
      }
    }
    if (c == '"') {
      j.kind = Json::Str;
      for (++i; s[i] != '"'; ++i) {
        if (s[i] == '\\') ++i;
        j.str += s[i];
      }
      ++i;
      return j;
    }
    if (s.compare(i, 4, "true") == 0 || s.compare(i, 5, "false") == 0) {
      j.kind = Json::Bool;
      j.num = s[i] == 't';
      i += s[i] == 't' ? 4 : 5;
      return j;
    }
    if (s.compare(i, 4, "null") == 0) return i += 4, j;
    j.kind = Json::Num;
    size_t used = 0;
    j.num = std::stod(s.substr(i, 40), &used);
    i += used;
    return j;
  }
};

double value_of(const Json& v) {
  if (v.kind == Json::Str) return v.str == "NaN" ? NAN : v.str == "Infinity" ? INFINITY : -INFINITY;
  return v.num;
}

DType dtype_of(const std::string& t) {
  static const std::map<std::string, DType> m = {
      {"float32", DType::Float32}, {"uint8", DType::UInt8}, {"int8", DType::Int8},   {"uint16", DType::UInt16},
      {"int16", DType::Int16},     {"int32", DType::Int32}, {"float16", DType::Float16}, {"bool", DType::Bool}};
  return m.at(t);
}

Tensor make_tensor(const Json& spec) {
  Shape shape;
  for (const Json& d : spec["dims"].arr) shape.push_back(int64_t(d.num));
  Tensor t(dtype_of(spec["type"].str), shape);
  const auto& data = spec["data"].arr;
  for (size_t k = 0; k < data.size(); ++k) {
    const double v = value_of(data[k]);
    switch (t.dtype()) {
      case DType::Float32: t.data<float>()[k] = float(v); break;
      case DType::Float16: case DType::UInt16: static_cast<uint16_t*>(t.raw())[k] = uint16_t(v); break;
      case DType::Int16: t.data<int16_t>()[k] = int16_t(v); break;
      case DType::UInt8: case DType::Bool: static_cast<uint8_t*>(t.raw())[k] = uint8_t(v); break;
      case DType::Int8: t.data<int8_t>()[k] = int8_t(v); break;
      case DType::Int32: t.data<int32_t>()[k] = int32_t(v); break;
      default: break;
    }
  }
  return t;
}

// An absolute path from the build (tests/CMakeLists.txt), so the suite reads its data from
// any working directory; the wasm build reads it from the real filesystem (-sNODERAWFS).
const char* kDir = QWASM_QUANT_DATA_DIR;

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return {};
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::unique_ptr<Session> load(const std::string& model) {
  const std::string bytes = slurp(kDir + model);
  return Session::create(bytes.data(), bytes.size(), SessionOptions{});
}

TEST(QuantSuite, ManifestCases) {
  const std::string text = slurp(std::string(kDir) + "manifest.json");
  ASSERT_FALSE(text.empty()) << kDir << "manifest.json is missing or empty";
  JsonParser p{text};
  const Json manifest = p.parse();
  int checked = 0;
  for (const Json& c : manifest["cases"].arr) {
    const std::string name = c["name"].str;
    SCOPED_TRACE(name);
    if (c.has("error")) {
      try {
        load(c["model"].str);
        ADD_FAILURE() << name << ": loaded, expected an error containing '" << c["error"].str << "'";
      } catch (const Error& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(c["node"].str), std::string::npos) << msg;
        EXPECT_NE(msg.find(c["error"].str), std::string::npos) << msg;
      }
      ++checked;
      continue;
    }
    std::vector<std::pair<std::string, Tensor>> feeds;
    for (const Json& in : c["inputs"].arr) feeds.emplace_back(in["name"].str, make_tensor(in));
    std::vector<Tensor> outs;
    try {
      outs = load(c["model"].str)->run(feeds);
    } catch (const std::exception& e) {
      ADD_FAILURE() << name << ": " << e.what();
      continue;
    }
    const double atol = c["tolerance"]["atol"].num, rtol = c["tolerance"]["rtol"].num;
    for (size_t o = 0; o < outs.size(); ++o) {
      const Json& spec = c["outputs"].arr[o];
      const Tensor want = make_tensor(spec);
      ASSERT_EQ(outs[o].dtype(), want.dtype()) << name;
      ASSERT_EQ(outs[o].shape(), want.shape()) << name;
      const bool half = want.dtype() == DType::Float16;
      const bool is_float = want.dtype() == DType::Float32 || half;
      int bad = 0;
      for (int64_t k = 0; k < want.size() && bad < 5; ++k) {
        const double g = half ? half_to_float(static_cast<const uint16_t*>(outs[o].raw())[k]) : outs[o].get_f64(k);
        const double w = half ? half_to_float(static_cast<const uint16_t*>(want.raw())[k]) : want.get_f64(k);
        bool ok;
        if (!is_float) ok = g == w;
        else if (std::isnan(w) || std::isinf(w)) ok = (std::isnan(w) && std::isnan(g)) || g == w;
        else ok = std::fabs(g - w) <= atol + rtol * std::fabs(w);
        if (!ok) {
          ++bad;
          ADD_FAILURE() << name << "/" << spec["name"].str << "[" << k << "] = " << g << ", expected " << w;
        }
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

// ---- pieces under the ops

TEST(QuantUnits, Float8RoundTripsEveryCode) {
  for (DType t : {DType::Float8E4M3FN, DType::Float8E4M3FNUZ, DType::Float8E5M2, DType::Float8E5M2FNUZ})
    for (int c = 0; c < 256; ++c) {
      const float v = f8_to_float(uint8_t(c), t);
      if (std::isnan(v)) continue;
      EXPECT_EQ(float_to_f8(v, t, false), c) << dtype_name(t) << " code " << c;
    }
}

TEST(QuantUnits, Float8SaturationAndRounding) {
  EXPECT_EQ(float_to_f8(1e9f, DType::Float8E4M3FN, true), 0x7e);   // 448
  EXPECT_EQ(float_to_f8(1e9f, DType::Float8E4M3FN, false), 0x7f);  // NaN
  EXPECT_EQ(float_to_f8(-INFINITY, DType::Float8E5M2, false), 0xfc);  // -inf
  EXPECT_EQ(float_to_f8(-INFINITY, DType::Float8E5M2, true), 0xfb);   // -57344
  EXPECT_EQ(float_to_f8(1e9f, DType::Float8E4M3FNUZ, false), 0x80);   // NaN
  EXPECT_EQ(float_to_f8(-0.0f, DType::Float8E4M3FNUZ, true), 0x00);   // no negative zero
  EXPECT_EQ(float_to_f8(-0.0f, DType::Float8E4M3FN, true), 0x80);
  // 1.0625 lies halfway between 1.0 (0x38) and 1.125 (0x39) in E4M3FN: ties to even.
  EXPECT_EQ(float_to_f8(1.0625f, DType::Float8E4M3FN, true), 0x38);
  EXPECT_EQ(float_to_f8(1.1875f, DType::Float8E4M3FN, true), 0x3a);
}

TEST(QuantUnits, RoundHalfToEvenAndSaturate) {
  EXPECT_EQ(round_clamp(2.5f, 0, 255), 2);
  EXPECT_EQ(round_clamp(3.5f, 0, 255), 4);
  EXPECT_EQ(round_clamp(-2.5f, -128, 127), -2);
  EXPECT_EQ(round_clamp(300.f, 0, 255), 255);
  EXPECT_EQ(round_clamp(-300.f, -128, 127), -128);
  EXPECT_EQ(requantize(5, 0.5f, 10, 0, 255), 12);  // 2.5 -> 2, + 10
}

}  // namespace
