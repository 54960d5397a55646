// LayerNormalization: built from TensorFlow.js's Keras configs it computes
// TF.js's numbers (rms_scaling, which TF.js lacks, against Keras 3's formula
// in PyTorch); gradients, configs, save/load, shape errors and masks.

#include <nlohmann/json.hpp>

#include "golden.hpp"
#include "layer_save_round_trip.hpp"
#include "layers/layer_normalization.hpp"
#include "layers/registry.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::golden_config;
using kiln::testing::random_array;

TEST_CASE("LayerNormalization from TF.js's Keras configs computes TF.js's numbers") {
  const std::string file = "tfjs/layer_normalization.safetensors";
  for (const std::string c : {"default_3d", "no_center_2d", "no_scale_3d", "two_axes_3d"}) {
    CAPTURE(c);
    const auto layer = layer_from_config("LayerNormalization", golden_config(file, c));
    const Array x = golden(file, c + "/x");
    (*layer)(Tensor(x));
    std::vector<Array> weights{golden(file, c + "/weight_0")};
    if (c == "default_3d" || c == "two_axes_3d") weights.push_back(golden(file, c + "/weight_1"));
    layer->set_weights(weights);  // gamma then beta, as Keras' get_weights()
    const Tensor y = (*layer)(Tensor(x));
    CHECK(kiln::testing::max_abs_diff(y.value(), golden(file, c + "/y")) < 1e-5);
  }
}

TEST_CASE("LayerNormalization with rms_scaling computes Keras 3's rms normalization") {
  const std::string file = "torch/positions.safetensors";
  const auto layer = layer_from_config("LayerNormalization", golden_config(file, "layer_norm_rms"));
  const Array x = golden(file, "layer_norm_rms/x");
  (*layer)(Tensor(x));
  REQUIRE(layer->get_weights().size() == 1);  // gamma only
  layer->set_weights({golden(file, "layer_norm_rms/weight_0")});
  CHECK(kiln::testing::max_abs_diff(Tensor((*layer)(Tensor(x))).value(), golden(file, "layer_norm_rms/y")) < 1e-5);
}

TEST_CASE("LayerNormalization gradients match finite differences over input, gamma and beta") {
  LayerNormalization norm({.epsilon = 1e-3f});
  const Tensor x = kiln::testing::random_param({2, 3, 6}, 1, "x", -2.0f, 2.0f);
  norm(x);
  norm->set_weights({random_array({6}, 2, 0.5f, 1.5f), random_array({6}, 3)});
  const Tensor upstream(random_array({2, 3, 6}, 4));
  CHECK_GRADIENTS([&] { return sum(Tensor(norm(x)) * upstream); }, {x, norm->gamma(), norm->beta()});

  LayerNormalization two_axes({.axis = {-2, -1}});
  two_axes(x);
  two_axes->set_weights({random_array({3, 6}, 5, 0.5f, 1.5f), random_array({3, 6}, 6)});
  CHECK_GRADIENTS([&] { return sum(Tensor(two_axes(x)) * upstream); }, {x, two_axes->gamma(), two_axes->beta()});
}

TEST_CASE("LayerNormalization's config round-trips and its model saves and loads") {
  LayerNormalization norm({.axis = {-1}, .epsilon = 1e-5f, .center = false, .rms_scaling = false,
                           .gamma_initializer = {"random_normal", {{"stddev", 0.5}}}, .name = "ln"});
  const auto config = norm->get_config();
  CHECK(config.at("axis") == nlohmann::json::array({-1}));
  CHECK(config.at("epsilon").get<double>() == doctest::Approx(1e-5));
  CHECK(layer_from_config("LayerNormalization", config)->get_config() == config);
  kiln::testing::check_save_load_round_trip(norm.ptr(), {PartialShape{4, 5}}, {random_array({3, 4, 5}, 7)});
}

TEST_CASE("LayerNormalization refuses axes it cannot normalise, naming the layer and the shape") {
  LayerNormalization middle({.axis = {1}, .name = "ln"});
  CHECK_THROWS_WITH_AS(middle(Tensor(random_array({2, 3, 4}, 1))),
                       "LayerNormalization 'ln': kiln normalises the last axes only; axis [1] of a rank-3 input are not "
                       "the trailing ones",
                       ShapeError);
  LayerNormalization batch_axis({.axis = {0}, .name = "ln0"});
  CHECK_THROWS_WITH_AS(batch_axis(Tensor(random_array({2, 3}, 1))), doctest::Contains("axis 0 is out of range"),
                       ShapeError);
  LayerNormalization norm({.name = "ln2"});
  norm(Tensor(random_array({2, 3}, 1)));
  CHECK_THROWS_WITH_AS(norm(Tensor(random_array({2, 5}, 1))), doctest::Contains("was built for inputs [(2, 3)]"),
                       ShapeError);
}

TEST_CASE("LayerNormalization passes the input's mask on") {
  LayerNormalization norm;
  auto mask = std::make_shared<const Array>(Array{{1.0f, 0.0f}});
  const Tensor y = norm(Tensor(random_array({1, 2, 3}, 1)).with_mask(mask));
  REQUIRE(y.mask());
  CHECK(*y.mask() == *mask);
}
