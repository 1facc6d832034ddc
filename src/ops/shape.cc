// The shape family: views (Reshape ...), data movement (Transpose ...), indexing (Gather ...).
#include "ops/registry.h"

namespace qwasm {

void register_shape_basic_ops(OpRegistry& r);
void register_shape_move_ops(OpRegistry& r);
void register_shape_index_ops(OpRegistry& r);

void register_shape_ops(OpRegistry& r) {
  register_shape_basic_ops(r);
  register_shape_move_ops(r);
  register_shape_index_ops(r);
}

}  // namespace qwasm
