// TimeDistributed: an inner layer applied to every time step, its weights as
// a sublayer, equality with Dense's own 3-D path, shapes, errors, config.

#include <nlohmann/json.hpp>
#include <xtensor/xoperation.hpp>

#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/flatten.hpp"
#include "layers/registry.hpp"
#include "layers/time_distributed.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;

TEST_CASE("TimeDistributed(Dense) applies x W + b to each time step") {
  Dense proj({.units = 2, .name = "proj"});
  TimeDistributed td({.layer = proj});
  // (batch 2, time 2, features 3)
  Tensor x(Array{{{1.0f, 0.0f, 0.0f}, {0.0f, 1.0f, 0.0f}}, {{0.0f, 0.0f, 1.0f}, {1.0f, 2.0f, 3.0f}}});
  td(x);
  proj->set_weights({Array{{1.0f, 2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}}, Array{0.5f, -0.5f}});
  // Steps: row 0 of W, row 1, row 2, then 1*(1,2) + 2*(3,4) + 3*(5,6) = (22, 28); plus b.
  const Array expected = {{{1.5f, 1.5f}, {3.5f, 3.5f}}, {{5.5f, 5.5f}, {22.5f, 27.5f}}};
  CHECK(Tensor(td(x)).value() == expected);
}

TEST_CASE("TimeDistributed(Dense) gives exactly what Dense gives on the 3-D input") {
  Dense inner({.units = 5, .activation = "tanh"});
  Dense direct({.units = 5, .activation = "tanh"});
  TimeDistributed td({.layer = inner});
  Tensor x(random_array({3, 7, 4}, 21));
  td(x);
  direct(x);
  direct->set_weights(inner->get_weights());
  CHECK_ARRAY_NEAR(Tensor(td(x)).value(), Tensor(direct(x)).value(), 1e-6);
}

TEST_CASE("TimeDistributed tracks its inner layer, built for (None, features), as a sublayer") {
  TimeDistributed td({.layer = Dense({.units = 4, .name = "proj"}), .name = "td"});
  td(Tensor(random_array({2, 5, 3}, 1)));
  const auto& inner = *td->layer();
  CHECK(inner.built_input_shapes() == std::vector<PartialShape>{{unknown_dim, 3}});
  const auto named = td->named_weights();
  REQUIRE(named.size() == 2);
  CHECK(named[0].first == "td/proj/kernel");
  CHECK(named[1].first == "td/proj/bias");
  CHECK(td->count_params() == 3 * 4 + 4);
  REQUIRE(td->sublayers().size() == 1);
  CHECK(td->sublayers()[0].get() == td->layer().get());
}

TEST_CASE("TimeDistributed gradients match finite differences over input, kernel and bias") {
  Dense proj({.units = 3, .activation = "tanh"});
  TimeDistributed td({.layer = proj});
  Tensor x = Tensor::parameter(random_array({2, 4, 5}, 11), "x");
  td(x);
  CHECK_GRADIENTS([&] { return Tensor(td(x)); }, {x, proj->kernel(), proj->bias()});
}

TEST_CASE("TimeDistributed folds every axis after time into the inner layer's input") {
  // (batch 2, time 3, 2, 2) -> Flatten per step -> (2, 3, 4).
  TimeDistributed td({.layer = Flatten()});
  Array x = random_array({2, 3, 2, 2}, 8);
  const Array y = Tensor(td(Tensor(x))).value();
  REQUIRE(y.shape() == Shape{2, 3, 4});
  CHECK(y(1, 2, 3) == x(1, 2, 1, 1));
  CHECK(y(0, 1, 2) == x(0, 1, 1, 0));
}

TEST_CASE("a symbolic TimeDistributed call keeps batch and time, known or not") {
  TimeDistributed td({.layer = Dense({.units = 7})});
  CHECK(to_string(SymbolicTensor(td(Input({unknown_dim, 5}))).shape()) == "(None, None, 7)");
  CHECK(SymbolicTensor(td(Input({4, 5}))).shape() == PartialShape{unknown_dim, 4, 7});
}

TEST_CASE("TimeDistributed passes the training flag to the inner layer and the mask through") {
  TimeDistributed td({.layer = Dropout({.rate = 0.5f, .seed = 1})});
  Tensor x(Array(xt::ones<float>({2, 3, 50})));
  CHECK(Tensor(td(x)).value() == x.value());
  const Array dropped = Tensor(td(x, {.training = true})).value();
  CHECK(xt::any(xt::equal(dropped, 0.0f)));
  const Array mask = {{1.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 0.0f}};
  const Tensor out = td(x, {.masks = {&mask}});
  REQUIRE(out.mask());
  CHECK(*out.mask() == mask);
}

TEST_CASE("TimeDistributed rejects inputs below rank 3, a missing layer, and new feature sizes") {
  TimeDistributed td({.layer = Dense({.units = 2}), .name = "td"});
  CHECK_THROWS_WITH_AS(td(Tensor(Array::from_shape({4, 5}))),
                       "TimeDistributed 'td': expected input (batch, time, ...) of rank 3 or more, got (4, 5)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(td({Tensor(Array::from_shape({1, 2, 3})), Tensor(Array::from_shape({1, 2, 3}))}),
                       "TimeDistributed 'td': expected 1 input (batch, time, ...), got 2", ShapeError);
  td(Tensor(random_array({1, 2, 3}, 2)));
  CHECK(Tensor(td(Tensor(random_array({5, 9, 3}, 3)))).shape() == Shape{5, 9, 2});  // any batch and time
  CHECK_THROWS_WITH_AS(td(Tensor(Array::from_shape({1, 2, 4}))),
                       "TimeDistributed 'td': was built for inputs [(1, 2, 3)] and cannot be called on [(1, 2, 4)]",
                       ShapeError);
  CHECK_THROWS_WITH_AS(TimeDistributed({.name = "empty"}),
                       "TimeDistributed 'empty': needs a layer to apply to each time step", Error);
}

TEST_CASE("TimeDistributed's config holds the inner layer's class_name and config, and rebuilds it") {
  TimeDistributed td({.layer = Dense({.units = 6, .activation = "relu", .name = "proj"}), .name = "td"});
  const auto config = td->get_config();
  CHECK(config["name"] == "td");
  CHECK(config["layer"]["class_name"] == "Dense");
  CHECK(config["layer"]["config"]["units"] == 6);
  CHECK(config["layer"]["config"]["name"] == "proj");

  auto rebuilt = std::dynamic_pointer_cast<TimeDistributedLayer>(layer_from_config("TimeDistributed", config));
  REQUIRE(rebuilt);
  auto inner = std::dynamic_pointer_cast<DenseLayer>(rebuilt->layer());
  REQUIRE(inner);
  CHECK(inner->options().units == 6);
  CHECK(inner->options().activation == "relu");
  CHECK(rebuilt->get_config() == config);
}
