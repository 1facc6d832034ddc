// ModelLoader: embind glue over api/streaming_loader.h. JS streams the model's bytes
// into wasm-owned chunks and external files through the staging buffer; each call's
// C++ error comes back as {error} (bindings/handles.h).
#include <emscripten/bind.h>

#include <memory>

#include "api/streaming_loader.h"
#include "bindings/handles.h"
#include "bindings/session_handle.h"

using namespace emscripten;

namespace qwasm::bindings {

class ModelLoader {
 public:
  // Address of a new model chunk of `bytes`; JS writes into it directly. 0 = out of memory.
  uintptr_t allocChunk(double bytes) { return reinterpret_cast<uintptr_t>(loader_.alloc_chunk(size_t(bytes))); }
  void setLastChunkSize(double bytes) { loader_.set_last_chunk_size(size_t(bytes)); }

  // {externalFiles: [{location, bytes}]} or {error}.
  val parse() {
    return guarded([&] {
      val files = val::array();
      for (const auto& f : loader_.parse()) {
        val o = val::object();
        o.set("location", f.location);
        o.set("bytes", double(f.bytes));
        files.call<void>("push", o);
      }
      val ok = val::object();
      ok.set("externalFiles", files);
      return ok;
    });
  }

  uintptr_t stagingBuffer(double bytes) { return reinterpret_cast<uintptr_t>(loader_.staging_buffer(size_t(bytes))); }
  val writeExternal(const std::string& location, double offset, double bytes) {
    return guarded([&] {
      loader_.write_external(location, uint64_t(offset), size_t(bytes));
      return val::object();
    });
  }
  val finishExternal(const std::string& location, double size) {
    return guarded([&] {
      loader_.finish_external(location, uint64_t(size));
      return val::object();
    });
  }

  // threads: the session's thread count; pool_threads: the caller + every pre-started
  // pool worker (js/wasm-module.js), so the shared pool is made that size once.
  // last_position_output: a graph output to compute for the last position only ('' = none;
  // SessionOptions::last_position_outputs).
  val build(int threads, int pool_threads, const std::string& last_position_output) {
    return guarded([&] {
      std::vector<std::string> last;
      if (!last_position_output.empty()) last.push_back(last_position_output);
      built_ = std::make_unique<SessionHandle>(loader_.build(threads, pool_threads, std::move(last)));
      val ok = val::object();
      ok.set("ok", true);
      return ok;
    });
  }

  // Hands the session built by build() to JS, which must delete() it.
  SessionHandle* takeSession() { return built_.release(); }
  void release() { loader_.release(); }

 private:
  StreamingLoader loader_;
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
