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
// Added with the shape, merge and activation layers.
LayerOutputs export_dot(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_identity(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_leaky_relu(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_masking(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_merge(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_permute(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_relu(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_repeat_vector(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_reshape(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_softmax(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
// Convolution, pooling, image and normalization layers.
LayerOutputs export_conv1d(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_conv2d(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_max_pooling1d(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_average_pooling1d(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_max_pooling2d(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_average_pooling2d(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_global_max_pooling1d(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_global_average_pooling1d(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_global_max_pooling2d(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_global_average_pooling2d(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_zero_padding2d(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_up_sampling2d(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_layer_normalization(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_batch_normalization(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
// Attention and AdditiveAttention.
LayerOutputs export_query_value_attention(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_multi_head_attention(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
// PositionEmbedding and TokenAndPositionEmbedding.
LayerOutputs export_position_embedding(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_token_and_position_embedding(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_sine_position_encoding(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_transformer_encoder(const Layer& layer, const LayerInputs& in, GraphBuilder& g);
LayerOutputs export_transformer_decoder(const Layer& layer, const LayerInputs& in, GraphBuilder& g);

}  // namespace kiln::onnx_export
