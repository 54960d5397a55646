// Layer configs derived from one field list (layers/layer_config.hpp):
// Keras' own configs (as TensorFlow.js writes them) build kiln layers that
// compute Keras' numbers; unknown keys, wrong types and unsupported Keras
// features are refused by name; initializers in both of Keras' forms.

#include <cmath>

#include <nlohmann/json.hpp>

#include "golden.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/embedding.hpp"
#include "layers/gru.hpp"
#include "layers/registry.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::golden_config;
using nlohmann::json;

TEST_CASE("Dense built from TensorFlow.js's Keras config computes Keras' numbers") {
  for (const std::string c : {"relu_2d", "tanh_3d", "linear_no_bias_3d", "relu_4d"}) {
    CAPTURE(c);
    const json config = golden_config("tfjs/dense.safetensors", c);
    const auto layer = layer_from_config("Dense", config);
    const Array x = golden("tfjs/dense.safetensors", c + "/x");
    (*layer)(Tensor(x));
    std::vector<Array> weights{golden("tfjs/dense.safetensors", c + "/weight_0")};
    if (config.at("use_bias") == true) weights.push_back(golden("tfjs/dense.safetensors", c + "/weight_1"));
    layer->set_weights(weights);  // Keras' get_weights() order and shapes
    const Tensor y = (*layer)(Tensor(x));
    CHECK(kiln::testing::relative_error(y.value(), golden("tfjs/dense.safetensors", c + "/y")) < 1e-6);
    // Keras' kernel_initializer {"class_name": "VarianceScaling", ...} is kept with its arguments.
    CHECK(layer->get_config().at("kernel_initializer").at("class_name") == "VarianceScaling");
  }
}

TEST_CASE("a config round trip gives the same config for every option type") {
  Dense dense({.units = 3, .activation = "tanh", .use_bias = false,
               .kernel_initializer = {"random_normal", {{"stddev", 0.02}}}, .name = "d"});
  const json config = dense->get_config();
  CHECK(config.at("kernel_initializer") ==
        json{{"class_name", "RandomNormal"}, {"config", {{"stddev", 0.02}}}});
  CHECK(layer_from_config("Dense", config)->get_config() == config);

  Dropout seeded({.rate = 0.25f, .seed = 7});
  CHECK(seeded->get_config().at("seed") == 7);
  Dropout unseeded({.rate = 0.25f});
  CHECK(unseeded->get_config().at("seed").is_null());  // as Keras writes an unseeded layer
  CHECK(layer_from_config("Dropout", unseeded->get_config())->get_config() == unseeded->get_config());
}

TEST_CASE("Keras' keys for features kiln leaves at their defaults are accepted at those defaults only") {
  json config = {{"units", 2},
                 {"dtype", {{"module", "keras"}, {"class_name", "DTypePolicy"}, {"config", {{"name", "float32"}}}}},
                 {"kernel_regularizer", nullptr},
                 {"bias_constraint", nullptr},
                 {"activity_regularizer", nullptr}};
  CHECK(layer_from_config("Dense", config)->get_config().at("units") == 2);

  config["kernel_regularizer"] = {{"class_name", "L2"}, {"config", {{"l2", 0.01}}}};
  CHECK_THROWS_WITH_AS(layer_from_config("Dense", config),
                       doctest::Contains("Dense: 'kernel_regularizer' is not supported by kiln (only null)"),
                       FormatError);
  config["kernel_regularizer"] = nullptr;
  config["dtype"] = "float16";
  CHECK_THROWS_WITH_AS(layer_from_config("Dense", config),
                       doctest::Contains("Dense: kiln computes in float32 only, the config asks for dtype \"float16\""),
                       FormatError);
}

