// ModelLoader: JS streams the model's bytes into wasm-owned chunks and the
// protobuf is parsed straight from them (then they are freed). External-data
// files are streamed through one reusable staging buffer into each tensor's
// final storage (api/external_data.h), so no file is ever held whole.
#include <emscripten/bind.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "api/external_data.h"
#include "api/session.h"
#include "bindings/handles.h"
#include "bindings/session_handle.h"

using namespace emscripten;

namespace qwasm::bindings {

class ModelLoader {
 public:
  ~ModelLoader() { release(); }

  // Address of a new model chunk of `bytes`; JS writes into it directly. 0 = out of memory.
  uintptr_t allocChunk(double bytes) {
    void* p = std::malloc(size_t(bytes) ? size_t(bytes) : 1);
    if (!p) return 0;
    chunks_.push_back({p, size_t(bytes)});
    return reinterpret_cast<uintptr_t>(p);
  }
  // Shrinks the last chunk to the bytes actually written.
  void setLastChunkSize(double bytes) {
    if (!chunks_.empty() && size_t(bytes) <= chunks_.back().size) chunks_.back().size = size_t(bytes);
  }

  // Parses the model (freeing its chunks) and returns {externalFiles: [{location,
  // bytes}]}, bytes being the least size each file must have; or {error}.
  val parse() {
    val r = guarded([&] {
      std::vector<ByteChunk> model;
      for (auto& c : chunks_) model.push_back({c.data, c.size});
      parsed_ = ParsedModel::parse(model);
      free_chunks();
      sink_ = std::make_unique<ExternalSink>(parsed_->external_refs());
      val files = val::array();
      for (const auto& loc : parsed_->external_locations()) {
        val f = val::object();
        f.set("location", loc);
        f.set("bytes", double(sink_->required_bytes(loc)));
        files.call<void>("push", f);
      }
      val ok = val::object();
      ok.set("externalFiles", files);
      return ok;
    });
    if (r.hasOwnProperty("error")) release();
    return r;
  }

  // A staging buffer of at least `bytes` for the next external-data piece (reused).
  uintptr_t stagingBuffer(double bytes) {
    if (size_t(bytes) > staging_.size()) {
      std::vector<char>().swap(staging_);
      staging_.resize(size_t(bytes));
    }
    return reinterpret_cast<uintptr_t>(staging_.data());
  }
  // The staging buffer holds bytes [offset, offset + bytes) of external file `location`.
  val writeExternal(const std::string& location, double offset, double bytes) {
    return guarded([&] {
      QWASM_CHECK(sink_, "writeExternal() before a successful parse()");
      sink_->write(location, uint64_t(offset), staging_.data(), size_t(bytes));
      return val::object();
    });
  }
  // External file `location` ended after `size` bytes.
  val finishExternal(const std::string& location, double size) {
    return guarded([&] {
      QWASM_CHECK(sink_, "finishExternal() before a successful parse()");
      sink_->finish(location, uint64_t(size));
      std::vector<char>().swap(staging_);
      return val::object();
    });
  }

  // Builds the session; everything the loader held is released afterwards.
  // threads: the session's thread count (1 = single-threaded); pool_threads: the caller +
  // every pre-started pool worker: the shared pool is made that size, once, by the first
  // threaded session (js/wasm-module.js; reserve_threads in api/session.h).
  val build(int threads, int pool_threads) {
    val r = guarded([&] {
      QWASM_CHECK(parsed_, "build() called before a successful parse()");
      if (threads > 1) reserve_threads(pool_threads > threads ? pool_threads : threads);
      SessionOptions opts;
      opts.threads = threads;
      opts.external_tensor = [this](const ExternalRef& ref) { return sink_->take(ref); };
      built_ = std::make_unique<SessionHandle>(Session::create(*parsed_, opts));
      val ok = val::object();
      ok.set("ok", true);
      return ok;
    });
    release();
    return r;
  }

  // Hands the session built by build() to JS, which must delete() it.
  SessionHandle* takeSession() { return built_.release(); }

  void release() {
    free_chunks();
    parsed_.reset();
    sink_.reset();
    std::vector<char>().swap(staging_);
  }

 private:
  struct Chunk {
    void* data;
    size_t size;
  };
  void free_chunks() {
    for (auto& c : chunks_) std::free(c.data);
    chunks_.clear();
  }
  std::vector<Chunk> chunks_;
  std::unique_ptr<ParsedModel> parsed_;
  std::unique_ptr<ExternalSink> sink_;
  std::vector<char> staging_;
  std::unique_ptr<SessionHandle> built_;
};

}  // namespace qwasm::bindings

EMSCRIPTEN_BINDINGS(qwasm_loader) {
  using qwasm::bindings::ModelLoader;
  class_<ModelLoader>("ModelLoader")
      .constructor<>()
      .function("allocChunk", &ModelLoader::allocChunk)
      .function("setLastChunkSize", &ModelLoader::setLastChunkSize)
      .function("parse", &ModelLoader::parse)
      .function("stagingBuffer", &ModelLoader::stagingBuffer)
      .function("writeExternal", &ModelLoader::writeExternal)
      .function("finishExternal", &ModelLoader::finishExternal)
      .function("build", &ModelLoader::build)
      .function("takeSession", &ModelLoader::takeSession, allow_raw_pointers())
      .function("release", &ModelLoader::release);
}
