// Sequence and optional values (graph/tensor.h ValueKind): SequenceEmpty / Construct /
// At / Insert / Erase / Length, SplitToSequence, ConcatFromSequence, SequenceMap,
// Optional, OptionalHasElement, OptionalGetElement. Sequences are immutable; every op
// builds a new one from (buffer-sharing) copies of the items.
#include <algorithm>
#include <cstring>

#include "ops/control_flow_body.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

const Tensor& seq_input(OpContext& ctx, size_t i) {
  const Tensor& t = ctx.in(i);
  QWASM_CHECK(t.is_sequence(), ctx.node().label(), ": input ", i, " must be a sequence, got ", t.kind_str());
  return t;
}

const Tensor& tensor_input(OpContext& ctx, size_t i) {
  const Tensor& t = ctx.in(i);
  QWASM_CHECK(t.is_tensor(), ctx.node().label(), ": input ", i, " must be a tensor, got ", t.kind_str());
  return t;
}

// A position input (int32/int64, one element) checked against [-size, size - 1 + extra];
// extra = 1 where one past the end is allowed (SequenceInsert).
size_t position(OpContext& ctx, size_t i, size_t size, int extra) {
  const Tensor& p = tensor_input(ctx, i);
  QWASM_CHECK((p.dtype() == DType::Int64 || p.dtype() == DType::Int32) && p.size() == 1, ctx.node().label(),
              ": position must be one int32 or int64, got ", dtype_name(p.dtype()), " ", shape_str(p.shape()));
  const int64_t n = int64_t(size), v = p.get_i64(0);
  QWASM_CHECK(v >= -n && v < n + extra, ctx.node().label(), ": position ", v, " is out of range for a sequence of ",
              n, " tensors (valid: ", -n, " to ", n - 1 + extra, ")");
  return size_t(v < 0 ? v + n : v);
}

void sequence_empty(OpContext& ctx) {
  const int64_t dt = ctx.node().attr_i("dtype", int64_t(DType::Float32));
  QWASM_CHECK(dtype_is_valid(int(dt)) && dt != 0, ctx.node().label(), ": dtype ", dt, " is not a tensor type");
  ctx.set_output(0, Tensor::sequence(DType(dt), {}));
}

void sequence_construct(OpContext& ctx) {
  const Node& n = ctx.node();
  QWASM_CHECK(ctx.input_count() >= 1, n.label(), ": needs at least one tensor");
  std::vector<Tensor> items;
  for (size_t i = 0; i < ctx.input_count(); ++i) {
    const Tensor& t = tensor_input(ctx, i);
    QWASM_CHECK(t.dtype() == ctx.in(0).dtype(), n.label(), ": input ", i, " is ", dtype_name(t.dtype()),
                ", input 0 is ", dtype_name(ctx.in(0).dtype()), " (a sequence holds one element type)");
    items.push_back(t);
  }
  const DType elem = items[0].dtype();  // read before items is moved into the call
  ctx.set_output(0, Tensor::sequence(elem, std::move(items)));
}

void sequence_at(OpContext& ctx) {
  const Tensor& s = seq_input(ctx, 0);
  ctx.set_output(0, s.items()[position(ctx, 1, s.items().size(), 0)]);
}

void sequence_insert(OpContext& ctx) {
  const Tensor& s = seq_input(ctx, 0);
  const Tensor& t = tensor_input(ctx, 1);
  QWASM_CHECK(t.dtype() == s.dtype(), ctx.node().label(), ": inserting ", dtype_name(t.dtype()),
              " into a sequence of ", dtype_name(s.dtype()));
  std::vector<Tensor> items = s.items();
  const size_t at = ctx.input(2) ? position(ctx, 2, items.size(), 1) : items.size();
  items.insert(items.begin() + long(at), t);
  ctx.set_output(0, Tensor::sequence(s.dtype(), std::move(items)));
}

void sequence_erase(OpContext& ctx) {
  const Tensor& s = seq_input(ctx, 0);
  std::vector<Tensor> items = s.items();
  QWASM_CHECK(!items.empty(), ctx.node().label(), ": cannot erase from an empty sequence");
  const size_t at = ctx.input(1) ? position(ctx, 1, items.size(), 0) : items.size() - 1;
  items.erase(items.begin() + long(at));
  ctx.set_output(0, Tensor::sequence(s.dtype(), std::move(items)));
}

void sequence_length(OpContext& ctx) {
  const Tensor& s = seq_input(ctx, 0);
  ctx.output(0, DType::Int64, {}).data<int64_t>()[0] = int64_t(s.items().size());
}

size_t element_bytes(const Node& n, DType dt) {
  const size_t e = dtype_size(dt);
  QWASM_CHECK(storage_bytes(dt, 2) == 2 * e, n.label(), ": packed ", dtype_name(dt), " tensors are not supported");
  return e;
}

