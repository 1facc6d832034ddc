// The quantizer's public C++ entry (quantize/quantize.h): for tools and bindings, which may
// include api/ only.
#pragma once
#include "quantize/quantize.h"
