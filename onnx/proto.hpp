#pragma once
// The ONNX protobuf classes (onnx::ModelProto, ...) from Debian's
// libonnx-dev, generated for libprotobuf-dev's protobuf 3.21. The package's
// CMake config compiles its users with these two definitions; they are set
// here so that every kiln file (and a custom exporter) gets the same classes.

#ifndef ONNX_NAMESPACE
#define ONNX_NAMESPACE onnx
#endif
#ifndef ONNX_ML
#define ONNX_ML 1
#endif

#include <onnx/onnx_pb.h>
