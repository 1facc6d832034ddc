#include "quantize/calib_files.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "graph/error.h"
#include "onnx.pb.h"
#include "onnx/tensor_proto.h"

namespace qwasm {
namespace fs = std::filesystem;
namespace {

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  QWASM_CHECK(bool(f), "calibration data: cannot read ", p.string());
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

bool ends_with(const std::string& s, const std::string& e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}

// input_<i>.pb -> i, else -1.
int pb_index(const std::string& file) {
  if (file.rfind("input_", 0) != 0 || !ends_with(file, ".pb")) return -1;
  const std::string digits = file.substr(6, file.size() - 9);
  if (digits.empty() || digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return -1;
  return std::stoi(digits);
}

std::vector<std::pair<std::string, Tensor>> pb_feed(const fs::path& dir, const std::vector<std::string>& inputs) {
  std::vector<std::pair<int, fs::path>> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    const int i = pb_index(e.path().filename().string());
    if (i >= 0) files.push_back({i, e.path()});
  }
  std::sort(files.begin(), files.end());
  std::vector<std::pair<std::string, Tensor>> feed;
  for (const auto& f : files) {
    onnx::TensorProto tp;
    const std::string bytes = read_file(f.second);
    QWASM_CHECK(tp.ParseFromString(bytes), "calibration data: ", f.second.string(), " is not an ONNX TensorProto");
    std::string name = tp.name();
    if (std::find(inputs.begin(), inputs.end(), name) == inputs.end()) {
      QWASM_CHECK(size_t(f.first) < inputs.size(), "calibration data: ", f.second.string(), " feeds input ", f.first,
                  " but the model has ", inputs.size(), " inputs");
      name = inputs[size_t(f.first)];
    }
    try {
      feed.push_back({name, tensor_from_proto(tp, {})});
    } catch (const std::exception& e) {
      fail("calibration data: ", f.second.string(), ": ", e.what());
    }
  }
  return feed;
}

DType npy_dtype(const std::string& descr, const std::string& what) {
  static const std::pair<const char*, DType> kTypes[] = {
      {"<f4", DType::Float32}, {"<f8", DType::Float64}, {"<i8", DType::Int64}, {"<i4", DType::Int32},
      {"<i2", DType::Int16},   {"|u1", DType::UInt8},   {"|i1", DType::Int8},  {"|b1", DType::Bool},
      {"<f2", DType::Float16}};
  for (const auto& t : kTypes)
    if (descr == t.first) return t.second;
  fail(what, ": numpy dtype '", descr, "' is not supported (little-endian float32/64, float16, int8/16/32/64, "
       "uint8 or bool)");
}

// The value of 'key' in a .npy header dict ({'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }).
std::string header_field(const std::string& h, const std::string& key, const std::string& what) {
  const size_t k = h.find("'" + key + "'");
  QWASM_CHECK(k != std::string::npos, what, ": .npy header has no '", key, "'");
  size_t v = h.find(':', k);
  QWASM_CHECK(v != std::string::npos, what, ": malformed .npy header");
  ++v;
  while (v < h.size() && h[v] == ' ') ++v;
  size_t end = v;
  if (v < h.size() && h[v] == '\'') end = h.find('\'', v + 1) + 1;
  else if (v < h.size() && h[v] == '(') end = h.find(')', v) + 1;
  else end = h.find_first_of(",}", v);
  QWASM_CHECK(end != std::string::npos && end > v, what, ": malformed .npy header");
  return h.substr(v, end - v);
}

// Entries of an uncompressed zip (np.savez), by name.
std::vector<std::pair<std::string, std::string>> zip_entries(const std::string& z, const std::string& what) {
  auto u16 = [&](size_t at) { return uint32_t(uint8_t(z[at])) | uint32_t(uint8_t(z[at + 1])) << 8; };
  auto u32 = [&](size_t at) { return u16(at) | u16(at + 2) << 16; };
  auto u64 = [&](size_t at) { return uint64_t(u32(at)) | uint64_t(u32(at + 4)) << 32; };
  std::vector<std::pair<std::string, std::string>> out;
  size_t at = 0;
  while (at + 30 <= z.size() && u32(at) == 0x04034b50) {
    const uint32_t flags = u16(at + 6), method = u16(at + 8);
    uint64_t csize = u32(at + 18), usize = u32(at + 22);
    const size_t name_len = u16(at + 26), extra_len = u16(at + 28);
    QWASM_CHECK(at + 30 + name_len + extra_len <= z.size(), what, ": truncated zip entry");
    const std::string name = z.substr(at + 30, name_len);
    QWASM_CHECK(method == 0, what, ": entry '", name, "' is compressed; write the file with np.savez, not ",
                "np.savez_compressed");
    const size_t extra = at + 30 + name_len;
    for (size_t e = extra; e + 4 <= extra + extra_len;) {  // zip64 sizes (numpy writes them)
      const uint32_t id = u16(e), len = u16(e + 2);
      if (id == 1 && len >= 16 && e + 20 <= z.size()) usize = u64(e + 4), csize = u64(e + 12);
      e += 4 + len;
    }
    QWASM_CHECK(!(flags & 8) || csize != 0, what, ": entry '", name, "' has no size in its header");
    QWASM_CHECK(csize == usize, what, ": entry '", name, "' is not stored");
    const size_t data = extra + extra_len;
    QWASM_CHECK(data <= z.size() && csize <= z.size() - data, what, ": truncated zip entry '", name, "'");
    out.push_back({name, z.substr(data, size_t(csize))});
    at = data + size_t(csize);
    if (flags & 8) at += (at + 4 <= z.size() && u32(at) == 0x08074b50) ? 16 : 12;
  }
  QWASM_CHECK(!out.empty(), what, ": not a zip file (.npz) with arrays");
  return out;
}

}  // namespace

Tensor parse_npy(const std::string& b, const std::string& what) {
  QWASM_CHECK(b.size() >= 10 && b.compare(0, 6, "\x93NUMPY") == 0, what, ": not a .npy file");
  const int major = uint8_t(b[6]);
  size_t hlen = 0, start = 0;
  if (major == 1) {
    hlen = size_t(uint8_t(b[8])) | size_t(uint8_t(b[9])) << 8, start = 10;
  } else {
    QWASM_CHECK(b.size() >= 12, what, ": truncated .npy header");
    hlen = size_t(uint8_t(b[8])) | size_t(uint8_t(b[9])) << 8 | size_t(uint8_t(b[10])) << 16 |
           size_t(uint8_t(b[11])) << 24;
    start = 12;
  }
  QWASM_CHECK(start + hlen <= b.size(), what, ": truncated .npy header");
  const std::string h = b.substr(start, hlen);
  std::string descr = header_field(h, "descr", what);
  descr = descr.substr(1, descr.size() - 2);
  QWASM_CHECK(header_field(h, "fortran_order", what) == "False", what, ": Fortran-ordered arrays are not supported");
  const DType dt = npy_dtype(descr, what);
  const std::string shape_s = header_field(h, "shape", what);
  Shape shape;
  for (size_t i = 1; i + 1 < shape_s.size();) {
    while (i + 1 < shape_s.size() && (shape_s[i] == ' ' || shape_s[i] == ',')) ++i;
    if (i + 1 >= shape_s.size()) break;
    size_t end = i;
    while (end < shape_s.size() && ::isdigit(shape_s[end])) ++end;
    QWASM_CHECK(end > i && end - i < 12, what, ": malformed .npy shape ", shape_s);
    shape.push_back(std::stoll(shape_s.substr(i, end - i)));
    i = end;
  }
  Tensor t(dt, shape);
  const size_t data = start + hlen;
  QWASM_CHECK(b.size() - data == t.bytes(), what, ": .npy data is ", b.size() - data, " bytes, shape ",
              shape_str(shape), " of ", descr, " needs ", t.bytes());
  std::memcpy(t.raw(), b.data() + data, t.bytes());
  return t;
}

std::vector<std::string> model_input_names(const void* data, size_t size) {
  onnx::ModelProto m;
  QWASM_CHECK(size > 0 && size <= size_t(INT32_MAX) && m.ParseFromArray(data, int(size)),
              "quantize: the model is not a valid ONNX ModelProto (", size, " bytes)");
  std::set<std::string> inits;
  for (const auto& t : m.graph().initializer()) inits.insert(t.name());
  std::vector<std::string> out;
  for (const auto& v : m.graph().input())
    if (!inits.count(v.name())) out.push_back(v.name());
  return out;
}

CalibrationFeeds read_calibration_files(const std::string& path, const std::vector<std::string>& inputs) {
  CalibrationFeeds feeds;
  auto numpy_file = [&](const fs::path& p) {
    const std::string what = "calibration data: " + p.string();
    const std::string bytes = read_file(p);
    if (ends_with(p.string(), ".npy")) {
      QWASM_CHECK(inputs.size() == 1, what, ": a .npy file feeds a model with one input; this one has ",
                  inputs.size(), " (use a .npz named after them)");
      feeds.push_back({{inputs[0], parse_npy(bytes, what)}});
      return;
    }
    std::vector<std::pair<std::string, Tensor>> feed;
    for (auto& e : zip_entries(bytes, what)) {
      std::string name = ends_with(e.first, ".npy") ? e.first.substr(0, e.first.size() - 4) : e.first;
      if (name.rfind("arr_", 0) == 0 && std::find(inputs.begin(), inputs.end(), name) == inputs.end()) {
        const std::string digits = name.substr(4);  // np.savez(f, a, b): arr_0, arr_1 in input order
        if (!digits.empty() && std::all_of(digits.begin(), digits.end(), ::isdigit) && std::stoul(digits) < inputs.size())
          name = inputs[std::stoul(digits)];
      }
      feed.push_back({name, parse_npy(e.second, what + " [" + e.first + "]")});
    }
    feeds.push_back(std::move(feed));
  };
  const fs::path root(path);
  QWASM_CHECK(fs::exists(root), "calibration data: ", path, " does not exist");
  if (!fs::is_directory(root)) {
    QWASM_CHECK(ends_with(path, ".npy") || ends_with(path, ".npz"), "calibration data: ", path,
                " is neither a directory nor a .npy / .npz file");
    numpy_file(root);
    return feeds;
  }
  std::vector<fs::path> sets, numpy;
  bool has_pb = false;
  for (const auto& e : fs::directory_iterator(root)) {
    const std::string f = e.path().filename().string();
    if (e.is_directory() && f.rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
    else if (pb_index(f) >= 0) has_pb = true;
    else if (ends_with(f, ".npy") || ends_with(f, ".npz")) numpy.push_back(e.path());
  }
  std::sort(sets.begin(), sets.end());
  std::sort(numpy.begin(), numpy.end());
  if (has_pb) feeds.push_back(pb_feed(root, inputs));
  for (const auto& s : sets) feeds.push_back(pb_feed(s, inputs));
  for (const auto& p : numpy) numpy_file(p);
  QWASM_CHECK(!feeds.empty(), "calibration data: ", path, " holds no input_<i>.pb, test_data_set_<k>/ or ",
              ".npy / .npz file");
  return feeds;
}

}  // namespace qwasm
