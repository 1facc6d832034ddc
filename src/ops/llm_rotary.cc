// com.microsoft RotaryEmbedding: rotates each head of a [b, s, h*d] or
// [b, h, s, d] input by the angle of its position (cos/sin caches [max_pos, rot/2]).
#include "ops/attention_kernel.h"
#include "ops/half_via_float.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

class RotaryEmbedding : public OpKernel {
 public:
  explicit RotaryEmbedding(const Node& n)
      : interleaved_(n.attr_i("interleaved", 0) != 0), num_heads_(n.attr_i("num_heads", 0)),
        rotary_dim_(n.attr_i("rotary_embedding_dim", 0)) {}

  void compute(OpContext& ctx) override {
    const Node& n = ctx.node();
    const Tensor& x = ctx.in(0);
    const Tensor& pos = ctx.in(1);
    const Tensor& cos = ctx.in(2);
    const Tensor& sin = ctx.in(3);
    QWASM_CHECK(x.dtype() == DType::Float32 && cos.dtype() == DType::Float32 && sin.dtype() == DType::Float32,
                n.label(), ": input and caches must be float32 or float16 (one type)");
    QWASM_CHECK(x.rank() == 3 || x.rank() == 4, n.label(), ": input must be 3-D [b,s,h*d] or 4-D [b,h,s,d], got ",
                shape_str(x.shape()));
    QWASM_CHECK(cos.rank() == 2 && cos.shape() == sin.shape(), n.label(), ": cos/sin caches must be 2-D and equal");
    const int64_t b = x.dim(0);
    int64_t heads, seq, d;
    if (x.rank() == 4) {
      heads = x.dim(1), seq = x.dim(2), d = x.dim(3);
    } else {
      seq = x.dim(1);
      const int64_t half = cos.dim(1);
      heads = num_heads_ > 0 ? num_heads_ : x.dim(2) / (rotary_dim_ > 0 ? rotary_dim_ : 2 * half);
      QWASM_CHECK(heads > 0 && x.dim(2) % heads == 0, n.label(), ": cannot split ", x.dim(2), " into ", heads, " heads");
      d = x.dim(2) / heads;
    }
    const int64_t rot = rotary_dim_ > 0 ? rotary_dim_ : d;
    QWASM_CHECK(rot <= d && rot % 2 == 0 && cos.dim(1) == rot / 2, n.label(), ": cache width ", cos.dim(1),
                " does not match rotary dim ", rot);
    QWASM_CHECK(pos.size() == 1 || pos.size() == b * seq, n.label(), ": position_ids must be [b, s] or one offset");
    Tensor& y = ctx.output(0, DType::Float32, x.shape());
    std::copy(x.data<float>(), x.data<float>() + x.size(), y.data<float>());
    float* out = y.data<float>();
    for (int64_t bi = 0; bi < b; ++bi)
      for (int64_t si = 0; si < seq; ++si) {
        const int64_t p = pos.size() == 1 ? pos.get_i64(0) + si : pos.get_i64(bi * seq + si);
        QWASM_CHECK(p >= 0 && p < cos.dim(0), n.label(), ": position ", p, " outside the cache of ", cos.dim(0));
        for (int64_t h = 0; h < heads; ++h) {
          float* v = x.rank() == 4 ? out + ((bi * heads + h) * seq + si) * d : out + (bi * seq + si) * heads * d + h * d;
          apply_rotary(v, rot, cos.data<float>() + p * cos.dim(1), sin.data<float>() + p * sin.dim(1), interleaved_);
        }
      }
  }

 private:
  bool interleaved_;
  int64_t num_heads_, rotary_dim_;
};

}  // namespace

void register_llm_rotary_ops(OpRegistry& r) {
  r.add("com.microsoft", "RotaryEmbedding", 1,
        half_via_float([](const BuildContext& bc) { return std::make_unique<RotaryEmbedding>(bc.node); }));
}

}  // namespace qwasm
