// TfIdfVectorizer (opset 9, integer input): counts the pool's n-grams (lengths
// min_gram_length..max_gram_length, items up to max_skip_count apart) in each row and
// writes TF, IDF (weight when present) or TFIDF (count * weight) at ngram_indexes.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "ops/registry.h"

namespace qwasm {
namespace {

void tfidf_vectorizer(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  QWASM_CHECK((x.dtype() == DType::Int32 || x.dtype() == DType::Int64) && (x.rank() == 1 || x.rank() == 2), n.label(),
              ": int32/int64 input of rank 1 or 2 required (string pools are not supported)");
  const int64_t min_n = n.attr_i("min_gram_length"), max_n = n.attr_i("max_gram_length");
  const int64_t max_skip = n.attr_i("max_skip_count");
  const std::string mode = n.attr_s("mode", "TF");
  const std::vector<int64_t> counts = n.attr_ints("ngram_counts"), indexes = n.attr_ints("ngram_indexes");
  const std::vector<int64_t> pool = n.attr_ints("pool_int64s");
  const std::vector<float> weights = n.attr_floats("weights");
  QWASM_CHECK(min_n >= 1 && max_n >= min_n && max_skip >= 0 && (mode == "TF" || mode == "IDF" || mode == "TFIDF"),
              n.label(), ": invalid gram lengths, skip count or mode");
  QWASM_CHECK(!indexes.empty() && (weights.empty() || weights.size() == indexes.size()), n.label(),
              ": ngram_indexes must be non-empty and weights match it");
  // The pool's n-grams of length g + 1 start at counts[g]; the k-th n-gram overall maps to indexes[k].
  std::map<std::vector<int64_t>, int64_t> grams;
  size_t k = 0;
  for (size_t g = 0; g < counts.size(); ++g) {
    const int64_t end = g + 1 < counts.size() ? counts[g + 1] : int64_t(pool.size());
    QWASM_CHECK(counts[g] >= 0 && counts[g] <= end && end <= int64_t(pool.size()), n.label(), ": bad ngram_counts");
    for (int64_t p = counts[g]; p + int64_t(g) < end; p += int64_t(g) + 1, ++k) {
      QWASM_CHECK(k < indexes.size(), n.label(), ": more pool n-grams than ngram_indexes");
      grams[std::vector<int64_t>(pool.begin() + p, pool.begin() + p + int64_t(g) + 1)] = int64_t(k);
    }
  }
  const int64_t width = *std::max_element(indexes.begin(), indexes.end()) + 1;
  const int64_t rows = x.rank() == 2 ? x.dim(0) : 1, len = x.rank() == 2 ? x.dim(1) : x.dim(0);
  Tensor& y = ctx.output(0, DType::Float32, x.rank() == 2 ? Shape{rows, width} : Shape{width});
  std::fill_n(y.data<float>(), y.size(), 0.0f);
  std::vector<int64_t> hits(indexes.size());
  std::vector<int64_t> gram;
  for (int64_t r = 0; r < rows; ++r) {
    std::fill(hits.begin(), hits.end(), 0);
    for (int64_t g = min_n; g <= max_n; ++g)
      for (int64_t skip = 0; skip <= (g == 1 ? 0 : max_skip); ++skip)
        for (int64_t i = 0; i + (g - 1) * (skip + 1) < len; ++i) {
          gram.clear();
          for (int64_t j = 0; j < g; ++j) gram.push_back(x.get_i64(r * len + i + j * (skip + 1)));
          auto it = grams.find(gram);
          if (it != grams.end()) ++hits[size_t(it->second)];
        }
    for (size_t q = 0; q < indexes.size(); ++q) {
      if (hits[q] == 0) continue;
      const float w = weights.empty() ? 1.0f : weights[q];
      float& out = y.data<float>()[r * width + indexes[q]];
      out = mode == "TF" ? float(hits[q]) : mode == "IDF" ? w : float(hits[q]) * w;
    }
  }
}

}  // namespace

void register_nn_tfidf_ops(OpRegistry& r) { r.add_fn("", "TfIdfVectorizer", 9, tfidf_vectorizer); }

}  // namespace qwasm
