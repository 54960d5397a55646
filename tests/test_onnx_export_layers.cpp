// ONNX export of the merge, shape, activation, convolution, pooling,
// normalization and attention layers: each family's models are checked in
// one batch (tests/onnx_export_batch.hpp): onnx.checker passes, ONNX
// Runtime computes kiln's outputs (and masks) within 1e-5, and kiln's
// import reads each file back to the same outputs, with gradients for
// every weight.

#include <cmath>

#include <doctest/doctest.h>

#include "kiln.hpp"
#include "layers/activation.hpp"
#include "onnx_export_batch.hpp"
#include "support.hpp"

using namespace kiln;
using namespace kiln::testing;

namespace {

// Ids in [1, vocab) as floats, with the given cells set to 0 (padding).
Array ids_with_padding(const Shape& shape, std::size_t vocab, std::uint64_t seed, const std::vector<std::size_t>& zeros) {
  Array a = random_array(shape, seed, 1.0f, float(vocab) - 0.01f);
  for (float& v : a) v = std::floor(v);
  for (std::size_t z : zeros) a.data()[z] = 0.0f;
  return a;
}

}  // namespace

TEST_CASE("ONNX export: the merge layers and Dot, lower-rank inputs broadcast after the batch axis") {
  set_random_seed(31);
  OnnxExportBatch batch;
  auto a = Input({unknown_dim, 4}, "a");
  auto b = Input({unknown_dim, 4}, "b");
  auto c = Input({4}, "c");
  auto d = Input({4}, "d");
  Functional model({a, b, c, d},
                   {Add()({a, b, c}), Subtract()({a, c}), Multiply()({a, b, c}), Average()({a, b}),
                    Maximum()({a, b, c}), Minimum()({c, b}), Add()({c, d}), Dot({.axes = 2})({a, b}),
                    Dot({.axes = {1, 1}, .normalize = true})({a, b}), Dot({.axes = -1})({c, d}),
                    Dot({.axes = {2, 1}})({a, Permute({.dims = {2, 1}})(b)})},
                   "merges");
  batch.add("merges", *model,
            {random_array({3, 5, 4}, 1), random_array({3, 5, 4}, 2), random_array({3, 4}, 3), random_array({3, 4}, 4)});
  // Dot over more than one axis on each side: (B, 2, 3, 4) . (B, 5, 4) over the last axes.
  auto e = Input({2, 3, 4}, "e");
  auto f = Input({5, 4}, "f");
  Functional rank4({e, f}, {Dot({.axes = -1})({e, f}), Dot({.axes = {1, 2}})({Permute({.dims = {3, 1, 2}})(e), f})}, "dot_rank4");
  batch.add("dot_rank4", *rank4, {random_array({2, 2, 3, 4}, 5), random_array({2, 5, 4}, 6)});
  batch.run();
}

TEST_CASE("ONNX export: merge layers keep masked entries out as kiln does, and pass the OR of the masks") {
  set_random_seed(32);
  OnnxExportBatch batch;
  auto source = Input({unknown_dim}, "source");
  auto target = Input({unknown_dim}, "target");
  auto x = Input({unknown_dim, 3}, "x");
  auto s = Embedding({.input_dim = 7, .output_dim = 3, .mask_zero = true, .name = "source_embedding"})(source);
  auto t = Embedding({.input_dim = 7, .output_dim = 3, .mask_zero = true, .name = "target_embedding"})(target);
  std::vector<SymbolicTensor> outputs{Add()({s, t}),     Subtract()({s, t}), Multiply()({s, t}), Average()({s, t}),
                                      Maximum()({s, t}), Minimum()({s, t}), Multiply()({s, x}), Maximum()({x, s}),
                                      Minimum()({s, t, x})};
  // A recurrence after a merge reads its mask.
  outputs.push_back(GRU({.units = 2, .return_sequences = true, .name = "after_merge"})(Maximum()({s, t})));
  Functional model({source, target, x}, outputs, "masked_merges");
  // Padding in different places in the two id inputs, one step padded in both.
  const Array source_ids = ids_with_padding({3, 5}, 7, 7, {1, 4, 5, 6, 12});
  const Array target_ids = ids_with_padding({3, 5}, 7, 8, {1, 3, 9, 10, 11});
  batch.add("masked_merges", *model, {source_ids, target_ids, random_array({3, 5, 3}, 9)}, {}, {.output_masks = true});
  // Masks given to the call for the float input, fed as a mask input.
  const Array x_mask = {{1.0f, 0.0f, 1.0f, 1.0f, 0.0f}, {0.0f, 1.0f, 1.0f, 1.0f, 1.0f}, {1.0f, 1.0f, 1.0f, 0.0f, 0.0f}};
  batch.add("masked_merges_mask_input", *model, {source_ids, target_ids, random_array({3, 5, 3}, 10)},
            {nullptr, nullptr, &x_mask}, {.masked_inputs = {"x"}, .output_masks = true});
  batch.run();
}

