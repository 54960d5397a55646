// The Concatenate layer: values along the feature and time axes, gradients
// to every input, symbolic shapes with None dims, shape errors, masks, config.

#include <nlohmann/json.hpp>
#include <xtensor/xmanipulation.hpp>

#include "layers/concatenate.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;
using kiln::testing::random_param;

TEST_CASE("Concatenate joins the features of its inputs on the last axis by default") {
  Concatenate cat;
  Tensor a(Array{{1.0f, 2.0f}, {3.0f, 4.0f}});
  Tensor b(Array(xt::reshape_view(Array{5.0f, 6.0f}, {2, 1})));  // (2, 1)
  Tensor c(Array{{7.0f, 8.0f, 9.0f}, {10.0f, 11.0f, 12.0f}});
  const Array expected = {{1.0f, 2.0f, 5.0f, 7.0f, 8.0f, 9.0f}, {3.0f, 4.0f, 6.0f, 10.0f, 11.0f, 12.0f}};
  CHECK(Tensor(cat({a, b, c})).value() == expected);
}

TEST_CASE("Concatenate on axis 1 of (batch, time, features) joins the sequences") {
  Concatenate cat({.axis = 1});
  Tensor a(Array{{{1.0f, 2.0f}}, {{3.0f, 4.0f}}});                            // (2, 1, 2)
  Tensor b(Array{{{5.0f, 6.0f}, {7.0f, 8.0f}}, {{9.0f, 10.0f}, {11.0f, 12.0f}}});  // (2, 2, 2)
  const Array expected = {{{1.0f, 2.0f}, {5.0f, 6.0f}, {7.0f, 8.0f}}, {{3.0f, 4.0f}, {9.0f, 10.0f}, {11.0f, 12.0f}}};
  CHECK(Tensor(cat({a, b})).value() == expected);
}

TEST_CASE("Concatenate gradients match finite differences for every input, on axes 1 and -1") {
  Tensor a = random_param({2, 3, 4}, 1, "a");
  Tensor b = random_param({2, 3, 2}, 2, "b");
  Tensor c = random_param({2, 5, 4}, 3, "c");
  Concatenate features;
  Concatenate time({.axis = 1});
  CHECK_GRADIENTS([&] { return Tensor(features({a, b})); }, {a, b});
  CHECK_GRADIENTS([&] { return Tensor(time({a, c})); }, {a, c});
}

TEST_CASE("a symbolic Concatenate sums the axis, None when any part is None, and fills known dims") {
  Concatenate features;
  CHECK(SymbolicTensor(features({Input({unknown_dim, 4}), Input({unknown_dim, 6})})).shape() ==
        PartialShape{unknown_dim, unknown_dim, 10});
  Concatenate features_known_time;
  CHECK(SymbolicTensor(features_known_time({Input({unknown_dim, 4}), Input({7, 6})})).shape() ==
        PartialShape{unknown_dim, 7, 10});
  Concatenate time({.axis = 1});
  CHECK(SymbolicTensor(time({Input({5, 4}), Input({3, 4})})).shape() == PartialShape{unknown_dim, 8, 4});
  Concatenate open_time({.axis = 1});
  CHECK(to_string(SymbolicTensor(open_time({Input({5, 4}), Input({unknown_dim, 4})})).shape()) ==
        "(None, None, 4)");
}

TEST_CASE("Concatenate names the layer and all input shapes when they do not fit") {
  Concatenate cat({.name = "merge"});
  Tensor a(Array::from_shape({2, 3}));
  CHECK_THROWS_WITH_AS(cat({a}), "Concatenate 'merge': expected at least 2 inputs to concatenate, got 1: [(2, 3)]",
                       ShapeError);
  CHECK_THROWS_WITH_AS(cat({a, Tensor(Array::from_shape({4, 5}))}),
                       "Concatenate 'merge': along axis -1 all other dimensions must match, got [(2, 3), (4, 5)]",
                       ShapeError);
  CHECK_THROWS_WITH_AS(cat({a, Tensor(Array::from_shape({2, 3, 1}))}),
                       "Concatenate 'merge': along axis -1 all other dimensions must match, got [(2, 3), (2, 3, 1)]",
                       ShapeError);
  Concatenate far({.axis = 2, .name = "far"});
  CHECK_THROWS_WITH_AS(far({a, a}), "Concatenate 'far': axis 2 is out of range for inputs [(2, 3), (2, 3)]",
                       ShapeError);
  CHECK_THROWS_WITH_AS(cat({Input({4}), Input({5, 4})}), doctest::Contains("got [(None, 4), (None, 5, 4)]"),
                       ShapeError);
}

TEST_CASE("Concatenate has no weights, so later calls may change every size") {
  Concatenate cat;
  cat({Tensor(Array::from_shape({2, 3})), Tensor(Array::from_shape({2, 1}))});
  CHECK(cat->weights().empty());
  Tensor y = cat({Tensor(Array::from_shape({1, 5})), Tensor(Array::from_shape({1, 2})),
                  Tensor(Array::from_shape({1, 1}))});
  CHECK(y.shape() == Shape{1, 8});
}

TEST_CASE("Concatenate combines its inputs' masks as Keras does") {
  Concatenate features({.axis = -1});
  Tensor a(random_array({2, 3, 4}, 4));
  Tensor b(random_array({2, 3, 1}, 5));
  const Array mask_a = {{1.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 0.0f}};
  const Array mask_b = {{0.0f, 1.0f, 1.0f}, {1.0f, 0.0f, 0.0f}};
  // Along the feature axis a step is kept when any input keeps it...
  const Tensor both = features({a, b}, {.masks = {&mask_a, &mask_b}});
  REQUIRE(both.mask());
  CHECK(*both.mask() == Array{{1.0f, 1.0f, 1.0f}, {1.0f, 0.0f, 0.0f}});
  // ...so an input without a mask keeps every step (Keras' ones_like).
  const Tensor one = features({a, b}, {.masks = {&mask_a}});
  REQUIRE(one.mask());
  CHECK(*one.mask() == Array(xt::ones<float>({2, 3})));
  CHECK_FALSE(Tensor(features({a, b})).mask());  // no masks in, none out
  // Along the time axis the masks are joined in order.
  Concatenate steps({.axis = 1});
  Tensor c(random_array({2, 2, 4}, 6));
  const Tensor joined = steps({a, c}, {.masks = {&mask_a}});
  REQUIRE(joined.mask());
  CHECK(*joined.mask() == Array{{1.0f, 1.0f, 0.0f, 1.0f, 1.0f}, {1.0f, 0.0f, 0.0f, 1.0f, 1.0f}});
}

TEST_CASE("Concatenate reports its axis in its config") {
  Concatenate cat({.axis = 1, .name = "join"});
  const auto config = cat->get_config();
  CHECK(config["name"] == "join");
  CHECK(config["axis"] == 1);
}