int64_t norm_axis(const Node& n, int64_t axis, int64_t rank) {
  QWASM_CHECK(axis >= -rank && axis < rank, n.label(), ": axis ", axis, " out of range for rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

// Elements [start, start + len) of `t` along `axis`.
Tensor slice_axis(const Node& n, const Tensor& t, int64_t axis, int64_t start, int64_t len) {
  const size_t e = element_bytes(n, t.dtype());
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= t.dim(d);
  for (int64_t d = axis + 1; d < t.rank(); ++d) inner *= t.dim(d);
  Shape shape = t.shape();
  shape[size_t(axis)] = len;
  Tensor out(t.dtype(), shape);
  const size_t row = size_t(inner) * e;
  const char* src = static_cast<const char*>(t.raw());
  char* dst = static_cast<char*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    if (len && row) std::memcpy(dst + size_t(o * len) * row, src + size_t(o * t.dim(axis) + start) * row, size_t(len) * row);
  return out;
}

void split_to_sequence(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = tensor_input(ctx, 0);
  QWASM_CHECK(x.rank() >= 1, n.label(), ": input must have rank >= 1");
  const int64_t axis = norm_axis(n, n.attr_i("axis", 0), x.rank());
  const int64_t dim = x.dim(axis);
  std::vector<int64_t> lens;
  const Tensor* split = ctx.input(1);
  if (!split) {
    lens.assign(size_t(dim), 1);
  } else {
    QWASM_CHECK(split->is_tensor() && (split->dtype() == DType::Int64 || split->dtype() == DType::Int32) &&
                    split->rank() <= 1,
                n.label(), ": split must be an int32 / int64 scalar or 1-D tensor");
    if (split->rank() == 0) {
      const int64_t chunk = split->get_i64(0);
      QWASM_CHECK(chunk > 0, n.label(), ": split ", chunk, " must be positive");
      for (int64_t at = 0; at < dim; at += chunk) lens.push_back(std::min(chunk, dim - at));
    } else {
      int64_t sum = 0;
      for (int64_t i = 0; i < split->size(); ++i) {
        lens.push_back(split->get_i64(i));
        QWASM_CHECK(lens.back() >= 0, n.label(), ": split lengths must be >= 0, got ", lens.back());
        sum += lens.back();
      }
      QWASM_CHECK(sum == dim, n.label(), ": split lengths sum to ", sum, " but axis ", axis, " has ", dim);
    }
  }
  const bool squeeze = !split && n.attr_i("keepdims", 1) == 0;
  std::vector<Tensor> items;
  int64_t at = 0;
  for (int64_t len : lens) {
    Tensor part = slice_axis(n, x, axis, at, len);
    if (squeeze) {
      Shape s = part.shape();
      s.erase(s.begin() + axis);
      part = part.reshaped(s);
    }
    items.push_back(part);
    at += len;
  }
  ctx.set_output(0, Tensor::sequence(x.dtype(), std::move(items)));
}

void concat_from_sequence(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& s = seq_input(ctx, 0);
  const auto& items = s.items();
  QWASM_CHECK(!items.empty(), n.label(), ": the sequence is empty (nothing to concatenate)");
  const bool new_axis = n.attr_i("new_axis", 0) != 0;
  const Tensor& first = items[0];
  const int64_t rank = first.rank() + (new_axis ? 1 : 0);
  const int64_t axis = norm_axis(n, n.attr_i("axis"), rank);
  // With new_axis every item is viewed with a 1 inserted at `axis`; then it is a concat.
  std::vector<Tensor> parts;
  for (size_t i = 0; i < items.size(); ++i) {
    QWASM_CHECK(items[i].rank() == first.rank(), n.label(), ": item ", i, " has rank ", items[i].rank(),
                ", item 0 has ", first.rank());
    Shape sh = items[i].shape();
    if (new_axis) sh.insert(sh.begin() + axis, 1);
    for (int64_t d = 0; d < rank && !parts.empty(); ++d)
      QWASM_CHECK(d == axis || sh[size_t(d)] == parts[0].dim(d), n.label(), ": item ", i, " has shape ",
                  shape_str(items[i].shape()), ", item 0 has ", shape_str(first.shape()), " (only axis ", axis,
                  " may differ)");
    parts.push_back(items[i].reshaped(sh));
  }
  const size_t e = element_bytes(n, first.dtype());
  Shape out_shape = parts[0].shape();
  out_shape[size_t(axis)] = 0;
  for (const auto& p : parts) out_shape[size_t(axis)] += p.dim(axis);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= out_shape[size_t(d)];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= out_shape[size_t(d)];
  Tensor& out = ctx.output(0, first.dtype(), out_shape);
  char* dst = static_cast<char*>(out.raw());
  const size_t out_row = size_t(out_shape[size_t(axis)] * inner) * e;
  size_t offset = 0;
  for (const auto& p : parts) {
    const size_t row = size_t(p.dim(axis) * inner) * e;
    const char* src = static_cast<const char*>(p.raw());
    for (int64_t o = 0; o < outer; ++o)
      if (row) std::memcpy(dst + size_t(o) * out_row + offset, src + size_t(o) * row, row);
    offset += row;
  }
}

void optional_fn(OpContext& ctx) {
  const Tensor* t = ctx.input(0);
  if (t) {
    QWASM_CHECK(!t->is_none(), ctx.node().label(), ": input is already an empty optional");
    ctx.set_output(0, *t);
    return;
  }
  QWASM_CHECK(ctx.node().has_attr("type"), ctx.node().label(), ": an Optional without input needs attribute 'type'");
  ctx.set_output(0, Tensor::none());
}

void optional_has_element(OpContext& ctx) {
  const Tensor* t = ctx.input(0);
  ctx.output(0, DType::Bool, {}).data<bool>()[0] = t && !t->is_none();
}

void optional_get_element(OpContext& ctx) {
  const Tensor* t = ctx.input(0);
  QWASM_CHECK(t && !t->is_none(), ctx.node().label(), ": the optional input holds no value");
  ctx.set_output(0, *t);
}

// SequenceMap: runs the body once per item of input 0; other sequence inputs give
// their item at the same position, tensor inputs are passed whole. Output j collects
// body output j over the items.
class SequenceMapOp : public OpKernel {
 public:
  explicit SequenceMapOp(const BuildContext& bc) : node_(bc.node), body_(bc, "body") {
    const Node& n = bc.node;
    QWASM_CHECK(body_.input_count() == formal_input_count(n), n.label(), ": body takes ", body_.input_count(),
                " inputs, the node gives ", formal_input_count(n));
    QWASM_CHECK(body_.output_count() == n.outputs.size(), n.label(), ": body returns ", body_.output_count(),
                " outputs, the node has ", n.outputs.size());
  }
  bool absorbed(size_t i) const override { return outer_input_absorbed(node_, i, {&body_}); }
  void compute(OpContext& ctx) override {
    const Node& n = ctx.node();
    const size_t count = seq_input(ctx, 0).items().size();
    const size_t formal = body_.input_count();
    for (size_t j = 1; j < formal; ++j) {
      const Tensor& t = ctx.in(j);
      QWASM_CHECK(!t.is_none(), n.label(), ": input ", j, " is an empty optional");
      QWASM_CHECK(!t.is_sequence() || t.items().size() == count, n.label(), ": sequence input ", j, " has ",
                  t.items().size(), " tensors, input 0 has ", count);
    }
    std::vector<std::vector<Tensor>> outs(n.outputs.size());
    std::vector<Tensor> args(formal);
    for (size_t i = 0; i < count; ++i) {
      for (size_t j = 0; j < formal; ++j) {
        const Tensor& t = ctx.in(j);
        args[j] = t.is_sequence() ? t.items()[i] : t;
      }
      std::vector<Tensor> out = body_.run(ctx, args);
      for (size_t k = 0; k < out.size(); ++k) {
        QWASM_CHECK(out[k].is_tensor(), n.label(), " > body: output ", k, " is a ", out[k].kind_str(),
                    ", expected a tensor");
        outs[k].push_back(std::move(out[k]));
      }
    }
    for (size_t k = 0; k < outs.size(); ++k) {
      if (!ctx.output_wanted(k)) continue;
      DType dt = outs[k].empty() ? body_.graph().outputs[k].dtype : outs[k][0].dtype();
      ctx.set_output(k, Tensor::sequence(dt == DType::Undefined ? DType::Float32 : dt, std::move(outs[k])));
    }
  }

 private:
  const Node& node_;
  Body body_;
};

}  // namespace

void register_sequence_ops(OpRegistry& r) {
  r.add_fn("", "SequenceEmpty", 11, sequence_empty, kTakesSequences);
  r.add_fn("", "SequenceConstruct", 11, sequence_construct, kTakesSequences);
  r.add_fn("", "SequenceAt", 11, sequence_at, kTakesSequences);
  r.add_fn("", "SequenceInsert", 11, sequence_insert, kTakesSequences);
  r.add_fn("", "SequenceErase", 11, sequence_erase, kTakesSequences);
  r.add_fn("", "SequenceLength", 11, sequence_length, kTakesSequences);
  r.add_fn("", "SplitToSequence", 11, split_to_sequence, kTakesSequences);
  r.add_fn("", "ConcatFromSequence", 11, concat_from_sequence, kTakesSequences);
  r.add_fn("", "Optional", 15, optional_fn, kTakesSequences);
  r.add_fn("", "OptionalHasElement", 15, optional_has_element, kTakesSequences);
  r.add_fn("", "OptionalGetElement", 15, optional_get_element, kTakesSequences);
  r.add("", "SequenceMap", 17, [](const BuildContext& bc) { return std::make_unique<SequenceMapOp>(bc); },
        kControlFlow);
}

}  // namespace qwasm