TEST_CASE("ONNX export: Reshape, Permute, RepeatVector, Identity and Masking, masks included") {
  set_random_seed(33);
  OnnxExportBatch batch;
  {
    auto x = Input({unknown_dim, 6}, "x");
    auto v = Input({5}, "v");
    auto img = Input({2, 3, 4}, "img");
    SymbolicTensor reshaped = Reshape({.target_shape = {-1, 3, 2}})(x);
    SymbolicTensor fixed = Reshape({.target_shape = {6, 4}})(img);
    SymbolicTensor permuted = Permute({.dims = {3, 1, 2}})(img);
    SymbolicTensor repeated = RepeatVector({.n = 4})(v);
    SymbolicTensor identity = Identity()(x);
    Functional model({x, v, img}, {reshaped, fixed, permuted, repeated, identity}, "shapes");
    batch.add("shapes", *model, {random_array({2, 5, 6}, 1), random_array({2, 5}, 2), random_array({2, 2, 3, 4}, 3)});
  }
  {
    // Masking finds the padded steps (all features equal to mask_value);
    // the mask reaches the GRU through Identity and out as an output mask.
    auto x = Input({unknown_dim, 3}, "x");
    SymbolicTensor masked = Masking({.mask_value = 0.5f})(x);
    SymbolicTensor passed = Identity()(masked);
    SymbolicTensor seq = GRU({.units = 2, .return_sequences = true})(passed);
    Functional model({x}, {masked, passed, seq}, "masking");
    Array values = random_array({3, 4, 3}, 4);
    for (std::size_t f = 0; f < 3; ++f) {
      values(0, 1, f) = 0.5f;
      values(2, 3, f) = 0.5f;
      values(2, 0, f) = 0.5f;
    }
    values(1, 2, 0) = 0.5f;  // one feature at mask_value: kept
    batch.add("masking", *model, {values}, {}, {.output_masks = true});
  }
  batch.run();
}

