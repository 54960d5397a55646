// Every built-in layer class by the name Keras writes for it. Listed here,
// not registered by a static object in each layer's own file: a static link
// keeps only the objects a program references, so a program that only calls
// load_model() would lose Dense, GRU, ... with their files, and with them
// their registrations. This file references them all, and the registry
// starts from this list.
#include "layers/builtin_layers.hpp"

#include "layers/activation_layer.hpp"
#include "layers/add.hpp"
#include "layers/additive_attention.hpp"
#include "layers/attention.hpp"
#include "layers/average.hpp"
#include "layers/bahdanau_attention.hpp"
#include "layers/batch_normalization.hpp"
#include "layers/bidirectional.hpp"
#include "layers/concatenate.hpp"
#include "layers/conv1d.hpp"
#include "layers/conv2d.hpp"
#include "layers/dense.hpp"
#include "layers/dot.hpp"
#include "layers/dropout.hpp"
#include "layers/embedding.hpp"
#include "layers/flatten.hpp"
#include "layers/global_pooling.hpp"
#include "layers/gru.hpp"
#include "layers/gru_cell.hpp"
#include "layers/identity.hpp"
#include "layers/lambda_layer.hpp"
#include "layers/layer_normalization.hpp"
#include "layers/leaky_relu_layer.hpp"
#include "layers/lstm.hpp"
#include "layers/lstm_cell.hpp"
#include "layers/luong_attention.hpp"
#include "layers/masking.hpp"
#include "layers/maximum.hpp"
#include "layers/minimum.hpp"
#include "layers/multi_head_attention.hpp"
#include "layers/multiply.hpp"
#include "layers/permute.hpp"
#include "layers/pooling.hpp"
#include "layers/position_embedding.hpp"
#include "layers/relu_layer.hpp"
#include "layers/repeat_vector.hpp"
#include "layers/reshape_layer.hpp"
#include "layers/rnn.hpp"
#include "layers/simple_rnn.hpp"
#include "layers/simple_rnn_cell.hpp"
#include "layers/sine_position_encoding.hpp"
#include "layers/softmax_layer.hpp"
#include "layers/subtract.hpp"
#include "layers/time_distributed.hpp"
#include "layers/token_and_position_embedding.hpp"
#include "layers/transformer_decoder.hpp"
#include "layers/transformer_encoder.hpp"
#include "layers/up_sampling2d.hpp"
#include "layers/zero_padding2d.hpp"

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
      // Convolution and pooling.
      builtin<ActivationLayer>(),
      builtin<AdditiveAttentionLayer>(),
      builtin<AddLayer>(),
      builtin<AttentionLayer>(),
      builtin<AverageLayer>(),
      builtin<AveragePooling1DLayer>(),
      builtin<AveragePooling2DLayer>(),
      builtin<BahdanauAttentionLayer>(),
      builtin<BatchNormalizationLayer>(),
      builtin<BidirectionalLayer>(),
      builtin<ConcatenateLayer>(),
      builtin<Conv1DLayer>(),
      builtin<Conv2DLayer>(),
      builtin<DenseLayer>(),
      builtin<DotLayer>(),
      builtin<DropoutLayer>(),
      builtin<EmbeddingLayer>(),
      builtin<FlattenLayer>(),
      builtin<GlobalAveragePooling1DLayer>(),
      builtin<GlobalAveragePooling2DLayer>(),
      builtin<GlobalMaxPooling1DLayer>(),
      builtin<GlobalMaxPooling2DLayer>(),
      builtin<GRULayer>(),
      builtin<GRUCellLayer>(),
      builtin<IdentityLayer>(),
      builtin<LambdaLayer>(),
      builtin<LayerNormalizationLayer>(),
      builtin<LeakyReLULayer>(),
      builtin<LSTMLayer>(),
      builtin<LSTMCellLayer>(),
      builtin<LuongAttentionLayer>(),
      builtin<MaskingLayer>(),
      builtin<MaximumLayer>(),
      builtin<MaxPooling1DLayer>(),
      builtin<MaxPooling2DLayer>(),
      builtin<MinimumLayer>(),
      builtin<MultiHeadAttentionLayer>(),
      builtin<MultiplyLayer>(),
      builtin<PermuteLayer>(),
      builtin<PositionEmbeddingLayer>(),
      builtin<ReLULayer>(),
      builtin<RepeatVectorLayer>(),
      builtin<ReshapeLayer>(),
      builtin<RNNLayer>(),
      builtin<SimpleRNNLayer>(),
      builtin<SimpleRNNCellLayer>(),
      builtin<SinePositionEncodingLayer>(),
      builtin<SoftmaxLayer>(),
      builtin<SubtractLayer>(),
      builtin<TimeDistributedLayer>(),
      builtin<TokenAndPositionEmbeddingLayer>(),
      builtin<TransformerDecoderLayer>(),
      builtin<TransformerEncoderLayer>(),
      builtin<UpSampling2DLayer>(),
      builtin<ZeroPadding2DLayer>(),
  };
}

}  // namespace kiln::detail
