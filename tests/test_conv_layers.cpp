// Conv1D and Conv2D (layers/base_conv.hpp): built from Keras' configs (as
// TensorFlow.js writes them, and as Keras 3 writes a causal Conv1D, computed
// in PyTorch) with weights in Keras' get_weights() order, they give Keras'
// outputs and gradients; finite-difference gradients over inputs and
// weights; config and save_model/load_model round trips of every
// convolution and pooling class; symbolic shapes with unknown dims; errors
// naming the layer and the shapes; masks dropped as Keras 3 drops them.

#include <atomic>
#include <filesystem>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "golden.hpp"
#include "graph/backward.hpp"
#include "layers/conv1d.hpp"
#include "layers/conv2d.hpp"
#include "layers/embedding.hpp"
#include "layers/global_pooling.hpp"
#include "layers/pooling.hpp"
#include "layers/registry.hpp"
#include "layers/up_sampling2d.hpp"
#include "layers/zero_padding2d.hpp"
#include "models/model_file.hpp"
#include "models/sequential.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::golden_config;
using kiln::testing::random_array;
using kiln::testing::random_param;
using kiln::testing::relative_error;
using nlohmann::json;
using kiln::testing::ScratchDir;
namespace fs = std::filesystem;

namespace {

// Builds `class_name` from case `c`'s stored Keras config, sets its weights
// in Keras' order, and checks y and, where stored, the gradients of
// sum(y * r) for the input and every weight.
void check_keras_case(const std::string& file, const std::string& class_name, const std::string& c,
                      bool has_gradients) {
  CAPTURE(c);
  const json config = golden_config(file, c);
  const auto layer = layer_from_config(class_name, config);
  Tensor x = Tensor::parameter(golden(file, c + "/x"));
  layer->build_for({partial_shape_of(x.shape())});
  std::vector<Array> weights{golden(file, c + "/weight_0")};
  if (config.at("use_bias") == true) weights.push_back(golden(file, c + "/weight_1"));
  layer->set_weights(weights);
  const Tensor y = (*layer)(x);
  CHECK(relative_error(y.value(), golden(file, c + "/y")) < 1e-5);
  if (!has_gradients) return;
  backward(sum(y * Tensor(golden(file, c + "/r"))));
  CHECK(relative_error(x.grad(), golden(file, c + "/dx")) < 1e-5);
  const auto w = layer->weights();
  for (std::size_t k = 0; k < w.size(); ++k) {
    CAPTURE(k);
    CHECK(relative_error(w[k].grad(), golden(file, c + "/dweight_" + std::to_string(k))) < 1e-5);
  }
}


// Saves, loads and compares the loaded model's output and config with the original's.
void check_save_load(const Sequential& model, const Array& x) {
  const Array expected = Tensor((*model)(Tensor(x))).value();
  ScratchDir dir("conv");
  save_model(*model, dir.path);
  const auto loaded = load_model(dir.path);
  CHECK(loaded->get_config() == model->get_config());
  CHECK_ARRAY_NEAR(Tensor((*loaded)(Tensor(x))).value(), expected, 0.0);
}

}  // namespace

TEST_CASE("Conv1D built from TensorFlow.js's Keras config computes Keras' outputs and gradients") {
  for (const std::string c : {"conv1d_valid", "conv1d_same_stride2", "conv1d_valid_stride3"}) {
    check_keras_case("tfjs/conv.safetensors", "Conv1D", c, true);
  }
  check_keras_case("tfjs/conv.safetensors", "Conv1D", "conv1d_same_dilated", false);  // TF.js: no dilated gradient
}

TEST_CASE("Conv1D with causal padding from Keras 3's config matches Keras' formula (PyTorch)") {
  for (const std::string c : {"causal_k3", "causal_dilated", "causal_stride2_no_bias"}) {
    check_keras_case("torch/conv.safetensors", "Conv1D", c, true);
    // Keras 3's config, groups and data_format included, reads back unchanged.
    const json config = golden_config("torch/conv.safetensors", c);
    const json written = layer_from_config("Conv1D", config)->get_config();
    for (const char* key : {"filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups",
                            "activation", "use_bias"}) {
      CAPTURE(key);
      CHECK(written.at(key) == config.at(key));
    }
  }
}

