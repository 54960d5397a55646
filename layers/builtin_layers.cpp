// Every built-in layer class by the name Keras writes for it. Listed here,
// not registered by a static object in each layer's own file: a static link
// keeps only the objects a program references, so a program that only calls
// load_model() would lose Dense, GRU, ... with their files, and with them
// their registrations. This file references them all, and the registry
// starts from this list.
#include "layers/builtin_layers.hpp"

#include "layers/activation_layer.hpp"
#include "layers/add.hpp"
#include "layers/average.hpp"
#include "layers/bahdanau_attention.hpp"
#include "layers/batch_normalization.hpp"
#include "layers/bidirectional.hpp"
#include "layers/concatenate.hpp"
#include "layers/dense.hpp"
#include "layers/dot.hpp"
#include "layers/dropout.hpp"
#include "layers/embedding.hpp"
#include "layers/flatten.hpp"
#include "layers/gru.hpp"
#include "layers/identity.hpp"
#include "layers/lambda_layer.hpp"
#include "layers/leaky_relu_layer.hpp"
#include "layers/lstm.hpp"
#include "layers/luong_attention.hpp"
#include "layers/masking.hpp"
#include "layers/maximum.hpp"
#include "layers/minimum.hpp"
#include "layers/multiply.hpp"
#include "layers/permute.hpp"
#include "layers/relu_layer.hpp"
#include "layers/repeat_vector.hpp"
#include "layers/reshape_layer.hpp"
#include "layers/softmax_layer.hpp"
#include "layers/subtract.hpp"
#include "layers/time_distributed.hpp"

namespace kiln::detail {

namespace {

// A built-in class under the Keras name it declares.
template <class L>
std::pair<const std::string, LayerFactory> builtin() {
  return {L::keras_name, layer_factory<L>()};
}

}  // namespace

std::map<std::string, LayerFactory> builtin_layer_factories() {
  return {
      builtin<ActivationLayer>(),
      builtin<AddLayer>(),
      builtin<AverageLayer>(),
      builtin<BahdanauAttentionLayer>(),
      builtin<BatchNormalizationLayer>(),
      builtin<BidirectionalLayer>(),
      builtin<ConcatenateLayer>(),
      builtin<DenseLayer>(),
      builtin<DotLayer>(),
      builtin<DropoutLayer>(),
      builtin<EmbeddingLayer>(),
      builtin<FlattenLayer>(),
      builtin<GRULayer>(),
      builtin<IdentityLayer>(),
      builtin<LSTMLayer>(),
      builtin<LambdaLayer>(),
      builtin<LeakyReLULayer>(),
      builtin<LuongAttentionLayer>(),
      builtin<MaskingLayer>(),
      builtin<MaximumLayer>(),
      builtin<MinimumLayer>(),
      builtin<MultiplyLayer>(),
      builtin<PermuteLayer>(),
      builtin<ReLULayer>(),
      builtin<RepeatVectorLayer>(),
      builtin<ReshapeLayer>(),
      builtin<SoftmaxLayer>(),
      builtin<SubtractLayer>(),
      builtin<TimeDistributedLayer>(),
  };
}

}  // namespace kiln::detail
