#include "api/streaming_loader.h"

#include <cstdlib>

#include "graph/error.h"

namespace qwasm {

void* StreamingLoader::alloc_chunk(size_t bytes) {
  void* p = std::malloc(bytes ? bytes : 1);
  if (p) chunks_.push_back({p, bytes});
  return p;
}

void StreamingLoader::set_last_chunk_size(size_t bytes) {
  if (!chunks_.empty() && bytes <= chunks_.back().size) chunks_.back().size = bytes;
}

std::vector<StreamingLoader::ExternalFile> StreamingLoader::parse() {
  try {
    std::vector<ByteChunk> model;
    for (const Chunk& c : chunks_) model.push_back({c.data, c.size});
    parsed_ = ParsedModel::parse(model);
    free_chunks();
    sink_ = std::make_unique<ExternalSink>(parsed_->external_refs());
    std::vector<ExternalFile> files;
    for (const auto& loc : parsed_->external_locations()) files.push_back({loc, sink_->required_bytes(loc)});
    return files;
  } catch (...) {
    release();
    throw;
  }
}

char* StreamingLoader::staging_buffer(size_t bytes) {
  if (bytes > staging_.size()) {
    std::vector<char>().swap(staging_);
    staging_.resize(bytes);
  }
  return staging_.data();
}

void StreamingLoader::write_external(const std::string& location, uint64_t offset, size_t bytes) {
  QWASM_CHECK(sink_, "external data written before the model was parsed");
  QWASM_CHECK(bytes <= staging_.size(), "external data piece of ", bytes, " bytes exceeds the staging buffer (",
              staging_.size(), ")");
  sink_->write(location, offset, staging_.data(), bytes);
}

void StreamingLoader::finish_external(const std::string& location, uint64_t size) {
  QWASM_CHECK(sink_, "external file finished before the model was parsed");
  sink_->finish(location, size);
  std::vector<char>().swap(staging_);
}

std::unique_ptr<Session> StreamingLoader::build(int threads, int pool_threads,
                                                std::vector<std::string> last_position_outputs) {
  try {
    QWASM_CHECK(parsed_, "session built before the model was parsed");
    if (threads > 1) reserve_threads(pool_threads > threads ? pool_threads : threads);
    SessionOptions opts;
    opts.threads = threads;
    opts.last_position_outputs = std::move(last_position_outputs);
    ExternalSink* sink = sink_.get();
    opts.external_tensor = [sink](const ExternalRef& ref) { return sink->take(ref); };
    std::unique_ptr<Session> s = Session::create(*parsed_, opts);
    release();
    return s;
  } catch (...) {
    release();
    throw;
  }
}

void StreamingLoader::release() {
  free_chunks();
  parsed_.reset();
  sink_.reset();
  std::vector<char>().swap(staging_);
}

void StreamingLoader::free_chunks() {
  for (Chunk& c : chunks_) std::free(c.data);
  chunks_.clear();
}

}  // namespace qwasm
