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
  };
}

}  // namespace kiln::onnx_export::detail
