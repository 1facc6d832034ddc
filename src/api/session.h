// The C++ public API: what the bindings, native tools and tests use.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "onnx/loader.h"

namespace qwasm {

class Executor;

struct SessionOptions {
  // How external-data bytes arrive (needed only for models with external files):
  // a reader called per tensor, or tensors already filled (api/streaming_loader.h).
  ExternalDataReader external;
  ExternalTensorSource external_tensor;
  // Threads that run the heavy operators (the caller included); 1 = single-threaded.
  // Results do not depend on it (see ops/parallel.h). Threaded sessions share one
  // process-wide pool, grown on demand (or sized up front: reserve_threads()).
  int threads = 1;
  // Graph outputs [batch, seq, n] to compute for the last position only ([batch, 1, n]),
  // where they come from a row-wise product (graph/passes/last_position.cc): a text
  // generator's next-token logits without the LM head over the whole prompt.
  std::vector<std::string> last_position_outputs;
};

// Makes the process-wide pool that threaded sessions share at least `threads` strong
// (the caller included) now, rather than growing it session by session. The wasm
// bindings pass every pre-started worker, so the pool is made once. No-op below 2.
void reserve_threads(int threads);

class Session {
 public:
  // Parses the model (one block, or chunks in arrival order) and prepares every node.
  static std::unique_ptr<Session> create(const std::vector<ByteChunk>& chunks, const SessionOptions& opts);
  static std::unique_ptr<Session> create(const void* data, size_t size, const SessionOptions& opts);
  // From a model already parsed (see ParsedModel).
  static std::unique_ptr<Session> create(ParsedModel& parsed, const SessionOptions& opts);
  // Reads a model file; external data resolves relative to its directory.
  static std::unique_ptr<Session> create_from_file(const std::string& path, int threads = 1);
  ~Session();

  const std::vector<ValueInfo>& inputs() const;
  const std::vector<ValueInfo>& outputs() const;

  // `outputs` empty = all graph outputs, in graph order.
  std::vector<Tensor> run(const std::vector<std::pair<std::string, Tensor>>& feeds,
                          const std::vector<std::string>& outputs = {});

  // Per operator type timing while set (see Executor::set_profile); nullptr stops it.
  void set_profile(std::map<std::string, std::pair<double, int64_t>>* p, bool by_shape = false);

  int threads() const;

 private:
  Session(std::unique_ptr<Executor> exec, int threads);
  std::unique_ptr<Executor> exec_;
  int threads_ = 1;  // > 1: runs use that many threads of the shared pool
};

// Reads `bytes` of external data for `ref` from files under `dir`.
ExternalDataReader file_external_reader(const std::string& dir);

}  // namespace qwasm