TEST_CASE("an unknown key or a value of the wrong type is refused by name") {
  CHECK_THROWS_WITH_AS(layer_from_config("Dense", json{{"units", 2}, {"unitz", 3}}),
                       doctest::Contains("Dense: 'unitz' is not an option of Dense (its options: name, trainable, "
                                         "units, activation, use_bias, kernel_initializer, bias_initializer)"),
                       FormatError);
  CHECK_THROWS_WITH_AS(layer_from_config("Dense", json{{"units", "3"}}),
                       doctest::Contains("Dense: 'units' must be an integer, got \"3\""), FormatError);
  CHECK_THROWS_WITH_AS(layer_from_config("Dense", json{{"units", -1}}),
                       doctest::Contains("Dense: 'units' must be a non-negative integer, got -1"), FormatError);
  CHECK_THROWS_WITH_AS(layer_from_config("Embedding", json{{"input_dim", 4}, {"output_dim", 2}, {"mask_zero", 1}}),
                       doctest::Contains("Embedding: 'mask_zero' must be true or false, got 1"), FormatError);
  CHECK_THROWS_WITH_AS(layer_from_config("GRU", json{{"units", 2}, {"kernel_initializer", 5}}),
                       doctest::Contains("GRU: 'kernel_initializer': an initializer must be a name or"), FormatError);
  CHECK_THROWS_WITH_AS(
      layer_from_config("Dense", json{{"units", 2}, {"kernel_initializer", {{"class_name", "RandomNormal"},
                                                                            {"config", {{"stdev", 1.0}}}}}}),
      doctest::Contains("initializer 'random_normal' has no argument 'stdev' (it takes: mean, seed, stddev)"),
      FormatError);
}

TEST_CASE("initializers read both of Keras' forms and drop default arguments") {
  CHECK(InitializerSpec::from_config("glorot_uniform") ==
        InitializerSpec::from_config(json{{"class_name", "GlorotUniform"}, {"config", {{"seed", nullptr}}}}));
  CHECK(InitializerSpec::from_config("uniform").name() == "random_uniform");  // Keras' alias
  CHECK(InitializerSpec("he_normal").to_config() == "he_normal");
  const InitializerSpec scaled("variance_scaling", {{"scale", 2.0}, {"mode", "fan_in"}});
  CHECK(scaled.to_config() == json{{"class_name", "VarianceScaling"}, {"config", {{"scale", 2.0}}}});
  CHECK_THROWS_WITH_AS(InitializerSpec("variance_scaling", {{"mode", "fan_sideways"}}),
                       doctest::Contains("mode must be fan_in, fan_out or fan_avg"), Error);
}

TEST_CASE("a seeded initializer gives the same values at every call, as Keras'") {
  const Initializer seeded = InitializerSpec("random_normal", {{"seed", 3}}).make();
  CHECK(seeded({4, 5}) == seeded({4, 5}));
  const Initializer unseeded = InitializerSpec("random_normal").make();
  CHECK_FALSE(unseeded({4, 5}) == unseeded({4, 5}));
}

namespace {

double standard_deviation(const Array& a) {
  double sum = 0.0, squares = 0.0;
  for (const float v : a) sum += v, squares += double(v) * v;
  const double mean = sum / double(a.size());
  return std::sqrt(squares / double(a.size()) - mean * mean);
}

}  // namespace

TEST_CASE("variance-scaling initializers have Keras' variance and bounds") {
  set_random_seed(5);
  const Shape kernel{400, 100};  // fan_in 400, fan_out 100
  // He normal: variance 2 / fan_in, a normal truncated at two deviations.
  const Array he = initializers::he_normal()(kernel);
  CHECK(standard_deviation(he) == doctest::Approx(std::sqrt(2.0 / 400)).epsilon(0.02));
  CHECK(xt::amax(xt::abs(he))() <= 2.0 * std::sqrt(2.0 / 400) / 0.87962566103423978 + 1e-6);
  // Glorot uniform: U(+-sqrt(6 / (fan_in + fan_out))).
  const Array glorot = initializers::glorot_uniform()(kernel);
  CHECK(xt::amax(xt::abs(glorot))() <= std::sqrt(6.0 / 500));
  CHECK(standard_deviation(glorot) == doctest::Approx(std::sqrt(2.0 / 500)).epsilon(0.02));
  // Lecun uniform: variance 1 / fan_in.
  CHECK(standard_deviation(initializers::lecun_uniform()(kernel)) == doctest::Approx(std::sqrt(1.0 / 400)).epsilon(0.02));
  const Array eye = initializers::identity(2.0f)({3, 3});
  CHECK(eye(1, 1) == 2.0f);
  CHECK(eye(0, 1) == 0.0f);
}
