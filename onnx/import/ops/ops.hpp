#pragma once
// The built-in ONNX operator handlers (see onnx/import/interpreter.hpp),
// grouped by concept, one file each; onnx/import/builtin_ops.cpp lists them.

#include <map>
#include <string>

#include "onnx/import/interpreter.hpp"

namespace kiln::onnx_import {

void add_elementwise_ops(std::map<std::string, OpHandler>& ops);  // arithmetic, activations, comparisons, Cast
void add_shape_ops(std::map<std::string, OpHandler>& ops);        // Shape, Reshape, Concat, Gather, Slice, ...
void add_linear_ops(std::map<std::string, OpHandler>& ops);       // MatMul, Gemm, Softmax, LogSoftmax
void add_recurrent_ops(std::map<std::string, OpHandler>& ops);    // GRU, LSTM, RNN
void add_scan_op(std::map<std::string, OpHandler>& ops);          // Scan
void add_activation_ops(std::map<std::string, OpHandler>& ops);   // Elu, Selu, Softplus, HardSigmoid, Clip, Erf, ...
void add_reduction_ops(std::map<std::string, OpHandler>& ops);    // ReduceSum, ReduceMean, ReduceMax
void add_window_ops(std::map<std::string, OpHandler>& ops);       // Conv, MaxPool, AveragePool
void add_image_ops(std::map<std::string, OpHandler>& ops);        // Pad, Resize
void add_normalization_ops(std::map<std::string, OpHandler>& ops);  // LayerNormalization, BatchNormalization

// For handlers: an operator of one tensor input and one output, as a kiln op.
OpHandler unary(Tensor (*op)(const Tensor&));

// For handlers: a tensor reshaped, with -1 inferred.
Tensor reshaped(const Tensor& x, const Shape& shape);

}  // namespace kiln::onnx_import
