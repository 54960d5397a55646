// The activation layers ReLU, LeakyReLU and Softmax: built from Keras'
// configs (TensorFlow.js's, tests/golden/tfjs/activations_layers; Keras 3's
// options TF.js lacks from tests/golden/torch/layers), Keras' numbers,
// gradients by finite differences, config and file round trips, masks.

#include <cmath>

#include <nlohmann/json.hpp>
#include <xtensor/xbroadcast.hpp>

#include "golden.hpp"
#include "layer_round_trip.hpp"
#include "layers/leaky_relu_layer.hpp"
#include "layers/relu_layer.hpp"
#include "layers/softmax_layer.hpp"
#include "ops/arithmetic.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::golden_config;
using kiln::testing::random_array;
using kiln::testing::relative_error;
using json = nlohmann::json;

namespace {

const std::string tfjs = "tfjs/activations_layers.safetensors";
const std::string torch = "torch/layers.safetensors";

// The layer `class_name` from the case's Keras config, applied to its x (and mask).
Array reference_output(const std::string& file, const std::string& name, const std::string& class_name,
                       const Array* mask = nullptr) {
  const auto layer = layer_from_config(class_name, golden_config(file, name));
  CallContext context;
  if (mask) context.masks = {mask};
  return Tensor((*layer)(Tensor(golden(file, name + "/x")), context)).value();
}

}  // namespace

TEST_CASE("ReLU from Keras' configs computes Keras' numbers") {
  for (const std::string c : {"relu", "relu_max_value"}) {
    CAPTURE(c);
    CHECK(relative_error(reference_output(tfjs, c, "ReLU"), golden(tfjs, c + "/y")) <= 1e-6);
  }
  // negative_slope and threshold: Keras 3's formula (TF.js has neither).
  for (const std::string c : {"relu_negative_slope", "relu_threshold", "relu_all", "relu_max6_slope"}) {
    CAPTURE(c);
    CHECK(relative_error(reference_output(torch, c, "ReLU"), golden(torch, c + "/y")) <= 1e-6);
  }
  ReLU relu({.max_value = 1.5f, .negative_slope = 0.2f, .threshold = 0.3f});
  const Array x{{-1.0f, 0.0f, 0.3f, 0.5f, 1.5f, 4.0f}};
  // 0.2 (x - 0.3) below the threshold, 0 at it, x above, 1.5 from max_value.
  CHECK_ARRAY_NEAR(Tensor(relu(Tensor(x))).value(), (Array{{-0.26f, -0.06f, 0.0f, 0.5f, 1.5f, 1.5f}}), 1e-6);
}

TEST_CASE("ReLU gradients match finite differences away from the kinks") {
  for (const ReLUOptions& o : {ReLUOptions{}, ReLUOptions{.max_value = 1.0f},
                               ReLUOptions{.max_value = 1.5f, .negative_slope = 0.2f, .threshold = 0.3f},
                               ReLUOptions{.negative_slope = 0.1f}}) {
    ReLU relu(o);
    // Values kept 0.05 away from 0, 0.3, 1 and 1.5, so the differences never straddle a kink.
    Array v = random_array({3, 4}, 21, -2.0f, 2.0f);
    for (auto& e : v) {
      for (float kink : {0.0f, 0.3f, 1.0f, 1.5f}) {
        if (std::abs(e - kink) < 0.05f) e = kink + 0.1f;
      }
    }
    Tensor x = Tensor::parameter(v, "x");
    CHECK_GRADIENTS([&] { return Tensor(relu(x)); }, {x});
  }
}

TEST_CASE("LeakyReLU reads Keras 2's alpha and writes Keras 3's negative_slope") {
  for (const std::string c : {"leaky_relu_default", "leaky_relu_alpha"}) {
    CAPTURE(c);
    CHECK(golden_config(tfjs, c).contains("alpha"));  // TF.js writes Keras 2's key
    CHECK(relative_error(reference_output(tfjs, c, "LeakyReLU"), golden(tfjs, c + "/y")) <= 1e-6);
  }
  const auto layer = layer_from_config("LeakyReLU", golden_config(tfjs, "leaky_relu_alpha"));
  CHECK(layer->get_config().at("negative_slope") == doctest::Approx(0.1));
  CHECK_FALSE(layer->get_config().contains("alpha"));
  CHECK(LeakyReLU()->options().negative_slope == doctest::Approx(0.3));  // Keras 3's default
  CHECK_THROWS_WITH_AS(layer_from_config("LeakyReLU", json{{"alpha", 0.1}, {"negative_slope", 0.2}}),
                       doctest::Contains("both 'alpha' (Keras 2's name) and 'negative_slope'"), FormatError);
  CHECK_THROWS_WITH_AS(LeakyReLU({.negative_slope = -1.0f, .name = "leaky"}),
                       "LeakyReLU 'leaky': negative_slope cannot be negative, got -1", Error);
  Array v = random_array({2, 5}, 3);
  for (auto& e : v) e = std::abs(e) < 0.05f ? 0.1f : e;  // away from the kink at 0
  Tensor x = Tensor::parameter(v, "x");
  LeakyReLU leaky({.negative_slope = 0.1f});
  CHECK_GRADIENTS([&] { return Tensor(leaky(x)); }, {x});
}

