// Every built-in layer's ONNX exporter by the class name Keras writes for
// it. Listed here rather than registered by statics in each file, for the
// reason layers/builtin_layers.cpp gives: a static link would drop them.

#include <map>

#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export::detail {

std::map<std::string, LayerExporter> builtin_exporters() {
  return {
      {"Activation", export_activation},
      {"BahdanauAttention", export_bahdanau_attention},
      {"Bidirectional", export_bidirectional},
      {"Concatenate", export_concatenate},
      {"Dense", export_dense},
      {"Dropout", export_dropout},
      {"Embedding", export_embedding},
      {"Flatten", export_flatten},
      {"Functional", export_functional},
      {"GRU", export_gru},
      {"LSTM", export_lstm},
      {"LuongAttention", export_luong_attention},
      {"Sequential", export_sequential},
      {"SimpleRNN", export_simple_rnn},
      {"TimeDistributed", export_time_distributed},
      {"Add", export_merge},
      {"Subtract", export_merge},
      {"Multiply", export_merge},
      {"Average", export_merge},
      {"Maximum", export_merge},
      {"Minimum", export_merge},
      {"Dot", export_dot},
      {"Reshape", export_reshape},
      {"Permute", export_permute},
      {"RepeatVector", export_repeat_vector},
      {"Identity", export_identity},
      {"Masking", export_masking},
      {"ReLU", export_relu},
      {"LeakyReLU", export_leaky_relu},
      {"Softmax", export_softmax},
      {"Attention", export_query_value_attention},
      {"AdditiveAttention", export_query_value_attention},
      {"MultiHeadAttention", export_multi_head_attention},
      {"PositionEmbedding", export_position_embedding},
      {"SinePositionEncoding", export_sine_position_encoding},
      {"TransformerEncoder", export_transformer_encoder},
      {"TransformerDecoder", export_transformer_decoder},
      {"TokenAndPositionEmbedding", export_token_and_position_embedding},
      {"Conv1D", export_conv1d},
      {"Conv2D", export_conv2d},
      {"MaxPooling1D", export_max_pooling1d},
      {"AveragePooling1D", export_average_pooling1d},
      {"MaxPooling2D", export_max_pooling2d},
      {"AveragePooling2D", export_average_pooling2d},
      {"GlobalMaxPooling1D", export_global_max_pooling1d},
      {"GlobalAveragePooling1D", export_global_average_pooling1d},
      {"GlobalMaxPooling2D", export_global_max_pooling2d},
      {"GlobalAveragePooling2D", export_global_average_pooling2d},
      {"ZeroPadding2D", export_zero_padding2d},
      {"UpSampling2D", export_up_sampling2d},
      {"LayerNormalization", export_layer_normalization},
      {"BatchNormalization", export_batch_normalization},
  };
}

}  // namespace kiln::onnx_export::detail