TEST_CASE("ONNX export: every activation kiln names, ReLU's options, LeakyReLU, Softmax on axes and masks") {
  set_random_seed(34);
  OnnxExportBatch batch;
  {
    auto x = Input({unknown_dim, 5}, "x");
    std::vector<SymbolicTensor> outputs;
    std::vector<std::string> names;
    for (const auto& name : activation_names()) {
      outputs.push_back(Activation({.activation = name, .name = "act_" + name})(x));
      names.push_back(name);
    }
    outputs.push_back(Dense({.units = 3, .activation = "gelu", .name = "dense_gelu"})(x));
    Functional model({x}, outputs, "activations");
    // Inputs across the kinks (0, +-3) and into the tails: -4 .. 4.
    batch.add("activations", *model, {random_array({2, 6, 5}, 1, -4.0f, 4.0f)});
  }
  {
    auto x = Input({unknown_dim, 5}, "x");
    Functional model({x},
                     {ReLU()(x), ReLU({.max_value = 1.5f})(x), ReLU({.negative_slope = 0.1f})(x),
                      ReLU({.threshold = 0.4f})(x), ReLU({.max_value = 2.0f, .negative_slope = 0.3f, .threshold = 0.5f})(x),
                      ReLU({.max_value = 6.0f, .negative_slope = 0.2f})(x), LeakyReLU()(x),
                      LeakyReLU({.negative_slope = 0.05f})(x)},
                     "relus");
    batch.add("relus", *model, {random_array({3, 4, 5}, 2, -3.0f, 3.0f)});
  }
  {
    auto x = Input({unknown_dim, 4}, "x");
    auto img = Input({3, 4, 2}, "img");
    Functional model({x, img},
                     {Softmax()(x), Softmax({.axis = 1})(x), Softmax({.axis = {1, 2}})(x), Softmax({.axis = {1, 3}})(img),
                      Softmax({.axis = -2})(img)},
                     "softmaxes");
    batch.add("softmaxes", *model, {random_array({2, 5, 4}, 3, -3.0f, 3.0f), random_array({2, 3, 4, 2}, 4, -3.0f, 3.0f)});
  }
  {
    // A mask on Softmax's input lowers the masked steps' logits; the mask passes on.
    auto ids = Input({unknown_dim}, "ids");
    auto e = Embedding({.input_dim = 6, .output_dim = 4, .mask_zero = true})(ids);
    SymbolicTensor probs = Softmax({.axis = 1})(e);
    SymbolicTensor last = Softmax()(e);
    Functional model({ids}, {probs, last, ReLU({.max_value = 0.1f})(e)}, "masked_softmax");
    batch.add("masked_softmax", *model, {ids_with_padding({3, 5}, 6, 5, {0, 4, 8, 9})}, {}, {.output_masks = true});
  }
  {
    // Dense on rank 4: the kernel applies to the last axis.
    Sequential model({.input_shape = {3, unknown_dim, 4}, .name = "dense_rank4"});
    model->add(Dense({.units = 5, .activation = "selu"}));
    model->add(Dense({.units = 2, .activation = "softsign"}));
    batch.add("dense_rank4", *model, {random_array({2, 3, 6, 4}, 6)});
  }
  batch.run();
}

TEST_CASE("ONNX export: Conv1D (valid, same, causal, strides, dilation, groups) and Conv2D, dynamic steps") {
  set_random_seed(35);
  OnnxExportBatch batch;
  {
    auto x = Input({unknown_dim, 4}, "x");
    Functional model({x},
                     {Conv1D({.filters = 3, .kernel_size = {3}})(x),
                      Conv1D({.filters = 2, .kernel_size = {2}, .strides = {2}, .padding = "same", .activation = "relu"})(x),
                      Conv1D({.filters = 4, .kernel_size = {3}, .padding = "causal", .dilation_rate = {2}})(x),
                      Conv1D({.filters = 4, .kernel_size = {2}, .padding = "same", .dilation_rate = {3}, .use_bias = false})(x),
                      Conv1D({.filters = 6, .kernel_size = {3}, .strides = {3}, .groups = 2, .activation = "gelu"})(x),
                      Conv1D({.filters = 2, .kernel_size = {4}, .padding = "same"})(x)},
                     "conv1d");
    batch.add("conv1d", *model, {random_array({2, 9, 4}, 1)});
    batch.add("conv1d_short", *model, {random_array({3, 7, 4}, 2)});  // the steps are dynamic
  }
  {
    auto img = Input({unknown_dim, unknown_dim, 3}, "img");
    Functional model({img},
                     {Conv2D({.filters = 2, .kernel_size = {3, 2}})(img),
                      Conv2D({.filters = 4, .kernel_size = {3}, .strides = {2, 1}, .padding = "same", .activation = "tanh"})(img),
                      Conv2D({.filters = 2, .kernel_size = {2}, .padding = "same", .dilation_rate = {2, 3}})(img),
                      Conv2D({.filters = 3, .kernel_size = {1, 3}, .groups = 3, .use_bias = false})(img)},
                     "conv2d");
    batch.add("conv2d", *model, {random_array({2, 6, 7, 3}, 3)});
  }
  batch.run();
}