TEST_CASE("Conv1D and Conv2D with groups match PyTorch's grouped convolution (Keras 3's configs)") {
  check_keras_case("torch/conv.safetensors", "Conv1D", "grouped_conv1d", true);
  check_keras_case("torch/conv.safetensors", "Conv2D", "grouped_conv2d", true);
  const auto layer = layer_from_config("Conv2D", golden_config("torch/conv.safetensors", "grouped_conv2d"));
  layer->build_for({{unknown_dim, 5, 4, 6}});
  CHECK(layer->get_weights()[0].shape() == Shape{3, 2, 2, 3});  // (kh, kw, in / groups, filters)
}

TEST_CASE("Conv2D built from TensorFlow.js's Keras config computes Keras' outputs and gradients") {
  for (const std::string c : {"conv2d_valid", "conv2d_same_stride2", "conv2d_valid_1x1"}) {
    check_keras_case("tfjs/conv.safetensors", "Conv2D", c, true);
  }
  check_keras_case("tfjs/conv.safetensors", "Conv2D", "conv2d_same_dilated", false);
}

TEST_CASE("Conv1D and Conv2D gradients match finite differences over input, kernel and bias") {
  Conv1D causal({.filters = 3, .kernel_size = {3}, .padding = "causal", .dilation_rate = {2}, .activation = "tanh"});
  Tensor x1 = random_param({2, 7, 4}, 31, "x");
  causal(x1);
  CHECK_GRADIENTS([&] { return Tensor(causal(x1)); }, {x1, causal->kernel(), causal->bias()});

  Conv2D conv({.filters = 2, .kernel_size = {3, 2}, .strides = {2}, .padding = "same", .activation = "tanh"});
  Tensor x2 = random_param({2, 5, 4, 3}, 32, "x");
  conv(x2);
  CHECK_GRADIENTS([&] { return Tensor(conv(x2)); }, {x2, conv->kernel(), conv->bias()});

  Conv1D grouped({.filters = 4, .kernel_size = {2}, .padding = "causal", .groups = 2});
  grouped(x1);
  CHECK_GRADIENTS([&] { return Tensor(grouped(x1)); }, {x1, grouped->kernel(), grouped->bias()});
}

TEST_CASE("Conv layers standardize their options as Keras does and round-trip their config") {
  Conv2D conv({.filters = 4, .kernel_size = {3}, .padding = "SAME", .name = "c"});
  json config = conv->get_config();
  CHECK(config.at("kernel_size") == json{3, 3});
  CHECK(config.at("strides") == json{1, 1});
  CHECK(config.at("dilation_rate") == json{1, 1});
  CHECK(config.at("padding") == "same");
  CHECK(config.at("data_format") == "channels_last");
  CHECK(config.at("groups") == 1);
  CHECK(layer_from_config("Conv2D", config)->get_config() == config);
  // Keras' lone numbers for tuples.
  const auto from_numbers = layer_from_config("Conv1D", json{{"filters", 2}, {"kernel_size", 5}, {"strides", 2}});
  CHECK(from_numbers->get_config().at("kernel_size") == json{5});
  CHECK(from_numbers->get_config().at("strides") == json{2});
}

TEST_CASE("every convolution and pooling class survives save_model / load_model") {
  Sequential model1d({.input_shape = {12, 3}});
  model1d->add(Conv1D({.filters = 4, .kernel_size = {3}, .padding = "causal", .activation = "relu"}));
  model1d->add(MaxPooling1D({.pool_size = {2}}));
  model1d->add(Conv1D({.filters = 4, .kernel_size = {2}, .padding = "same", .use_bias = false}));
  model1d->add(AveragePooling1D({.pool_size = {3}, .strides = std::vector<std::size_t>{1}, .padding = "same"}));
  model1d->add(GlobalAveragePooling1D({.keepdims = true}));
  model1d->add(GlobalMaxPooling1D());
  check_save_load(model1d, random_array({2, 12, 3}, 33));

  Sequential model2d({.input_shape = {6, 5, 2}});
  model2d->add(ZeroPadding2D({.padding = {{1, 0}, {2, 1}}}));
  model2d->add(Conv2D({.filters = 3, .kernel_size = {3, 3}, .strides = {2}}));
  model2d->add(UpSampling2D({.size = {2, 3}, .interpolation = "bilinear"}));
  model2d->add(MaxPooling2D({.pool_size = {2}, .padding = "same"}));
  model2d->add(UpSampling2D({.size = {2}}));
  model2d->add(AveragePooling2D({.pool_size = {2, 1}}));
  model2d->add(GlobalMaxPooling2D({.keepdims = true}));
  model2d->add(GlobalAveragePooling2D());
  check_save_load(model2d, random_array({2, 6, 5, 2}, 34));
}

