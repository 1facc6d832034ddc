// Calibration feeds read from files, for the native tool (formats that need no Python to
// write, and numpy's):
//   a directory laid out as the ONNX backend tests are: input_<i>.pb (ONNX TensorProto, one
//     feed) or test_data_set_<k>/input_<i>.pb (one feed per set);
//   a directory of .npy / .npz files, or one such file: each file is one feed. A .npy feeds
//     the model's only input; a .npz (np.savez: stored, not compressed) names its arrays
//     after the inputs.
// A TensorProto with a name that is one of the inputs feeds that input, else input_<i>.pb
// feeds the model's i-th input (initializers excluded).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "graph/tensor.h"

namespace qwasm {

using CalibrationFeeds = std::vector<std::vector<std::pair<std::string, Tensor>>>;

// The model's inputs that are not initializers, in order.
std::vector<std::string> model_input_names(const void* data, size_t size);

// Throws qwasm::Error naming the file that could not be read or understood.
CalibrationFeeds read_calibration_files(const std::string& path, const std::vector<std::string>& inputs);

// One .npy image (exposed for tests).
Tensor parse_npy(const std::string& bytes, const std::string& what);

}  // namespace qwasm
