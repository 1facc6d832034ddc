#include "runtime/arena.h"

#include <cstdlib>

namespace qwasm {

Arena::~Arena() { trim(); }

std::shared_ptr<Buffer> Arena::allocate(size_t bytes) {
  size_t cap = (bytes + 63) / 64 * 64;
  if (cap == 0) cap = 64;
  void* block = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Best fit, but never waste more than half of a block.
    auto it = idle_.lower_bound(cap);
    while (it != idle_.end() && it->second.empty()) ++it;  // lists emptied by earlier takes stay
    if (it != idle_.end() && it->first <= cap * 2) {
      cap = it->first;
      block = it->second.back();
      it->second.pop_back();
    }
  }
  if (!block) {
    block = std::aligned_alloc(64, cap);
    if (!block) fail("out of memory allocating ", bytes, " bytes");
  }
  auto b = std::make_shared<Buffer>();
  b->data = block;
  b->bytes = bytes;
  std::weak_ptr<Arena> owner = weak_from_this();
  b->release = [owner, cap](Buffer& self) {
    if (auto a = owner.lock()) a->give_back(self.data, cap);
    else std::free(self.data);
  };
  return b;
}

void Arena::give_back(void* data, size_t capacity) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_[capacity].push_back(data);
}

void Arena::trim() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& kv : idle_)
    for (void* block : kv.second) std::free(block);
  idle_.clear();
}

}  // namespace qwasm
