// The merge layers Add, Subtract, Multiply, Average, Maximum, Minimum and
// Dot: Keras' numbers from Keras' configs (TensorFlow.js, tests/golden/tfjs/
// merge), Keras 3's broadcasting and mask rules (the expectations of Keras
// 3's own merging_test.py, as TF.js's merge masks are Keras 2's), gradients
// by finite differences, config and file round trips, shape errors.

#include <nlohmann/json.hpp>

#include "golden.hpp"
#include "layer_round_trip.hpp"
#include "layers/add.hpp"
#include "layers/average.hpp"
#include "layers/dot.hpp"
#include "layers/masking.hpp"
#include "layers/maximum.hpp"
#include "layers/minimum.hpp"
#include "layers/multiply.hpp"
#include "layers/subtract.hpp"
#include "ops/arithmetic.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::golden_config;
using kiln::testing::max_abs_diff;
using kiln::testing::random_array;
using kiln::testing::relative_error;
using json = nlohmann::json;

namespace {

const std::string tfjs = "tfjs/merge.safetensors";

// The case's inputs x0, x1, ... (as many as the file has).
std::vector<Tensor> case_inputs(const std::string& name, std::size_t count) {
  std::vector<Tensor> xs;
  for (std::size_t k = 0; k < count; ++k) xs.emplace_back(golden(tfjs, name + "/x" + std::to_string(k)));
  return xs;
}

// A (1, 4, 2) tensor; through Masking its all-zero steps are masked (Keras' tests use these).
Tensor keras_test_tensor(const std::vector<float>& values, bool masked) {
  Array a = Array::from_shape({1, 4, 2});
  std::copy(values.begin(), values.end(), a.begin());
  return masked ? Tensor(Masking()(Tensor(a))) : Tensor(a);
}

Array keras_expected(const std::vector<float>& values) {
  Array a = Array::from_shape({1, 4, 2});
  std::copy(values.begin(), values.end(), a.begin());
  return a;
}

}  // namespace

TEST_CASE("merge layers from Keras' configs compute Keras' numbers") {
  const std::vector<std::tuple<std::string, std::string, std::size_t>> cases = {
      {"add_2", "Add", 2},           {"add_3", "Add", 3},         {"add_ranks", "Add", 2},
      {"average_3", "Average", 3},   {"multiply_2", "Multiply", 2}, {"multiply_broadcast", "Multiply", 2},
      {"maximum_3", "Maximum", 3},   {"minimum_2", "Minimum", 2},
      {"dot_2d", "Dot", 2},          {"dot_3d_last", "Dot", 2},   {"dot_3d_12", "Dot", 2},
      {"dot_3d_1", "Dot", 2},        {"dot_2d_3d", "Dot", 2},     {"dot_normalize", "Dot", 2}};
  for (const auto& [name, class_name, count] : cases) {
    CAPTURE(name);
    const auto layer = layer_from_config(class_name, golden_config(tfjs, name));
    const Tensor y = (*layer)(case_inputs(name, count));
    CHECK(relative_error(y.value(), golden(tfjs, name + "/y")) <= 1e-6);
    // The symbolic shape agrees with the computed one (batch unknown).
    std::vector<PartialShape> shapes;
    for (const auto& x : case_inputs(name, count)) shapes.push_back(partial_shape_of(x.shape()));
    PartialShape want = partial_shape_of(y.shape());
    CHECK(layer->compute_output_shape(shapes).at(0) == want);
  }
}

TEST_CASE("Subtract takes exactly two inputs and subtracts the second") {
  const auto xs = case_inputs("add_2", 2);
  CHECK(max_abs_diff(Tensor(Subtract()(xs)).value(), Array(xs[0].value() - xs[1].value())) == 0.0);
  CHECK_THROWS_WITH_AS(Subtract({.name = "minus"})(case_inputs("add_3", 3)),
                       doctest::Contains("Subtract 'minus': expected exactly 2 inputs to merge, got 3"), ShapeError);
}