TEST_CASE("Softmax over one axis or several, as Keras") {
  CHECK(relative_error(reference_output(tfjs, "softmax_last", "Softmax"), golden(tfjs, "softmax_last/y")) <= 1e-6);
  CHECK(relative_error(reference_output(tfjs, "softmax_axes", "Softmax"), golden(tfjs, "softmax_axes/y")) <= 1e-6);
  CHECK(golden_config(tfjs, "softmax_axes").at("axis") == json{1, 2});
  // A single axis other than the last (TF.js's softmax op refuses it).
  CHECK(relative_error(reference_output(torch, "softmax_axis1", "Softmax"), golden(torch, "softmax_axis1/y")) <= 1e-6);
  Softmax joint({.axis = {1, 2}});
  Tensor x = Tensor::parameter(random_array({2, 3, 4}, 8), "x");
  CHECK_GRADIENTS([&] { return Tensor(joint(x)) * Tensor(random_array({2, 3, 4}, 9)); }, {x});
  Softmax one({.axis = 1});
  CHECK_GRADIENTS([&] { return Tensor(one(x)) * Tensor(random_array({2, 3, 4}, 10)); }, {x});
}

TEST_CASE("Softmax gives masked positions zero probability, with Keras' mask argument") {
  for (const std::string c : {"softmax_mask", "softmax_mask_broadcast"}) {
    CAPTURE(c);
    const Array mask = golden(tfjs, c + "/mask");
    const Array y = reference_output(tfjs, c, "Softmax", &mask);
    CHECK(relative_error(y, golden(tfjs, c + "/y")) <= 1e-6);
    const Array full = xt::broadcast(mask, y.shape());
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (full.data()[i] == 0.0f) CHECK(y.data()[i] == 0.0f);
    }
  }
  // A (batch, time) mask of the kind Embedding(mask_zero) starts covers
  // every axis but the last. Over the last axis: kept steps are the plain
  // softmax; a padded step's logits all drop by 1e9, which float32 rounds to
  // one value, so it is uniform (Keras' arithmetic). The mask passes on.
  // Over time, it zeroes the padded steps.
  const Array steps{{1.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 0.0f}};
  const Tensor x = Tensor(random_array({2, 3, 4}, 12)).with_mask(std::make_shared<const Array>(steps));
  Softmax last;
  const Tensor y = last(x);
  const Array plain = Tensor(Softmax()(Tensor(x.value()))).value();
  for (std::size_t b = 0; b < 2; ++b) {
    for (std::size_t t = 0; t < 3; ++t) {
      for (std::size_t c = 0; c < 4; ++c) {
        CHECK(y.value()(b, t, c) == doctest::Approx(steps(b, t) == 1.0f ? plain(b, t, c) : 0.25f).epsilon(1e-6));
      }
    }
  }
  REQUIRE(y.mask());
  CHECK(*y.mask() == steps);
  Softmax over_time({.axis = 1});
  const Array p = Tensor(over_time(x)).value();
  CHECK(p(0, 2, 1) == 0.0f);
  CHECK(p(1, 1, 3) == 0.0f);
  CHECK(p(1, 0, 2) == doctest::Approx(1.0f));  // the one kept step of sequence 1 takes it all
  const Array bad = Array::from_shape({2, 4});
  CHECK_THROWS_WITH_AS(Softmax({.name = "sm"})(Tensor(random_array({2, 3, 4}, 1)), CallContext{.masks = {&bad}}),
                       doctest::Contains("Softmax 'sm': a mask of shape (2, 4) does not fit input (2, 3, 4)"), ShapeError);
}

TEST_CASE("activation layers: configs, bad options and files round trip") {
  ReLU relu({.max_value = 6.0f, .negative_slope = 0.1f, .name = "r"});
  kiln::testing::check_config_round_trip(*relu);
  CHECK(relu->get_config().at("max_value") == 6.0);
  CHECK(ReLU()->get_config().at("max_value").is_null());
  kiln::testing::check_config_round_trip(*LeakyReLU({.negative_slope = 0.25f}));
  kiln::testing::check_config_round_trip(*Softmax({.axis = {1, 2}}));
  CHECK(Softmax()->get_config().at("axis") == -1);  // an integer stays an integer
  CHECK_THROWS_WITH_AS(ReLU({.max_value = -1.0f, .name = "r"}), "ReLU 'r': max_value cannot be negative, got -1", Error);
  CHECK_THROWS_WITH_AS(ReLU({.threshold = -0.5f, .name = "r"}), "ReLU 'r': threshold cannot be negative, got -0.5", Error);
  CHECK_THROWS_WITH_AS(Softmax({.axis = {1, 1}, .name = "s"}), "Softmax 's': axis [1, 1] names an axis twice", Error);
  CHECK_THROWS_WITH_AS(Softmax({.axis = 3, .name = "s"})(Tensor(random_array({2, 3}, 1))),
                       "Softmax 's': axis 3 is out of range for input (2, 3)", ShapeError);
  CHECK_THROWS_WITH_AS(layer_from_config("ReLU", json{{"max_value", "big"}}),
                       doctest::Contains("ReLU: 'max_value' must be a number"), FormatError);

  const std::vector<Array> x{random_array({2, 3, 4}, 30, -2.0f, 2.0f)};
  for (const std::shared_ptr<Layer>& layer : {std::shared_ptr<Layer>(relu), std::shared_ptr<Layer>(LeakyReLU()),
                                             std::shared_ptr<Layer>(Softmax({.axis = {1, 2}}))}) {
    CAPTURE(layer->describe());
    const auto model = kiln::testing::one_layer_model(layer, x);
    kiln::testing::check_save_load(*model, x);
  }
}
