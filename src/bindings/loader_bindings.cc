// ModelLoader: JS streams model (and external-data) bytes into wasm-owned chunks,
// then asks for a Session; the protobuf is parsed straight from those chunks.
#include <emscripten/bind.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "api/session.h"
#include "bindings/handles.h"
#include "bindings/session_handle.h"

using namespace emscripten;

namespace qwasm::bindings {

class ModelLoader {
 public:
  ~ModelLoader() { release(); }

  // Returns the address of a new chunk of `bytes` for file `file` ("" = the model);
  // JS writes into it directly.
  uintptr_t allocChunk(const std::string& file, double bytes) {
    void* p = std::malloc(size_t(bytes) ? size_t(bytes) : 1);
    if (!p) return 0;
    files_[file].push_back({p, size_t(bytes)});
    return reinterpret_cast<uintptr_t>(p);
  }
  // Shrinks the last chunk of `file` to the bytes actually written.
  void setLastChunkSize(const std::string& file, double bytes) {
    auto& v = files_[file];
    if (!v.empty() && size_t(bytes) <= v.back().size) v.back().size = size_t(bytes);
  }
  double fileSize(const std::string& file) const {
    auto it = files_.find(file);
    size_t n = 0;
    if (it != files_.end()) for (auto& c : it->second) n += c.size;
    return double(n);
  }

  // Parses the model from its chunks (then frees them) and returns
  // {externalFiles: [...]} naming the external-data files it needs, or {error}.
  val parse() {
    val r = guarded([&] {
      std::vector<ByteChunk> model;
      for (auto& c : files_[""]) model.push_back({c.data, c.size});
      parsed_ = ParsedModel::parse(model);
      free_file("");
      val files = val::array();
      for (const auto& loc : parsed_->external_locations()) files.call<void>("push", loc);
      val ok = val::object();
      ok.set("externalFiles", files);
      return ok;
    });
    if (r.hasOwnProperty("error")) release();
    return r;
  }

  // Builds the session from the parsed model and the external files written so
  // far; everything the loader held is released afterwards, whatever happens.
  val build() {
    val r = guarded([&] {
      QWASM_CHECK(parsed_, "build() called before a successful parse()");
      SessionOptions opts;
      opts.external = [this](const ExternalRef& ref, void* dst, size_t bytes) { read_external(ref, dst, bytes); };
      built_ = std::make_unique<SessionHandle>(Session::create(*parsed_, opts));
      val ok = val::object();
      ok.set("ok", true);
      return ok;
    });
    release();
    return r;
  }

  // Hands the session built by createSession() to JS, which must delete() it.
  SessionHandle* takeSession() { return built_.release(); }

  void release() {
    for (auto& kv : files_)
      for (auto& c : kv.second) std::free(c.data);
    files_.clear();
    parsed_.reset();
  }

 private:
  void free_file(const std::string& file) {
    for (auto& c : files_[file]) std::free(c.data);
    files_.erase(file);
  }
  struct Chunk {
    void* data;
    size_t size;
  };
  void read_external(const ExternalRef& ref, void* dst, size_t bytes) {
    auto it = files_.find(ref.location);
    QWASM_CHECK(it != files_.end(), "tensor '", ref.tensor, "': external data file '", ref.location,
                "' was not provided");
    uint64_t pos = 0, want_begin = ref.offset, want_end = ref.offset + bytes;
    size_t written = 0;
    for (auto& c : it->second) {
      uint64_t b = pos, e = pos + c.size;
      pos = e;
      if (e <= want_begin || b >= want_end) continue;
      uint64_t from = std::max(b, want_begin), to = std::min(e, want_end);
      std::memcpy(static_cast<char*>(dst) + (from - want_begin), static_cast<char*>(c.data) + (from - b), to - from);
      written += size_t(to - from);
    }
    QWASM_CHECK(written == bytes, "tensor '", ref.tensor, "': external data file '", ref.location, "' has ", pos,
                " bytes, shorter than offset ", ref.offset, " + length ", bytes);
  }
  std::map<std::string, std::vector<Chunk>> files_;
  std::unique_ptr<ParsedModel> parsed_;
  std::unique_ptr<SessionHandle> built_;
};

}  // namespace qwasm::bindings

EMSCRIPTEN_BINDINGS(qwasm_loader) {
  using qwasm::bindings::ModelLoader;
  class_<ModelLoader>("ModelLoader")
      .constructor<>()
      .function("allocChunk", &ModelLoader::allocChunk)
      .function("setLastChunkSize", &ModelLoader::setLastChunkSize)
      .function("fileSize", &ModelLoader::fileSize)
      .function("parse", &ModelLoader::parse)
      .function("build", &ModelLoader::build)
      .function("takeSession", &ModelLoader::takeSession, allow_raw_pointers())
      .function("release", &ModelLoader::release);
}
