// The quantizer's public C++ entry (quantize/quantize.h) and its calibration-file reader
// (quantize/calib_files.h): for tools and bindings, which may include api/ only.
#pragma once
#include "quantize/calib_files.h"
#include "quantize/quantize.h"
