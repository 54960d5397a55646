// The pooling layers, ZeroPadding2D and UpSampling2D: built from Keras'
// configs as TensorFlow.js writes them they give Keras' outputs and input
// gradients; GlobalAveragePooling1D's masked mean against Keras 3's formula
// (PyTorch); bilinear UpSampling2D against Keras 3's resize (PyTorch);
// finite differences; config round trips; symbolic shapes with unknown
// dims; errors naming the layer and the shapes; masks consumed or dropped as
// Keras 3 does. (save_model / load_model: tests/test_conv_layers.cpp.)

#include <nlohmann/json.hpp>

#include "golden.hpp"
#include "graph/backward.hpp"
#include "layers/embedding.hpp"
#include "layers/global_pooling.hpp"
#include "layers/pooling.hpp"
#include "layers/registry.hpp"
#include "layers/up_sampling2d.hpp"
#include "layers/zero_padding2d.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::golden_config;
using kiln::testing::random_param;
using kiln::testing::relative_error;
using nlohmann::json;

namespace {

const std::string tfjs = "tfjs/pooling.safetensors";

// Builds `class_name` from case `c`'s stored config and checks y and the
// gradient of sum(y * r) for x; `mask`, when given, is passed as Keras' mask=.
void check_keras_case(const std::string& file, const std::string& class_name, const std::string& c,
                      const Array* mask = nullptr, bool check_gradient = true) {
  CAPTURE(c);
  const auto layer = layer_from_config(class_name, golden_config(file, c));
  Tensor x = Tensor::parameter(golden(file, c + "/x"));
  const Tensor y = (*layer)(x, {.masks = {mask}});
  CHECK(relative_error(y.value(), golden(file, c + "/y")) < 1e-5);
  if (check_gradient) {
    backward(sum(y * Tensor(golden(file, c + "/r"))));
    CHECK(relative_error(x.grad(), golden(file, c + "/dx")) < 1e-5);
  }
  // The config reads back to itself.
  CHECK(layer_from_config(class_name, layer->get_config())->get_config() == layer->get_config());
}

}  // namespace

TEST_CASE("MaxPooling and AveragePooling, 1-D and 2-D, from TF.js's configs compute Keras' numbers") {
  check_keras_case(tfjs, "MaxPooling1D", "max1d_valid");
  check_keras_case(tfjs, "MaxPooling1D", "max1d_same_stride1");
  check_keras_case(tfjs, "AveragePooling1D", "avg1d_valid_stride1");
  // TF.js 4.22's gradient of a same-padded average divides by the whole
  // window (its forward does not): that gradient from PyTorch instead.
  check_keras_case(tfjs, "AveragePooling1D", "avg1d_same", nullptr, false);
  check_keras_case("torch/conv.safetensors", "AveragePooling1D", "avg1d_same");
  check_keras_case(tfjs, "MaxPooling2D", "max2d_valid");
  check_keras_case(tfjs, "MaxPooling2D", "max2d_same");
  check_keras_case(tfjs, "AveragePooling2D", "avg2d_valid");
  check_keras_case(tfjs, "AveragePooling2D", "avg2d_same", nullptr, false);
  check_keras_case("torch/conv.safetensors", "AveragePooling2D", "avg2d_same");
}

TEST_CASE("global pooling from TF.js's configs computes Keras' numbers") {
  check_keras_case(tfjs, "GlobalMaxPooling1D", "global_max1d");
  check_keras_case(tfjs, "GlobalAveragePooling1D", "global_avg1d");
  check_keras_case(tfjs, "GlobalMaxPooling2D", "global_max2d");
  check_keras_case(tfjs, "GlobalAveragePooling2D", "global_avg2d");
}

TEST_CASE("ZeroPadding2D and UpSampling2D from TF.js's configs compute Keras' numbers") {
  check_keras_case(tfjs, "ZeroPadding2D", "zero_padding2d");
  // TF.js 4.22's nearest-resize gradient is wrong past the first batch
  // entry: its values here, the gradient from PyTorch (Keras' repeat).
  check_keras_case(tfjs, "UpSampling2D", "up_sampling2d", nullptr, false);
  check_keras_case("torch/conv.safetensors", "UpSampling2D", "nearest_2x3");
  check_keras_case("torch/conv.safetensors", "UpSampling2D", "bilinear_2x2");
  check_keras_case("torch/conv.safetensors", "UpSampling2D", "bilinear_3x2");
}

