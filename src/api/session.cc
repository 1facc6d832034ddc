#include "api/session.h"

#include <cstdio>
#include <fstream>
#include <iterator>

#include "graph/passes/passes.h"
#include "runtime/executor.h"
#include "runtime/thread_pool.h"

namespace qwasm {

namespace {
LoadOptions load_options(const SessionOptions& opts) {
  LoadOptions lo;
  lo.external = opts.external;
  lo.external_tensor = opts.external_tensor;
  return lo;
}
Model with_options(Model m, const SessionOptions& opts) {
  if (!opts.last_position_outputs.empty()) last_position_outputs(m, opts.last_position_outputs);
  return m;
}
}  // namespace

void reserve_threads(int threads) { shared_thread_pool(threads); }

Session::Session(std::unique_ptr<Executor> exec, int threads) : exec_(std::move(exec)) {
  QWASM_CHECK(threads >= 1 && threads <= 256, "threads must be between 1 and 256, got ", threads);
  ThreadPool* pool = threads > 1 ? shared_thread_pool(threads) : nullptr;
  threads_ = pool ? (pool->size() < threads ? pool->size() : threads) : 1;
}
Session::~Session() = default;

std::unique_ptr<Session> Session::create(const std::vector<ByteChunk>& chunks, const SessionOptions& opts) {
  return std::unique_ptr<Session>(
      new Session(std::make_unique<Executor>(with_options(load_model(chunks, load_options(opts)), opts)), opts.threads));
}

std::unique_ptr<Session> Session::create(ParsedModel& parsed, const SessionOptions& opts) {
  return std::unique_ptr<Session>(
      new Session(std::make_unique<Executor>(with_options(parsed.convert(load_options(opts)), opts)), opts.threads));
}

std::unique_ptr<Session> Session::create(const void* data, size_t size, const SessionOptions& opts) {
  return create(std::vector<ByteChunk>{{data, size}}, opts);
}

std::unique_ptr<Session> Session::create_from_file(const std::string& path, int threads) {
  std::ifstream f(path, std::ios::binary);
  QWASM_CHECK(f.good(), "cannot open model file '", path, "'");
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  SessionOptions opts;
  opts.threads = threads;
  size_t slash = path.find_last_of('/');
  opts.external = file_external_reader(slash == std::string::npos ? "." : path.substr(0, slash));
  return create(bytes.data(), bytes.size(), opts);
}

const std::vector<ValueInfo>& Session::inputs() const { return exec_->inputs(); }
const std::vector<ValueInfo>& Session::outputs() const { return exec_->outputs(); }

std::vector<Tensor> Session::run(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                 const std::vector<std::string>& outputs) {
  // Looked up per run: a later, larger session may have replaced the shared pool.
  PoolSlice slice(threads_ > 1 ? shared_thread_pool(threads_) : nullptr, threads_);
  return exec_->run(feeds, outputs, slice);
}

int Session::threads() const { return threads_; }

ExternalDataReader file_external_reader(const std::string& dir) {
  return [dir](const ExternalRef& ref, void* dst, size_t bytes) {
    std::string path = dir + "/" + ref.location;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    QWASM_CHECK(f, "tensor '", ref.tensor, "': external data file '", ref.location, "' not found");
    bool ok = std::fseek(f, long(ref.offset), SEEK_SET) == 0 && std::fread(dst, 1, bytes, f) == bytes;
    std::fclose(f);
    QWASM_CHECK(ok, "tensor '", ref.tensor, "': external data file '", ref.location, "' is shorter than offset ",
                ref.offset, " + length ", bytes);
  };
}

void Session::set_profile(std::map<std::string, std::pair<double, int64_t>>* p, bool by_shape) {
  exec_->set_profile(p, by_shape);
}

}  // namespace qwasm
