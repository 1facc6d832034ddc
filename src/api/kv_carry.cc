#include "api/kv_carry.h"

#include <algorithm>

namespace qwasm {

void KvCarry::set_pairs(std::vector<std::pair<std::string, std::string>> pairs) {
  pairs_ = std::move(pairs);
  carried_.clear();
}

KvCarry::Named KvCarry::run(Session& s, const Named& feeds, std::vector<std::string> names) {
  if (pairs_.empty() && carried_.empty()) {  // nothing carried: a plain run (no copies of the feeds)
    std::vector<Tensor> outs = s.run(feeds, names);
    Named result;
    result.reserve(outs.size());
    for (size_t i = 0; i < outs.size(); ++i)
      result.emplace_back(names.empty() ? s.outputs()[i].name : names[i], std::move(outs[i]));
    return result;
  }
  if (names.empty())
    for (const auto& vi : s.outputs()) names.push_back(vi.name);
  auto is_carried_output = [&](const std::string& name) {
    return std::any_of(pairs_.begin(), pairs_.end(), [&](const auto& p) { return p.first == name; });
  };
  // The caller's outputs first, then every carried output (asked for even when not named).
  std::vector<std::string> wanted;
  for (const auto& name : names)
    if (!is_carried_output(name)) wanted.push_back(name);
  const size_t returned = wanted.size();
  for (const auto& p : pairs_) wanted.push_back(p.first);
  Named all_feeds = feeds;
  for (const auto& c : carried_)
    if (std::none_of(feeds.begin(), feeds.end(), [&](const auto& f) { return f.first == c.first; }))
      all_feeds.push_back(c);
  std::vector<Tensor> outs = s.run(all_feeds, wanted);
  Named result;
  for (size_t i = 0; i < returned; ++i) result.emplace_back(wanted[i], outs[i]);
  carried_.clear();
  for (size_t i = 0; i < pairs_.size(); ++i) carried_.emplace_back(pairs_[i].second, outs[returned + i]);
  return result;
}

}  // namespace qwasm