TEST_CASE("ONNX export: pooling, global pooling (mask-aware average), ZeroPadding2D and UpSampling2D") {
  set_random_seed(36);
  OnnxExportBatch batch;
  {
    auto x = Input({unknown_dim, 3}, "x");
    Functional model({x},
                     {MaxPooling1D()(x), AveragePooling1D({.pool_size = {3}, .strides = {{2}}, .padding = "same"})(x),
                      MaxPooling1D({.pool_size = {3}, .strides = {{1}}, .padding = "same"})(x), AveragePooling1D({.pool_size = {2}})(x),
                      GlobalMaxPooling1D()(x), GlobalAveragePooling1D({.keepdims = true})(x)},
                     "pooling1d");
    batch.add("pooling1d", *model, {random_array({2, 7, 3}, 1)});
  }
  {
    auto img = Input({5, unknown_dim, 2}, "img");
    Functional model({img},
                     {MaxPooling2D({.pool_size = {2, 2}})(img), AveragePooling2D({.pool_size = {3, 2}, .strides = {{2, 1}}, .padding = "same"})(img),
                      MaxPooling2D({.pool_size = {2, 3}, .padding = "same"})(img), GlobalMaxPooling2D({.keepdims = true})(img),
                      GlobalAveragePooling2D()(img), ZeroPadding2D({.padding = {{1, 2}, {0, 3}}})(img),
                      UpSampling2D({.size = {2, 3}})(img), UpSampling2D({.size = {3, 2}, .interpolation = "bilinear"})(img)},
                     "images");
    batch.add("images", *model, {random_array({2, 5, 6, 2}, 2)});
  }
  {
    // GlobalAveragePooling1D averages the kept steps only; the others ignore the mask.
    auto ids = Input({unknown_dim}, "ids");
    auto e = Embedding({.input_dim = 6, .output_dim = 3, .mask_zero = true})(ids);
    Functional model({ids}, {GlobalAveragePooling1D()(e), GlobalAveragePooling1D({.keepdims = true})(e), GlobalMaxPooling1D()(e)},
                     "masked_pooling");
    batch.add("masked_pooling", *model, {ids_with_padding({3, 5}, 6, 3, {0, 3, 4, 12, 13})});
  }
  batch.run();
}

TEST_CASE("ONNX export: LayerNormalization (axes, no scale or center, rms) and BatchNormalization (inference, any axis)") {
  set_random_seed(37);
  OnnxExportBatch batch;
  auto x = Input({unknown_dim, 4}, "x");
  auto img = Input({3, 4, 2}, "img");
  LayerNormalization plain({.name = "plain"});
  LayerNormalization two_axes({.axis = {2, 3}, .epsilon = 1e-5f, .name = "two_axes"});
  LayerNormalization bare({.center = false, .scale = false, .name = "bare"});
  LayerNormalization rms({.rms_scaling = true, .name = "rms"});
  BatchNormalization features({.name = "features"});
  BatchNormalization channels({.axis = 1, .center = false, .name = "channels"});
  BatchNormalization images({.scale = false, .name = "images"});
  Functional model({x, img}, {plain(x), two_axes(img), bare(x), rms(x), features(x), channels(img), images(img)}, "norms");
  // Weights and moving statistics away from their initial ones and zeros.
  std::uint64_t seed = 30;
  for (auto& [name, w] : model->named_weights()) w.mutable_value() = random_array(w.shape(), seed++, 0.5f, 1.5f);
  batch.add("norms", *model, {random_array({2, 5, 4}, 4, -2.0f, 2.0f), random_array({2, 3, 4, 2}, 5)});
  // The mask passes through both.
  auto ids = Input({unknown_dim}, "ids");
  auto e = Embedding({.input_dim = 5, .output_dim = 3, .mask_zero = true})(ids);
  Functional masked({ids}, {BatchNormalization()(LayerNormalization()(e))}, "masked_norms");
  batch.add("masked_norms", *masked, {ids_with_padding({2, 4}, 5, 6, {1, 6, 7})}, {}, {.output_masks = true});
  batch.run();
}

