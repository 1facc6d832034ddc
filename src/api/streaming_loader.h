// Loading a model whose bytes arrive in pieces (the JS package streams files into wasm
// memory): the model's bytes go into chunks the caller fills in place, the protobuf is
// parsed straight from them (then they are freed), and external-data files pass through
// one reusable staging buffer into each tensor's final storage (onnx/external_sink.h),
// so no file is ever held whole. The steps must come in order:
//   alloc_chunk / set_last_chunk_size ...  parse  [staging_buffer / write_external ...
//   finish_external per file]  build
// Any step may throw (an Error naming what was wrong); release() frees everything held.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/session.h"
#include "onnx/external_sink.h"

namespace qwasm {

class StreamingLoader {
 public:
  struct ExternalFile {
    std::string location;  // as written in the model (checked: relative, no '..')
    uint64_t bytes;        // the least size the file must have
  };

  ~StreamingLoader() { release(); }

  // A new model chunk of `bytes` for the caller to fill; nullptr when out of memory.
  void* alloc_chunk(size_t bytes);
  // Shrinks the last chunk to the bytes actually written (never grows it).
  void set_last_chunk_size(size_t bytes);

  // Parses the model from the chunks (freeing them) and lists the external files it needs.
  // On failure everything is released.
  std::vector<ExternalFile> parse();

  // A staging buffer of at least `bytes` for the next external-data piece (reused).
  char* staging_buffer(size_t bytes);
  // The staging buffer holds bytes [offset, offset + bytes) of external file `location`.
  void write_external(const std::string& location, uint64_t offset, size_t bytes);
  // External file `location` ended after `size` bytes (checked against what it must hold).
  void finish_external(const std::string& location, uint64_t size);

  // Builds the session; everything the loader held is released afterwards, also on failure.
  // `threads`: the session's thread count; `pool_threads`: how strong to make the shared
  // pool the first time a threaded session is built (reserve_threads);
  // `last_position_outputs`: see SessionOptions.
  std::unique_ptr<Session> build(int threads, int pool_threads, std::vector<std::string> last_position_outputs = {});

  void release();

 private:
  struct Chunk {
    void* data;
    size_t size;
  };
  void free_chunks();
  std::vector<Chunk> chunks_;
  std::unique_ptr<ParsedModel> parsed_;
  std::unique_ptr<ExternalSink> sink_;
  std::vector<char> staging_;
};

}  // namespace qwasm