TEST_CASE("GlobalAveragePooling1D averages over the kept steps of a mask (Keras 3, in PyTorch)") {
  const std::string f = "torch/conv.safetensors";
  for (const std::string c : {"masked_avg1d", "masked_avg1d_keepdims"}) {
    const Array mask = golden(f, c + "/mask");
    check_keras_case(f, "GlobalAveragePooling1D", c, &mask);
  }
  // The mask a tensor carries is used the same way, and none is passed on.
  Embedding embedding({.input_dim = 5, .output_dim = 2, .mask_zero = true});
  embedding(Tensor(Array{{1.0f, 2.0f}}));  // builds the weights
  embedding->set_weights({Array{{0.0f, 0.0f}, {1.0f, 10.0f}, {2.0f, 20.0f}, {3.0f, 30.0f}, {4.0f, 40.0f}}});
  GlobalAveragePooling1D pool;
  const Tensor y = pool(embedding(Tensor(Array{{1.0f, 3.0f, 0.0f, 0.0f}})));
  CHECK(y.value() == Array{{2.0f, 20.0f}});  // (1 + 3) / 2, not / 4
  CHECK_FALSE(y.mask());
}

TEST_CASE("the other pooling layers drop a mask, as Keras 3's do not support masking") {
  Embedding embedding({.input_dim = 5, .output_dim = 2, .mask_zero = true});
  const Tensor embedded = embedding(Tensor(Array{{1.0f, 3.0f, 0.0f, 0.0f}}));
  REQUIRE(embedded.mask());
  GlobalMaxPooling1D global_max;
  MaxPooling1D max_pool;
  AveragePooling1D average_pool;
  CHECK_FALSE(Tensor(global_max(embedded)).mask());
  CHECK_FALSE(Tensor(max_pool(embedded)).mask());
  CHECK_FALSE(Tensor(average_pool(embedded)).mask());
  // GlobalMaxPooling1D ignores the mask: the padding steps (embedding 0) count.
  const Tensor y = global_max(embedded);
  CHECK(y.shape() == Shape{1, 2});
}

TEST_CASE("pooling layers' input gradients match finite differences") {
  Tensor x1 = random_param({2, 6, 3}, 41, "x");
  Tensor x2 = random_param({2, 5, 4, 2}, 42, "x");
  MaxPooling1D max1({.pool_size = {3}, .strides = std::vector<std::size_t>{2}, .padding = "same"});
  AveragePooling2D avg2({.pool_size = {2, 3}, .padding = "same"});
  GlobalAveragePooling2D gavg({.keepdims = true});
  GlobalMaxPooling1D gmax;
  UpSampling2D up({.size = {2, 3}, .interpolation = "bilinear"});
  ZeroPadding2D pad({.padding = {{1}, {2}}});  // (1, 2): rows 1 each side, columns 2
  CHECK_GRADIENTS([&] { return Tensor(max1(x1)); }, {x1});
  CHECK_GRADIENTS([&] { return Tensor(gmax(x1)); }, {x1});
  CHECK_GRADIENTS([&] { return Tensor(avg2(x2)); }, {x2});
  CHECK_GRADIENTS([&] { return Tensor(gavg(x2)); }, {x2});
  CHECK_GRADIENTS([&] { return Tensor(up(x2)); }, {x2});
  CHECK_GRADIENTS([&] { return Tensor(pad(x2)); }, {x2});
  AveragePooling1D avg1({.pool_size = {2}, .strides = std::vector<std::size_t>{1}});
  MaxPooling2D max2({.pool_size = {2, 2}, .padding = "same"});
  GlobalMaxPooling2D gmax2;
  GlobalAveragePooling1D gavg1;
  CHECK_GRADIENTS([&] { return Tensor(avg1(x1)); }, {x1});
  CHECK_GRADIENTS([&] { return Tensor(max2(x2)); }, {x2});
  CHECK_GRADIENTS([&] { return Tensor(gmax2(x2)); }, {x2});
  CHECK_GRADIENTS([&] { return Tensor(gavg1(x1)); }, {x1});
  const Array mask = {{1.0f, 0.0f, 1.0f, 1.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f}};
  GlobalAveragePooling1D masked;
  CHECK_GRADIENTS([&] { return Tensor(masked(x1, {.masks = {&mask}})); }, {x1});
}

