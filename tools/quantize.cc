// qwasm-quantize: the quantizer as a command-line tool (the same C++ code as qwasm/quantize).
//   qwasm-quantize [--mode weight-only|dynamic|static] [--bits 4|8] [--block-size 32] [--symmetric]
//                  [--accuracy-level 4] [--algorithm rtn|gptq|awq] [--no-awq-clip] [--weight-type int|float8e4m3fn]
//                  [--ops OP[,OP]] [--exclude NODE]...
//                  [--external-data-threshold BYTES] [--calib PATH] [--smooth-quant ALPHA]
//                  [--calibration-method minmax|percentile|entropy] [--percentile P]
//                  [--activations uint8|int8] [--reduce-range] [--keep-float N|auto]
//                  in.onnx out.onnx
// --calib: the calibration data that mode static, --algorithm gptq / awq (weight-only) and
// --smooth-quant (dynamic, static) need: a directory of ONNX TensorProto files as the backend
// tests lay them out (input_0.pb ... or test_data_set_*/input_0.pb ...), or .npy / .npz files
// (quantize/calib_files.h).
// External data of in.onnx is read next to it (mapped, not read: a tensor is paged in when the
// quantizer reads it, so a source larger than memory works); out.onnx's (if any) is written
// next to it.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/quantize.h"

namespace {

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), std::streamsize(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + path);
}

// A read-only mapping of a whole file, unmapped when it goes.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = open(path.c_str(), O_RDONLY);
    if (fd < 0) throw std::runtime_error("cannot read " + path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
      close(fd);
      throw std::runtime_error("cannot read " + path);
    }
    size_ = size_t(st.st_size);
    if (size_ > 0) {
      void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        close(fd);
        throw std::runtime_error("cannot map " + path);
      }
      data_ = static_cast<const char*>(p);
      madvise(p, size_, MADV_SEQUENTIAL);  // tensors are read once, mostly in file order
    }
    close(fd);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_) munmap(const_cast<char*>(data_), size_);
  }
  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

std::string dir_of(const std::string& p) {
  const size_t s = p.rfind('/');
  return s == std::string::npos ? "" : p.substr(0, s + 1);
}

int usage() {
  std::fprintf(stderr,
               "usage: qwasm-quantize [--mode weight-only|dynamic|static] [--bits 4|8] [--block-size N] [--symmetric]\n"
               "                      [--accuracy-level 0..4] [--algorithm rtn|gptq|awq] [--no-awq-clip] [--weight-type int|float8e4m3fn]\n"
               "                      [--ops OP[,OP]] [--exclude NODE]...\n"
               "                      [--external-data-threshold BYTES] [--smooth-quant ALPHA]\n"
               "                      [--calib DIR|FILE.npy|FILE.npz] [--calibration-method minmax|percentile|entropy]\n"
               "                      [--percentile P] [--activations uint8|int8] [--reduce-range] [--keep-float N|auto]\n"
               "                      in.onnx out.onnx\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  qwasm::QuantizeOptions o;
  std::string in, out, calib;
  bool bits_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--mode") {
        const std::string m = next();
        if (m == "weight-only") o.mode = qwasm::QuantizeOptions::Mode::WeightOnly;
        else if (m == "dynamic") o.mode = qwasm::QuantizeOptions::Mode::Dynamic;
        else if (m == "static") o.mode = qwasm::QuantizeOptions::Mode::Static;
        else throw std::runtime_error("--mode must be weight-only, dynamic or static, got " + m);
      } else if (a == "--bits") {
        o.bits = std::stoi(next());
        bits_given = true;
      } else if (a == "--block-size") o.block_size = std::stoi(next());
      else if (a == "--symmetric") o.symmetric = true;
      else if (a == "--accuracy-level") o.accuracy_level = std::stoi(next());
      else if (a == "--algorithm") o.algorithm = next();
      else if (a == "--no-awq-clip") o.awq_clip = false;
      else if (a == "--weight-type") o.weight_type = next();
      else if (a == "--exclude") o.exclude.push_back(next());
      else if (a == "--external-data-threshold") o.external_data_threshold = std::stoull(next());
      else if (a == "--calib") calib = next();
      else if (a == "--smooth-quant") {
        o.smooth_quant = true;
        o.smooth_alpha = std::stod(next());
      }
      else if (a == "--ops") {
        const std::string v = next();
        for (size_t s = 0, e; s <= v.size(); s = e + 1) {
          e = v.find(',', s);
          if (e == std::string::npos) e = v.size();
          if (e > s) o.ops.push_back(v.substr(s, e - s));
        }
      } else if (a == "--calibration-method") {
        const std::string m = next();
        using C = qwasm::QuantizeOptions::Calibration;
        if (m == "minmax") o.calibration_method = C::MinMax;
        else if (m == "percentile") o.calibration_method = C::Percentile;
        else if (m == "entropy") o.calibration_method = C::Entropy;
        else throw std::runtime_error("--calibration-method must be minmax, percentile or entropy, got " + m);
      } else if (a == "--percentile") o.percentile = std::stod(next());
      else if (a == "--activations") {
        const std::string t = next();
        if (t == "uint8") o.activations = qwasm::QuantizeOptions::Activations::UInt8;
        else if (t == "int8") o.activations = qwasm::QuantizeOptions::Activations::Int8;
        else throw std::runtime_error("--activations must be uint8 or int8, got " + t);
      } else if (a == "--reduce-range") o.reduce_range = true;
      else if (a == "--keep-float") {
        const std::string v = next();
        o.keep_float = v == "auto" ? -1 : std::stoi(v);
      }
      else if (a.rfind("--", 0) == 0) return usage();
      else if (in.empty()) in = a;
      else if (out.empty()) out = a;
      else return usage();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "qwasm-quantize: %s\n", e.what());
      return 2;
    }
  }
  if (in.empty() || out.empty()) return usage();
  if (!bits_given) o.bits = 0;  // the mode's default
  try {
    const std::string model = read_all(in);
    if (!calib.empty()) o.calibration = qwasm::read_calibration_files(calib, qwasm::model_input_names(model.data(), model.size()));
    // External files named by the model's initializers, mapped next to it.
    std::vector<std::unique_ptr<MappedFile>> mapped;
    qwasm::ExternalFiles external;
    for (const auto& loc : qwasm::external_data_files(model.data(), model.size())) {
      mapped.push_back(std::make_unique<MappedFile>(dir_of(in) + loc));
      external[loc] = mapped.back()->bytes();
    }
    const size_t slash = out.rfind('/');
    o.external_data_name = (slash == std::string::npos ? out : out.substr(slash + 1)) + "_data";
    const qwasm::QuantizedModel q = qwasm::quantize_model(model.data(), model.size(), external, o);
    write_all(out, q.model);
    uint64_t out_bytes = q.model.size();
    for (const auto& f : q.external) {
      write_all(dir_of(out) + f.first, f.second);
      out_bytes += f.second.size();
    }
    for (const auto& r : q.report)
      std::printf("%-40s %-8s -> %-14s %s\n", r.node.c_str(), r.op_type.c_str(), r.action.c_str(), r.detail.c_str());
    std::printf("qwasm-quantize: %llu -> %llu bytes (%.1f%%)\n", (unsigned long long)q.source_bytes,
                (unsigned long long)out_bytes, 100.0 * double(out_bytes) / double(q.source_bytes));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "qwasm-quantize: %s\n", e.what());
    return 1;
  }
  return 0;
}
