// The nn family: MatMul/Gemm, normalisations and softmax, convolution (and transposed),
// pooling and unpooling, Resize, GridSample, RoiAlign, NonMaxSuppression, Det, Einsum,
// losses, DFT/STFT, TfIdfVectorizer, the recurrent RNN/GRU/LSTM, the training optimizers
// (nn_training.cc) and the random ops with Dropout from opset 12 (nn_random.cc).
#include "ops/registry.h"

namespace qwasm {

void register_nn_matmul_ops(OpRegistry& r);
void register_nn_norm_ops(OpRegistry& r);
void register_nn_norm_local_ops(OpRegistry& r);
void register_nn_conv_ops(OpRegistry& r);
void register_nn_conv_transpose_ops(OpRegistry& r);
void register_nn_pool_ops(OpRegistry& r);
void register_nn_resize_ops(OpRegistry& r);
void register_nn_det_ops(OpRegistry& r);
void register_nn_einsum_ops(OpRegistry& r);
void register_nn_loss_ops(OpRegistry& r);
void register_nn_nms_ops(OpRegistry& r);
void register_nn_unpool_ops(OpRegistry& r);
void register_nn_grid_sample_ops(OpRegistry& r);
void register_nn_dft_ops(OpRegistry& r);
void register_nn_roi_align_ops(OpRegistry& r);
void register_nn_tfidf_ops(OpRegistry& r);
void register_nn_rnn_ops(OpRegistry& r);
void register_nn_gru_ops(OpRegistry& r);
void register_nn_lstm_ops(OpRegistry& r);
void register_nn_lstm_quant_ops(OpRegistry& r);
void register_nn_training_ops(OpRegistry& r);
void register_random_ops(OpRegistry& r);

void register_nn_ops(OpRegistry& r) {
  register_nn_matmul_ops(r);
  register_nn_norm_ops(r);
  register_nn_norm_local_ops(r);
  register_nn_conv_ops(r);
  register_nn_conv_transpose_ops(r);
  register_nn_pool_ops(r);
  register_nn_resize_ops(r);
  register_nn_det_ops(r);
  register_nn_einsum_ops(r);
  register_nn_loss_ops(r);
  register_nn_nms_ops(r);
  register_nn_unpool_ops(r);
  register_nn_grid_sample_ops(r);
  register_nn_dft_ops(r);
  register_nn_roi_align_ops(r);
  register_nn_tfidf_ops(r);
  register_nn_rnn_ops(r);
  register_nn_gru_ops(r);
  register_nn_lstm_ops(r);
  register_nn_lstm_quant_ops(r);
  register_nn_training_ops(r);
  register_random_ops(r);
}

}  // namespace qwasm
