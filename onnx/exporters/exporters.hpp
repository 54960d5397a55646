#pragma once
// The built-in layers' exporters, one file each (see onnx/exporter.hpp for
// the contract); onnx/builtin_exporters.cpp lists them by class name.

#include "onnx/exporter.hpp"

namespace kiln::onnx_export {

LayerOutputs export_activation(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_bahdanau_attention(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_bidirectional(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_concatenate(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_dense(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_dropout(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_embedding(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_flatten(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_functional(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_gru(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_simple_rnn(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_lstm(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_luong_attention(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_sequential(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_time_distributed(const Layer& layer, const LayerInputs& in, GraphBuilder& g);

}  // namespace kiln::onnx_export