// Keras 3's merging_test.py, test_<layer>_with_mask: x1 masked at steps 0
// and 2; x2 first unmasked, then masked at steps 0 and 1.
TEST_CASE("merge masks follow Keras 3: OR of the inputs' masks, masked entries kept out of Multiply, Maximum, Minimum") {
  struct Case {
    std::shared_ptr<Layer> layer;
    std::vector<float> x1, x2, one_masked, both_masked;
  };
  const std::vector<Case> cases = {
      {Add(), {0, 0, 1, 2, 0, 0, 3, 4}, {0, 0, 0, 0, 1, 2, 3, 4}, {0, 0, 1, 2, 1, 2, 6, 8}, {0, 0, 1, 2, 1, 2, 6, 8}},
      {Subtract(), {0, 0, 1, 2, 0, 0, 3, 4}, {0, 0, 0, 0, 1, 2, 3, 4}, {0, 0, 1, 2, -1, -2, 0, 0},
       {0, 0, 1, 2, -1, -2, 0, 0}},
      {Average(), {0, 0, 1, 2, 0, 0, 3, 4}, {0, 0, 0, 0, 1, 2, 3, 4}, {0, 0, 0.5, 1, 0.5, 1, 3, 4},
       {0, 0, 0.5, 1, 0.5, 1, 3, 4}},
      {Multiply(), {0, 0, 1, 2, 0, 0, 3, 4}, {0, 0, 0, 0, 1, 2, 3, 4}, {0, 0, 0, 0, 1, 2, 9, 16},
       {0, 0, 1, 2, 1, 2, 9, 16}},
      {Maximum(), {0, 0, -1, -2, 0, 0, -3, -4}, {0, 0, 0, 0, -1, -2, -3, -4}, {0, 0, 0, 0, -1, -2, -3, -4},
       {0, 0, -1, -2, -1, -2, -3, -4}},
      {Minimum(), {0, 0, 1, 2, 0, 0, 3, 4}, {0, 0, 0, 0, 1, 2, 3, 4}, {0, 0, 0, 0, 1, 2, 3, 4},
       {0, 0, 1, 2, 1, 2, 3, 4}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.layer->class_name());
    const Tensor x1 = keras_test_tensor(c.x1, true);
    const Tensor one = (*c.layer)({x1, keras_test_tensor(c.x2, false)});
    CHECK(max_abs_diff(one.value(), keras_expected(c.one_masked)) == 0.0);
    CHECK_FALSE(one.mask());  // only one input has a mask: none
    const Tensor both = (*c.layer)({x1, keras_test_tensor(c.x2, true)});
    CHECK(max_abs_diff(both.value(), keras_expected(c.both_masked)) == 0.0);
    REQUIRE(both.mask());
    CHECK(*both.mask() == Array{{0.0f, 1.0f, 1.0f, 1.0f}});  // [0 1 0 1] OR [0 0 1 1]
  }
}

TEST_CASE("merge layers broadcast as Keras: batch sizes agree, the rest aligns from the last axis") {
  Add add({.name = "sum"});
  const Tensor y = add({Tensor(random_array({2, 3, 4}, 1)), Tensor(random_array({2, 4}, 2))});
  CHECK(y.shape() == Shape{2, 3, 4});
  CHECK(add->compute_output_shape({{unknown_dim, 3, 4}, {unknown_dim, 1, 4}}).at(0) == PartialShape{unknown_dim, 3, 4});
  CHECK(add->compute_output_shape({{unknown_dim, unknown_dim, 4}, {5, 3, 4}}).at(0) == PartialShape{5, unknown_dim, 4});
  CHECK_THROWS_WITH_AS(add({Tensor(random_array({2, 3}, 1)), Tensor(random_array({2, 4}, 2))}),
                       "Add 'sum': inputs of shapes [(2, 3), (2, 4)] do not broadcast together", ShapeError);
  CHECK_THROWS_WITH_AS(add({Tensor(random_array({2, 3}, 1)), Tensor(random_array({3, 3}, 2))}),
                       "Add 'sum': cannot merge inputs of different batch sizes: [(2, 3), (3, 3)]", ShapeError);
  CHECK_THROWS_WITH_AS(Multiply({.name = "m"})(std::vector<Tensor>{}),
                       doctest::Contains("Multiply 'm': expected at least 1 inputs to merge, got 0"), ShapeError);
  const Tensor masked = Tensor(random_array({2, 4}, 3)).with_mask(std::make_shared<const Array>(Array{1.0f, 0.0f}));
  CHECK_THROWS_WITH_AS(add({Tensor(random_array({2, 3, 4}, 1)), masked}),
                       doctest::Contains("cannot merge a masked input of rank 2 with inputs of rank 3"), ShapeError);
}

