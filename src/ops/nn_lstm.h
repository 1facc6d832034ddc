// The LSTM time loop shared by ai.onnx LSTM (float weights, nn_lstm.cc) and
// com.microsoft DynamicQuantizeLSTM (int8 weights, nn_lstm_quant.cc): the two differ
// only in how the gate pre-activations X*W^T and Ht-1*R^T are computed.
#pragma once
#include <vector>

#include "ops/nn_rnn_common.h"

namespace qwasm {

struct LstmGemms {
  virtual ~LstmGemms() = default;
  // xw[seq * batch, 4H] = X W_d^T (+ bias[4H] on every row when bias is not null), time-major rows.
  virtual void input(OpContext& ctx, const RnnProblem& p, int64_t d, const float* bias, std::vector<float>& xw) = 0;
  // hr[batch, 4H] = h[batch, H] R_d^T.
  virtual void recurrent(OpContext& ctx, const RnnProblem& p, int64_t d, const float* h, float* hr) = 0;
};

// Runs the LSTM of `p` (inputs 5..7: initial_h, initial_c, P) and writes Y, Y_h, Y_c.
void lstm_run(OpContext& ctx, const RnnProblem& p, LstmGemms& gemms);

}  // namespace qwasm