TEST_CASE("ONNX export: Attention (dot, scaled, concat) and AdditiveAttention with masks, causal, and scores") {
  set_random_seed(38);
  OnnxExportBatch batch;
  auto query_ids = Input({unknown_dim}, "query_ids");
  auto value_ids = Input({unknown_dim}, "value_ids");
  auto key = Input({unknown_dim, 4}, "key");
  auto q = Embedding({.input_dim = 6, .output_dim = 4, .mask_zero = true, .name = "query_embedding"})(query_ids);
  auto v = Embedding({.input_dim = 6, .output_dim = 4, .mask_zero = true, .name = "value_embedding"})(value_ids);
  auto [dot, dot_scores] = Attention({.return_attention_scores = true, .name = "dot"})({q, v}).unpack<2>();
  auto [scaled, scaled_scores] = Attention({.use_scale = true, .use_causal_mask = true, .return_attention_scores = true, .name = "scaled"})({q, v}).unpack<2>();
  SymbolicTensor concat = Attention({.use_scale = true, .score_mode = "concat", .name = "concat"})({q, v, key});
  auto [additive, additive_scores] = AdditiveAttention({.use_causal_mask = true, .return_attention_scores = true, .name = "additive"})({q, v}).unpack<2>();
  SymbolicTensor plain = AdditiveAttention({.use_scale = false, .name = "plain"})({q, v, key});
  // The output carries the query's mask into a recurrence.
  SymbolicTensor after = GRU({.units = 2, .return_sequences = true, .name = "after"})(dot);
  Functional model({query_ids, value_ids, key},
                   {dot, dot_scores, scaled, scaled_scores, concat, additive, additive_scores, plain, after}, "attention");
  std::uint64_t seed = 50;
  for (auto& [name, w] : model->named_weights()) {
    if (w.shape().size() <= 1) w.mutable_value() = random_array(w.shape(), seed++, 0.5f, 1.5f);  // scales away from 1
  }
  // Query steps and value steps differ in number; padding in both.
  batch.add("attention", *model,
            {ids_with_padding({3, 4}, 6, 1, {3, 6, 7}), ids_with_padding({3, 5}, 6, 2, {0, 4, 9, 13, 14}), random_array({3, 5, 4}, 3)},
            {}, {.output_masks = true});
  batch.add("attention_unpadded", *model,
            {ids_with_padding({2, 6}, 6, 4, {}), ids_with_padding({2, 3}, 6, 5, {}), random_array({2, 3, 4}, 6)});
  batch.run();
}

TEST_CASE("ONNX export: kiln's export of a convolutional classifier imports back and fine-tunes") {
  set_random_seed(39);
  Sequential model({.input_shape = {unknown_dim, 3}, .name = "conv_classifier"});
  model->add(Conv1D({.filters = 4, .kernel_size = {3}, .padding = "causal", .activation = "gelu"}));
  model->add(LayerNormalization());
  model->add(MaxPooling1D({.padding = "same"}));
  model->add(Conv1D({.filters = 4, .kernel_size = {2}, .padding = "same", .activation = "elu"}));
  model->add(BatchNormalization());
  model->add(GlobalAveragePooling1D());
  model->add(Dense({.units = 2, .activation = "softmax"}));
  OnnxTempDir dir;
  export_onnx(*model, dir / "classifier.onnx");
  const auto imported = import_onnx(dir / "classifier.onnx");
  // Class 1 where the first channel's mean is positive.
  const Array x = random_array({16, 6, 3}, 7);
  Array y = Array(Shape{16, 2}, 0.0f);
  for (std::size_t b = 0; b < 16; ++b) {
    float total = 0.0f;
    for (std::size_t t = 0; t < 6; ++t) total += x(b, t, 0);
    y(b, total > 0.0f ? 1 : 0) = 1.0f;
  }
  imported->compile({.optimizer = std::make_shared<Adam>(Adam::Options{.learning_rate = 0.03f}),
                     .loss = "categorical_crossentropy"});
  const double before = imported->evaluate({x}, {y}, 16).at("loss");
  imported->fit({x}, {y}, {.batch_size = 8, .epochs = 40, .verbose = 0});
  const double after = imported->evaluate({x}, {y}, 16).at("loss");
  CHECK(after < 0.5 * before);
  // The weights are the layers' (formula constants are not weights).
  CHECK(imported->trainable_weights().size() == model->named_weights().size());
}