TEST_CASE("pooling layers standardize their options as Keras writes them") {
  MaxPooling2D pool({.pool_size = {3}});
  CHECK(pool->get_config().at("pool_size") == json{3, 3});
  CHECK(pool->get_config().at("strides") == json{3, 3});  // strides default to pool_size
  CHECK(pool->get_config().at("padding") == "valid");
  ZeroPadding2D pad({.padding = {{2}}});
  CHECK(pad->get_config().at("padding") == json{{2, 2}, {2, 2}});
  CHECK(layer_from_config("ZeroPadding2D", json{{"padding", json{1, 3}}})->get_config().at("padding") ==
        json{{1, 1}, {3, 3}});
  CHECK(layer_from_config("ZeroPadding2D", json{{"padding", 4}})->get_config().at("padding") == json{{4, 4}, {4, 4}});
  UpSampling2D up({.size = {2}});
  CHECK(up->get_config().at("size") == json{2, 2});
  CHECK(up->get_config().at("interpolation") == "nearest");
  const auto from_null = layer_from_config("AveragePooling1D", json{{"pool_size", 4}, {"strides", nullptr}});
  CHECK(from_null->get_config().at("strides") == json{4});
  GlobalAveragePooling1D global({.keepdims = true});
  CHECK(global->get_config().at("keepdims") == true);
  CHECK(global->get_config().at("data_format") == "channels_last");
}

TEST_CASE("pooling layers keep unknown dims unknown in symbolic shapes") {
  MaxPooling1D pool1({.pool_size = {2}});
  CHECK(SymbolicTensor(pool1(Input({unknown_dim, 4}))).shape() == PartialShape{unknown_dim, unknown_dim, 4});
  CHECK(SymbolicTensor(pool1(Input({7, 4}))).shape() == PartialShape{unknown_dim, 3, 4});
  AveragePooling2D pool2({.pool_size = {2}, .padding = "same"});
  CHECK(SymbolicTensor(pool2(Input({7, unknown_dim, 3}))).shape() == PartialShape{unknown_dim, 4, unknown_dim, 3});
  GlobalMaxPooling2D global;
  CHECK(SymbolicTensor(global(Input({unknown_dim, unknown_dim, 3}))).shape() == PartialShape{unknown_dim, 3});
  GlobalAveragePooling1D kept({.keepdims = true});
  CHECK(SymbolicTensor(kept(Input({unknown_dim, 3}))).shape() == PartialShape{unknown_dim, 1, 3});
  UpSampling2D up({.size = {2, 3}});
  CHECK(SymbolicTensor(up(Input({unknown_dim, 4, 3}))).shape() == PartialShape{unknown_dim, unknown_dim, 12, 3});
  ZeroPadding2D pad({.padding = {{1, 2}, {3, 4}}});
  CHECK(SymbolicTensor(pad(Input({5, unknown_dim, 3}))).shape() == PartialShape{unknown_dim, 8, unknown_dim, 3});
}

TEST_CASE("pooling layers refuse bad inputs and options with the layer's name and the shapes") {
  MaxPooling2D pool({.pool_size = {3}, .name = "p"});
  CHECK_THROWS_WITH_AS(pool(Tensor(Array::from_shape({1, 4, 4}))),
                       "MaxPooling2D 'p': expected input (batch, height, width, channels), got (1, 4, 4)", ShapeError);
  CHECK_THROWS_WITH_AS(pool(Tensor(Array::from_shape({1, 2, 4, 1}))),
                       "MaxPooling2D 'p': the pool (3, 3) does not fit the input (1, 2, 4, 1) with padding 'valid'",
                       ShapeError);
  GlobalAveragePooling1D global({.name = "g"});
  CHECK_THROWS_WITH_AS(global(Tensor(Array::from_shape({2, 3, 4, 1}))),
                       "GlobalAveragePooling1D 'g': expected input (batch, steps, channels), got (2, 3, 4, 1)",
                       ShapeError);
  const Array wrong_mask = Array::from_shape({2, 5});
  CHECK_THROWS_WITH_AS(global(Tensor(Array::from_shape({2, 3, 4})), {.masks = {&wrong_mask}}),
                       "GlobalAveragePooling1D 'g': the mask (2, 5) does not match the input (2, 3, 4) (expected "
                       "(batch, steps))",
                       ShapeError);
  CHECK_THROWS_WITH_AS(layer_from_config("GlobalMaxPooling2D", json{{"data_format", "channels_first"}}),
                       doctest::Contains("GlobalMaxPooling2D: kiln runs channels_last only"), Error);
  CHECK_THROWS_WITH_AS(layer_from_config("MaxPooling1D", json{{"pool_size", 2}, {"padding", "causal"}}),
                       "MaxPooling1D: padding must be 'valid' or 'same', got 'causal'", Error);
  CHECK_THROWS_WITH_AS(UpSampling2D({.interpolation = "bicubic", .name = "u"}),
                       "UpSampling2D 'u': interpolation 'bicubic' is not supported by kiln (nearest or bilinear)",
                       Error);
  CHECK_THROWS_AS(ZeroPadding2D({.padding = {{1}, {2}, {3}}}), Error);
  CHECK_THROWS_AS(MaxPooling1D({.pool_size = {0}}), Error);
}
