// External data for loaders that receive the model's files as streams (the JS
// bindings): the sink that scatters each file's bytes into its tensors' final
// storage as they arrive, handed to SessionOptions::external_tensor. The sink itself
// is a loading concern and lives in onnx/; this header is its public entry point.
#pragma once
#include "onnx/external_sink.h"
