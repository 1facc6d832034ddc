// The shape family, one file per sub-family:
//   shape_basic.cc      views: Reshape, Flatten, Squeeze, Unsqueeze, Dropout < 12; Shape, Size
//   shape_generate.cc   Constant, ConstantOfShape, Range, EyeLike, OneHot, Trilu
//   shape_transpose.cc  Transpose, DepthToSpace, SpaceToDepth (tiled permute_copy)
//   shape_move.cc       Concat, Split, Slice, Expand, Tile (strided_copy)
//   shape_gather.cc     Gather, GatherElements, GatherND, Compress, NonZero
//   shape_scatter.cc    Scatter, ScatterElements, ScatterND (+ reductions)
//   shape_pad.cc        Pad
//   shape_reverse.cc    ReverseSequence
//   shape_unique.cc     Unique
//   shape_window.cc     HannWindow, HammingWindow, BlackmanWindow, MelWeightMatrix
#include "ops/registry.h"

namespace qwasm {

void register_shape_basic_ops(OpRegistry& r);
void register_shape_generate_ops(OpRegistry& r);
void register_shape_transpose_ops(OpRegistry& r);
void register_shape_move_ops(OpRegistry& r);
void register_shape_gather_ops(OpRegistry& r);
void register_shape_scatter_ops(OpRegistry& r);
void register_shape_pad_ops(OpRegistry& r);
void register_shape_reverse_ops(OpRegistry& r);
void register_shape_unique_ops(OpRegistry& r);
void register_shape_window_ops(OpRegistry& r);

void register_shape_ops(OpRegistry& r) {
  register_shape_basic_ops(r);
  register_shape_generate_ops(r);
  register_shape_transpose_ops(r);
  register_shape_move_ops(r);
  register_shape_gather_ops(r);
  register_shape_scatter_ops(r);
  register_shape_pad_ops(r);
  register_shape_reverse_ops(r);
  register_shape_unique_ops(r);
  register_shape_window_ops(r);
}

}  // namespace qwasm