TEST_CASE("merge layer gradients match finite differences, masks and broadcasting included") {
  Tensor a = Tensor::parameter(random_array({2, 3, 4}, 41), "a");
  Tensor b = Tensor::parameter(random_array({2, 4}, 42), "b");
  Tensor c = Tensor::parameter(random_array({2, 3, 4}, 43), "c");
  const auto mask_a = std::make_shared<const Array>(Array{{1.0f, 0.0f, 1.0f}, {0.0f, 1.0f, 1.0f}});
  const auto mask_c = std::make_shared<const Array>(Array{{1.0f, 1.0f, 0.0f}, {0.0f, 1.0f, 0.0f}});
  const Tensor weights(random_array({2, 3, 4}, 44));
  for (const std::shared_ptr<Layer>& layer :
       {std::shared_ptr<Layer>(Add()), std::shared_ptr<Layer>(Average()), std::shared_ptr<Layer>(Multiply()),
        std::shared_ptr<Layer>(Maximum()), std::shared_ptr<Layer>(Minimum())}) {
    CAPTURE(layer->class_name());
    CHECK_GRADIENTS([&] { return Tensor((*layer)({a, b, c})) * weights; }, {a, b, c});
    CHECK_GRADIENTS([&] { return Tensor((*layer)({a.with_mask(mask_a), c.with_mask(mask_c)})) * weights; }, {a, c});
  }
  Subtract subtract;
  CHECK_GRADIENTS([&] { return Tensor(subtract({a, c})) * weights; }, {a, c});
}

TEST_CASE("Dot: axes, normalize, gradients, output shape and errors") {
  Tensor x = Tensor::parameter(random_array({2, 3, 4}, 51), "x");
  Tensor y = Tensor::parameter(random_array({2, 5, 3}, 52), "y");
  Dot dot({.axes = {1, 2}, .normalize = true, .name = "cosine"});
  CHECK(Tensor(dot({x, y})).shape() == Shape{2, 4, 5});
  CHECK_GRADIENTS([&] { return Tensor(dot({x, y})) * Tensor(random_array({2, 4, 5}, 53)); }, {x, y});
  Tensor u = Tensor::parameter(random_array({2, 4}, 54), "u");
  Dot plain({.axes = -1});
  CHECK(Tensor(plain({u, u})).shape() == Shape{2, 1});  // a rank-1 result becomes (batch, 1)
  CHECK_GRADIENTS([&] { return Tensor(plain({u, u})); }, {u});
  CHECK(dot->compute_output_shape({{unknown_dim, 3, 4}, {unknown_dim, unknown_dim, 3}}).at(0) ==
        PartialShape{unknown_dim, 4, unknown_dim});
  CHECK_THROWS_WITH_AS(dot({x, x}), doctest::Contains("Dot 'cosine': cannot take the dot product of (2, 3, 4) and (2, 3, 4) over axes 1 and 2"), ShapeError);
  CHECK_THROWS_WITH_AS(Dot({.axes = 0, .name = "d"})({x, x}), doctest::Contains("over the batch axis 0"), ShapeError);
  CHECK_THROWS_WITH_AS(Dot({.axes = {1, 2, 3}}), doctest::Contains("axes must be one integer or a list of two"), Error);
  const auto masked = x.with_mask(std::make_shared<const Array>(Array{{1.0f, 0.0f, 1.0f}, {1.0f, 1.0f, 0.0f}}));
  CHECK_FALSE(Tensor(dot({masked, y})).mask());  // Keras' Dot outputs no mask
}

TEST_CASE("merge layers: configs and files round trip") {
  for (const std::shared_ptr<Layer>& layer :
       {std::shared_ptr<Layer>(Add()), std::shared_ptr<Layer>(Subtract()), std::shared_ptr<Layer>(Multiply()),
        std::shared_ptr<Layer>(Average()), std::shared_ptr<Layer>(Maximum()), std::shared_ptr<Layer>(Minimum()),
        std::shared_ptr<Layer>(Dot({.axes = {2, 2}, .normalize = true}))}) {
    CAPTURE(layer->class_name());
    kiln::testing::check_config_round_trip(*layer);
    const std::vector<Array> xs{random_array({3, 2, 4}, 61), random_array({3, 2, 4}, 62)};
    const auto model = kiln::testing::one_layer_model(layer, xs);
    kiln::testing::check_save_load(*model, xs);
  }
  CHECK(Dot({.axes = {1, 2}})->get_config().at("axes") == json{1, 2});
  CHECK(Dot({.axes = -1})->get_config().at("axes") == -1);
}