TEST_CASE("Conv layers keep unknown steps, height and width unknown in symbolic shapes") {
  Conv1D conv1d({.filters = 5, .kernel_size = {3}, .strides = {2}, .padding = "same"});
  CHECK(Tensor(conv1d(Tensor(Array::from_shape({1, 7, 3})))).shape() == Shape{1, 4, 5});
  CHECK(SymbolicTensor(conv1d(Input({unknown_dim, 3}))).shape() == PartialShape{unknown_dim, unknown_dim, 5});
  CHECK(SymbolicTensor(conv1d(Input({9, 3}))).shape() == PartialShape{unknown_dim, 5, 5});
  Conv2D conv2d({.filters = 2, .kernel_size = {3, 3}});
  CHECK(SymbolicTensor(conv2d(Input({28, unknown_dim, 1}))).shape() == PartialShape{unknown_dim, 26, unknown_dim, 2});
  Conv1D causal({.filters = 1, .kernel_size = {4}, .padding = "causal", .dilation_rate = {2}});
  CHECK(SymbolicTensor(causal(Input({6, 2}))).shape() == PartialShape{unknown_dim, 6, 1});
}

TEST_CASE("Conv layers refuse bad inputs and options with the layer's name and the shapes") {
  Conv1D conv({.filters = 4, .kernel_size = {5}, .name = "c1"});
  CHECK_THROWS_WITH_AS(conv(Tensor(Array::from_shape({2, 3}))),
                       "Conv1D 'c1': expected input (batch, steps, channels), got (2, 3)", ShapeError);
  CHECK_THROWS_WITH_AS(conv(Tensor(Array::from_shape({1, 3, 2}))),
                       "Conv1D 'c1': the kernel (5, 2, 4) (dilation_rate (1,)) does not fit the input (1, 3, 2) with "
                       "padding 'valid'",
                       ShapeError);
  conv(Tensor(Array::from_shape({1, 6, 2})));
  CHECK_THROWS_WITH_AS(conv(Tensor(Array::from_shape({1, 6, 3}))), doctest::Contains("was built for inputs [(1, 6, 2)]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(Conv2D({.filters = 1, .kernel_size = {3}, .padding = "causal"}),
                       "Conv2D: padding must be 'valid' or 'same', got 'causal'", Error);
  CHECK_THROWS_WITH_AS(Conv2D({.filters = 1, .kernel_size = {3}, .data_format = "channels_first", .name = "img"}),
                       doctest::Contains("Conv2D 'img': kiln runs channels_last only"), Error);
  CHECK_THROWS_WITH_AS(layer_from_config("Conv1D", json{{"filters", 4}, {"kernel_size", 3}, {"groups", 3}}),
                       "Conv1D: filters must be a multiple of groups (as in Keras), got filters 4 and groups 3", Error);
  Conv1D grouped({.filters = 4, .kernel_size = {1}, .groups = 2, .name = "g"});
  CHECK_THROWS_WITH_AS(grouped(Tensor(Array::from_shape({1, 3, 3}))),
                       "Conv1D 'g': the input's channels must be a multiple of groups (2), got the input (1, 3, 3)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(Conv1D({.filters = 1, .kernel_size = {3}, .strides = {2}, .dilation_rate = {2}}),
                       doctest::Contains("strides > 1 are not supported together with dilation_rate > 1"), Error);
  CHECK_THROWS_AS(Conv2D({.filters = 0, .kernel_size = {3}}), Error);
  CHECK_THROWS_AS(Conv2D({.filters = 1, .kernel_size = {3, 3, 3}}), Error);
  CHECK_THROWS_WITH_AS(Conv1D({.filters = 1, .kernel_size = {3}, .activation = "swishy"}),
                       doctest::Contains("unknown activation 'swishy'"), Error);
}

TEST_CASE("Conv1D drops a mask, as Keras 3 (its convolutions do not support masking)") {
  Embedding embedding({.input_dim = 5, .output_dim = 3, .mask_zero = true});
  Conv1D conv({.filters = 2, .kernel_size = {2}, .padding = "same"});
  const Tensor embedded = embedding(Tensor(Array{{1.0f, 2.0f, 0.0f, 0.0f}}));
  REQUIRE(embedded.mask());
  CHECK_FALSE(Tensor(conv(embedded)).mask());
}