TEST_CASE("ONNX export: MultiHeadAttention (self, cross with a key, causal, attention_mask, masks, scores, output_shape)") {
  set_random_seed(40);
  OnnxExportBatch batch;
  auto query_ids = Input({unknown_dim}, "query_ids");
  auto value_ids = Input({unknown_dim}, "value_ids");
  auto key = Input({unknown_dim, 5}, "key");
  auto pairs = Input({unknown_dim, unknown_dim}, "pairs");
  auto q = Embedding({.input_dim = 6, .output_dim = 4, .mask_zero = true, .name = "query_embedding"})(query_ids);
  auto v = Embedding({.input_dim = 6, .output_dim = 3, .mask_zero = true, .name = "value_embedding"})(value_ids);
  auto [self, self_scores] =
      MultiHeadAttention({.num_heads = 2, .key_dim = 3, .use_causal_mask = true, .return_attention_scores = true, .name = "self"})({q, q, q}).unpack<2>();
  SymbolicTensor cross = MultiHeadAttention({.num_heads = 3, .key_dim = 2, .value_dim = 4, .name = "cross"})({q, v, key});
  SymbolicTensor bare = MultiHeadAttention({.num_heads = 2, .key_dim = 2, .use_bias = false, .output_shape = {{2, 3}}, .name = "bare"})({q, v});
  auto [masked, masked_scores] = MultiHeadAttention({.num_heads = 1, .key_dim = 4, .return_attention_scores = true, .name = "masked"})(
                                     {q, v, v, pairs}).unpack<2>();
  // The output carries the query's mask into a recurrence.
  SymbolicTensor after = GRU({.units = 2, .return_sequences = true, .name = "after"})(self);
  Functional model({query_ids, value_ids, key, pairs}, {self, self_scores, cross, bare, masked, masked_scores, after}, "mha");
  Array attention_mask = random_array({3, 4, 5}, 3);
  for (float& m : attention_mask) m = m > -0.3f ? 1.0f : 0.0f;
  batch.add("mha", *model,
            {ids_with_padding({3, 4}, 6, 1, {3, 6, 7}), ids_with_padding({3, 5}, 6, 2, {0, 4, 9, 13, 14}), random_array({3, 5, 5}, 4),
             attention_mask},
            {}, {.output_masks = true});
  batch.run();
}

TEST_CASE("ONNX export: PositionEmbedding and TokenAndPositionEmbedding (mask_zero), dynamic length") {
  set_random_seed(41);
  OnnxExportBatch batch;
  auto ids = Input({unknown_dim}, "ids");
  auto x = Input({unknown_dim, 3}, "x");
  SymbolicTensor tokens = TokenAndPositionEmbedding({.vocabulary_size = 7, .sequence_length = 6, .embedding_dim = 3, .mask_zero = true})(ids);
  SymbolicTensor plain = TokenAndPositionEmbedding({.vocabulary_size = 7, .sequence_length = 8, .embedding_dim = 2})(ids);
  SymbolicTensor positions = PositionEmbedding({.sequence_length = 6})(x);
  SymbolicTensor seq = GRU({.units = 2, .return_sequences = true})(Add()({tokens, positions}));
  Functional model({ids, x}, {tokens, plain, positions, seq}, "positions");
  batch.add("positions", *model, {ids_with_padding({2, 5}, 7, 1, {3, 4, 9}), random_array({2, 5, 3}, 2)}, {}, {.output_masks = true});
  batch.add("positions_short", *model, {ids_with_padding({3, 2}, 7, 3, {1}), random_array({3, 2, 3}, 4)}, {}, {.output_masks = true});
  batch.run();
}

