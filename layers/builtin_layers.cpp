// Every built-in layer class by the name Keras writes for it. Listed here,
// not registered by a static object in each layer's own file: a static link
// keeps only the objects a program references, so a program that only calls
// load_model() would lose Dense, GRU, ... with their files, and with them
// their registrations. This file references them all, and the registry
// starts from this list.
#include "layers/builtin_layers.hpp"

#include "layers/activation_layer.hpp"
#include "layers/bahdanau_attention.hpp"
#include "layers/bidirectional.hpp"
#include "layers/concatenate.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/embedding.hpp"
#include "layers/flatten.hpp"
#include "layers/gru.hpp"
#include "layers/lstm.hpp"
#include "layers/luong_attention.hpp"
#include "layers/time_distributed.hpp"

namespace kiln::detail {

std::map<std::string, LayerFactory> builtin_layer_factories() {
  return {
      {"Activation", layer_factory<ActivationLayer>()},
      {"BahdanauAttention", layer_factory<BahdanauAttentionLayer>()},
      {"Bidirectional", layer_factory<BidirectionalLayer>()},
      {"Concatenate", layer_factory<ConcatenateLayer>()},
      {"Dense", layer_factory<DenseLayer>()},
      {"Dropout", layer_factory<DropoutLayer>()},
      {"Embedding", layer_factory<EmbeddingLayer>()},
      {"Flatten", layer_factory<FlattenLayer>()},
      {"GRU", layer_factory<GRULayer>()},
      {"LSTM", layer_factory<LSTMLayer>()},
      {"LuongAttention", layer_factory<LuongAttentionLayer>()},
      {"TimeDistributed", layer_factory<TimeDistributedLayer>()},
  };
}

}  // namespace kiln::detail
