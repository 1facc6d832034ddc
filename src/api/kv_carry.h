// Decoder steps that keep their KV cache inside the runtime: after each run, chosen
// outputs (present.*) become inputs (past_key_values.*) of the next run without
// being handed back to the caller (in wasm they never leave its memory).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "api/session.h"

namespace qwasm {

class KvCarry {
 public:
  using Named = std::vector<std::pair<std::string, Tensor>>;

  // pairs: [output, input]: output `first` of a run feeds input `second` of the next.
  // Replaces the previous pairs and drops whatever they carried.
  void set_pairs(std::vector<std::pair<std::string, std::string>> pairs);
  // Drops the carried tensors (a new sequence starts; the caller feeds a fresh cache).
  void clear() { carried_.clear(); }
  const Named& carried() const { return carried_; }

  // Runs `s` on `feeds` plus the carried tensors (a feed of the same name wins) and
  // returns the outputs in `names` (empty = every graph output), in that order, less
  // the carried ones, which are kept for the next run instead.
  Named run(Session& s, const Named& feeds, std::vector<std::string> names);

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;  // output -> input
  Named carried_;                                           // input name -> tensor
};

}  // namespace qwasm