TEST_CASE("ONNX export: SinePositionEncoding, computed for the input's length at run time") {
  set_random_seed(42);
  OnnxExportBatch batch;
  auto x = Input({unknown_dim, 6}, "x");
  SymbolicTensor encoded = SinePositionEncoding()(x);
  SymbolicTensor short_waves = SinePositionEncoding({.max_wavelength = 50.0f})(x);
  Functional model({x}, {encoded, short_waves, Add()({x, encoded})}, "sines");
  batch.add("sines", *model, {random_array({2, 7, 6}, 1)});
  batch.add("sines_long", *model, {random_array({1, 300, 6}, 2)});  // angles up to 299: double keeps them exact
  batch.run();
}

TEST_CASE("ONNX export: TransformerEncoder (post- and pre-norm, padding mask, attention_mask, scores)") {
  set_random_seed(43);
  OnnxExportBatch batch;
  auto ids = Input({unknown_dim}, "ids");
  auto pairs = Input({unknown_dim, unknown_dim}, "pairs");
  auto e = TokenAndPositionEmbedding({.vocabulary_size = 7, .sequence_length = 8, .embedding_dim = 4, .mask_zero = true})(ids);
  auto [post, scores] = TransformerEncoder({.intermediate_dim = 6, .num_heads = 2, .return_attention_scores = true, .name = "post"})(e).unpack<2>();
  SymbolicTensor pre = TransformerEncoder({.intermediate_dim = 5, .num_heads = 1, .activation = "gelu", .normalize_first = true, .name = "pre"})({post, pairs});
  // The output carries the padding mask into a recurrence.
  SymbolicTensor after = GRU({.units = 2, .return_sequences = true, .name = "after"})(pre);
  Functional model({ids, pairs}, {post, scores, pre, after}, "encoders");
  Array attention_mask = random_array({3, 5, 5}, 3);
  for (float& m : attention_mask) m = m > -0.5f ? 1.0f : 0.0f;
  batch.add("encoders", *model, {ids_with_padding({3, 5}, 7, 1, {3, 4, 9}), attention_mask}, {}, {.output_masks = true});
  batch.run();
}

TEST_CASE("ONNX export: TransformerDecoder (causal self-attention, cross attention with both paddings, pre-norm, scores)") {
  set_random_seed(44);
  OnnxExportBatch batch;
  auto source = Input({unknown_dim}, "source");
  auto target = Input({unknown_dim}, "target");
  auto encoded = TransformerEncoder({.intermediate_dim = 6, .num_heads = 2, .name = "encoder"})(
      TokenAndPositionEmbedding({.vocabulary_size = 7, .sequence_length = 8, .embedding_dim = 4, .mask_zero = true, .name = "source_embedding"})(source));
  auto decoder_in = TokenAndPositionEmbedding({.vocabulary_size = 7, .sequence_length = 8, .embedding_dim = 4, .mask_zero = true, .name = "target_embedding"})(target);
  auto [decoded, cross_scores] = TransformerDecoder({.intermediate_dim = 5, .num_heads = 2, .return_attention_scores = true, .name = "decoder"})(
      {decoder_in, encoded}).unpack<2>();
  auto [alone, self_scores] = TransformerDecoder({.intermediate_dim = 3, .num_heads = 1, .activation = "gelu", .normalize_first = true,
                                                  .return_attention_scores = true, .name = "decoder_only"})(decoded).unpack<2>();
  SymbolicTensor plain = TransformerDecoder({.intermediate_dim = 3, .num_heads = 2, .use_causal_mask = false, .name = "not_causal"})(alone);
  Functional model({source, target}, {decoded, cross_scores, alone, self_scores, plain}, "decoders");
  batch.add("decoders", *model, {ids_with_padding({3, 5}, 7, 1, {3, 4, 9}), ids_with_padding({3, 4}, 7, 2, {2, 3, 11})}, {},
            {.output_masks = true});
  batch.run();
}
