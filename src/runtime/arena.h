// A pool of reusable buffers. Values are handed back when their last consumer
// has run, and the next allocation of a similar size (this run or a later one)
// takes them again, so steady-state runs allocate nothing.
#pragma once
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "graph/tensor.h"

namespace qwasm {

class Arena : public std::enable_shared_from_this<Arena> {
 public:
  ~Arena();
  // A buffer of at least `bytes`; when the last Tensor using it dies it returns here
  // (or is freed, if the arena is gone by then).
  std::shared_ptr<Buffer> allocate(size_t bytes);
  // Frees every idle buffer.
  void trim();

 private:
  void give_back(void* data, size_t capacity);
  mutable std::mutex mu_;
  // capacity -> idle blocks of it. A list per capacity, not a multimap entry per block:
  // taking and returning a block then costs no tree node allocation (two of the three heap
  // operations every op output used to pay).
  std::map<size_t, std::vector<void*>> idle_;
};

}  // namespace qwasm
