// The Activation layer: a named activation as a layer of its own.

#include <cmath>

#include <nlohmann/json.hpp>

#include "layers/activation_layer.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;

TEST_CASE("Activation applies its named function element by element, softmax over the last axis") {
  Tensor x(Array{{-2.0f, 0.0f, 1.5f}});
  CHECK(Tensor(Activation({.activation = "relu"})(x)).value() == Array{{0.0f, 0.0f, 1.5f}});
  CHECK(Tensor(Activation()(x)).value() == x.value());  // linear by default
  const Array t = Tensor(Activation({.activation = "tanh"})(x)).value();
  CHECK(t(0, 0) == doctest::Approx(std::tanh(-2.0)));
  // softmax(0, ln 3) = (1/4, 3/4) in each row.
  Tensor pairs(Array{{0.0f, std::log(3.0f)}, {std::log(3.0f), 0.0f}});
  CHECK_ARRAY_NEAR(Tensor(Activation({.activation = "softmax"})(pairs)).value(),
                   (Array{{0.25f, 0.75f}, {0.75f, 0.25f}}), 1e-6);
}

TEST_CASE("Activation gradients match finite differences") {
  Tensor x = Tensor::parameter(random_array({2, 3, 4}, 3, -2.0f, 2.0f), "x");
  for (const char* name : {"sigmoid", "tanh", "softmax"}) {
    INFO(name);
    Activation act({.activation = name});
    CHECK_GRADIENTS([&] { return Tensor(act(x)); }, {x});
  }
}

TEST_CASE("a symbolic Activation call keeps the shape, and the layer takes any shape later") {
  Activation act({.activation = "relu"});
  CHECK(SymbolicTensor(act(Input({unknown_dim, 8}))).shape() == PartialShape{unknown_dim, unknown_dim, 8});
  CHECK(Tensor(act(Tensor(random_array({3}, 1)))).shape() == Shape{3});
  CHECK(act->weights().empty());
}

TEST_CASE("Activation passes masks through") {
  Activation act({.activation = "tanh"});
  Tensor x(random_array({2, 3, 4}, 2));
  const Array mask = {{1.0f, 0.0f, 0.0f}, {1.0f, 1.0f, 0.0f}};
  const Tensor out = act(x, {.masks = {&mask}});
  REQUIRE(out.mask());
  CHECK(*out.mask() == mask);
  const Tensor carried = act(x.with_mask(std::make_shared<const Array>(mask)));  // the input's own mask
  REQUIRE(carried.mask());
  CHECK(*carried.mask() == mask);
}

TEST_CASE("Activation rejects an unknown name and several inputs, naming the layer") {
  CHECK_THROWS_WITH_AS(Activation({.activation = "swishy", .name = "act"}),
                       doctest::Contains("Activation 'act': unknown activation 'swishy'"), Error);
  Activation act({.name = "act"});
  Tensor x(random_array({2}, 1));
  CHECK_THROWS_WITH_AS(act({x, x}), "Activation 'act': expected 1 input (a tensor of any shape), got 2", ShapeError);
}

TEST_CASE("Activation reports its activation in its config") {
  const auto config = Activation({.activation = "sigmoid", .name = "gate"})->get_config();
  CHECK(config["name"] == "gate");
  CHECK(config["activation"] == "sigmoid");
}
