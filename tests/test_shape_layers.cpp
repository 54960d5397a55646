// RepeatVector, Reshape, Permute and Identity: Keras' numbers from Keras'
// configs (TensorFlow.js, tests/golden/tfjs/reshape), symbolic shapes that
// keep unknown dimensions unknown, gradients by finite differences, config
// and file round trips, shape errors naming the layer, mask rules.

#include <nlohmann/json.hpp>

#include "golden.hpp"
#include "layer_round_trip.hpp"
#include "layers/identity.hpp"
#include "layers/permute.hpp"
#include "layers/repeat_vector.hpp"
#include "layers/reshape_layer.hpp"
#include "ops/arithmetic.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::golden_config;
using kiln::testing::max_abs_diff;
using kiln::testing::random_array;
using json = nlohmann::json;

namespace {

const std::string tfjs = "tfjs/reshape.safetensors";

}  // namespace

TEST_CASE("shape layers from Keras' configs compute Keras' numbers") {
  for (const auto& [name, class_name] : std::vector<std::pair<std::string, std::string>>{
           {"repeat_vector", "RepeatVector"}, {"reshape", "Reshape"}, {"reshape_inferred", "Reshape"},
           {"reshape_flat", "Reshape"}, {"permute", "Permute"}, {"permute_4d", "Permute"}}) {
    CAPTURE(name);
    const auto layer = layer_from_config(class_name, golden_config(tfjs, name));
    const Tensor x(golden(tfjs, name + "/x"));
    const Tensor y = (*layer)(x);
    CHECK(max_abs_diff(y.value(), golden(tfjs, name + "/y")) == 0.0);  // data movement only: exact
    CHECK(layer->compute_output_shape({partial_shape_of(x.shape())}).at(0) == partial_shape_of(y.shape()));
  }
  // TF.js writes Reshape's inferred entry as null; Keras 3 and kiln write -1.
  CHECK(golden_config(tfjs, "reshape_inferred").at("target_shape") == json::parse("[null, 2]"));
  CHECK(layer_from_config("Reshape", golden_config(tfjs, "reshape_inferred"))->get_config().at("target_shape") ==
        json{-1, 2});
}

TEST_CASE("shape layers keep unknown dimensions unknown and check what they can") {
  Reshape reshape({.target_shape = {-1, 2}, .name = "pairs"});
  CHECK(reshape->compute_output_shape({{unknown_dim, 3, 4}}).at(0) == PartialShape{unknown_dim, 6, 2});
  CHECK(reshape->compute_output_shape({{unknown_dim, unknown_dim, 4}}).at(0) == PartialShape{unknown_dim, -1, 2});
  CHECK(to_string(reshape->compute_output_shape({{unknown_dim, unknown_dim, 4}}).at(0)) == "(None, None, 2)");
  CHECK_THROWS_WITH_AS(reshape(Tensor(random_array({2, 3, 3}, 1))),
                       "Reshape 'pairs': cannot reshape input (2, 3, 3) (9 elements per sample) into target_shape (-1, 2)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(Reshape({.target_shape = {-1, -1}, .name = "r"}),
                       "Reshape 'r': target_shape (-1, -1) may hold at most one -1", Error);
  CHECK_THROWS_WITH_AS(Reshape({.target_shape = {0, 2}, .name = "r"}), doctest::Contains("has an entry 0"), Error);

  Permute permute({.dims = {2, 1}, .name = "swap"});
  CHECK(permute->compute_output_shape({{unknown_dim, unknown_dim, 8}}).at(0) == PartialShape{unknown_dim, 8, unknown_dim});
  CHECK_THROWS_WITH_AS(permute(Tensor(random_array({2, 3}, 1))),
                       "Permute 'swap': dims has 2 entries, so the input needs 3 axes (batch included), got (2, 3)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(Permute({.dims = {0, 1}, .name = "p"}),
                       "Permute 'p': dims must hold each of 1 .. 2 once (the batch axis 0 stays first), got (0, 1)", Error);

  RepeatVector repeat({.n = 4, .name = "rep"});
  CHECK(repeat->compute_output_shape({{unknown_dim, 6}}).at(0) == PartialShape{unknown_dim, 4, 6});
  CHECK_THROWS_WITH_AS(repeat(Tensor(random_array({2, 3, 4}, 1))),
                       "RepeatVector 'rep': expected input (batch, features), got (2, 3, 4)", ShapeError);
  CHECK_THROWS_WITH_AS(RepeatVector({.n = 0, .name = "rep"}), "RepeatVector 'rep': n must be positive", Error);
  // Built on width 6, it repeats any width (it has no weights), as Keras.
  repeat(Tensor(random_array({2, 6}, 2)));
  CHECK(Tensor(repeat(Tensor(random_array({1, 3}, 3)))).shape() == Shape{1, 4, 3});
}

TEST_CASE("shape layer gradients match finite differences") {
  Tensor x = Tensor::parameter(random_array({2, 3, 4}, 71), "x");
  const Tensor w(random_array({2, 6, 2}, 72));
  Reshape reshape({.target_shape = {-1, 2}});
  CHECK_GRADIENTS([&] { return Tensor(reshape(x)) * w; }, {x});
  Permute permute({.dims = {2, 1}});
  CHECK_GRADIENTS([&] { return Tensor(permute(x)) * Tensor(random_array({2, 4, 3}, 73)); }, {x});
  Tensor v = Tensor::parameter(random_array({2, 5}, 74), "v");
  RepeatVector repeat({.n = 3});
  CHECK_GRADIENTS([&] { return Tensor(repeat(v)) * Tensor(random_array({2, 3, 5}, 75)); }, {v});
  Identity identity;
  CHECK_GRADIENTS([&] { return Tensor(identity(x)) * x; }, {x});
}

TEST_CASE("Identity returns the very tensor and its mask; the shape layers drop masks, as Keras'") {
  const auto mask = std::make_shared<const Array>(Array{{1.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 0.0f}});
  const Tensor x = Tensor(random_array({2, 3, 4}, 81)).with_mask(mask);
  const Tensor same = Identity()(x);
  CHECK(same.same_as(x));
  CHECK(same.mask() == mask);
  CHECK_FALSE(Tensor(Reshape({.target_shape = {12}})(x)).mask());
  CHECK_FALSE(Tensor(Permute({.dims = {2, 1}})(x)).mask());
}

TEST_CASE("shape layers: configs and files round trip") {
  const std::vector<Array> x{random_array({2, 3, 4}, 91)};
  for (const std::shared_ptr<Layer>& layer :
       {std::shared_ptr<Layer>(Reshape({.target_shape = {-1, 2}})), std::shared_ptr<Layer>(Permute({.dims = {2, 1}})),
        std::shared_ptr<Layer>(Identity())}) {
    CAPTURE(layer->class_name());
    kiln::testing::check_config_round_trip(*layer);
    const auto model = kiln::testing::one_layer_model(layer, x);
    kiln::testing::check_save_load(*model, x);
  }
  const std::vector<Array> flat{random_array({2, 5}, 92)};
  const std::shared_ptr<Layer> repeat = RepeatVector({.n = 3});
  kiln::testing::check_config_round_trip(*repeat);
  kiln::testing::check_save_load(*kiln::testing::one_layer_model(repeat, flat), flat);
  CHECK(Permute({.dims = {2, 1}})->get_config().at("dims") == json{2, 1});
  CHECK(RepeatVector({.n = 3})->get_config().at("n") == 3);
}
