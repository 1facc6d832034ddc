// TensorProto -> Tensor, for initializers, Constant values and tensor attributes.
#pragma once
#include "onnx.pb.h"
#include "onnx/loader.h"

namespace qwasm {

// Converts `tp` (taking ownership of its raw_data where possible, so the bytes are
// never held twice). External data is read through opts.external.
Tensor tensor_from_proto(onnx::TensorProto& tp, const LoadOptions& opts);

// The external-data reference of `tp` (which must be stored externally), validated.
ExternalRef external_ref_of(const onnx::TensorProto& tp);

}  // namespace qwasm
