// Sequential: add() layers, build from a declared input shape, use as a layer.

#include <sstream>

#include "layers/dense.hpp"
#include "models/functional.hpp"
#include "models/sequential.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;

TEST_CASE("a Sequential model chains its layers") {
  Sequential model;
  Dense a({.units = 4, .activation = "relu"});
  Dense b({.units = 2});
  model->add(a);
  model->add(b);
  Tensor x(random_array({3, 5}, 1));
  CHECK_ARRAY_NEAR(Tensor(model(x)).value(), Tensor(b(a(x))).value(), 0.0);
  CHECK(model->count_params() == 5 * 4 + 4 + 4 * 2 + 2);
}

TEST_CASE("with an input shape, a Sequential builds as layers are added") {
  Sequential model({.input_shape = {6}, .name = "stack"});
  model->add(Dense({.units = 3}));
  CHECK(model->count_params() == 6 * 3 + 3);
  model->add(Dense({.units = 1, .name = "out"}));
  std::ostringstream out;
  model->summary(out);
  INFO(out.str());
  CHECK(out.str().find("out (Dense)") != std::string::npos);
  CHECK(out.str().find("(None, 1)") != std::string::npos);
  CHECK(out.str().find("Total params: 25") != std::string::npos);
}

TEST_CASE("a Sequential is a layer: usable inside a functional model") {
  Sequential block({.layers = {Dense({.units = 3}), Dense({.units = 2})}, .input_shape = {4}});
  auto in = Input({4});
  Functional model({in}, {block(in)});
  Tensor x(random_array({2, 4}, 2));
  CHECK_ARRAY_NEAR(Tensor(model(x)).value(), Tensor(block(x)).value(), 0.0);
}

TEST_CASE("Sequential gradients reach every layer's weights") {
  Sequential model({.layers = {Dense({.units = 3, .activation = "tanh"}), Dense({.units = 2})}, .input_shape = {4}});
  Tensor x = Tensor::parameter(random_array({2, 4}, 3), "x");
  auto wrt = model->weights();
  wrt.push_back(x);
  CHECK_GRADIENTS([&] { return Tensor(model(x)); }, wrt);
}

TEST_CASE("Sequential rejects an input that does not fit its declared shape") {
  Sequential model({.layers = {Dense({.units = 3})}, .input_shape = {4}, .name = "stack"});
  CHECK_THROWS_WITH_AS(model(Tensor(Array::from_shape({2, 5}))),
                       doctest::Contains("Sequential 'stack'"), ShapeError);
  Sequential empty;
  CHECK_THROWS_AS(empty(Tensor(Array::from_shape({2, 5}))), ShapeError);
}

TEST_CASE("a Sequential called on a symbolic tensor builds its layers at once, before any data") {
  Sequential head({.layers = {Dense({.units = 3}), Dense({.units = 2})}});
  auto in = Input({4});
  Functional model({in}, {head(in)});
  CHECK(head->count_params() == 4 * 3 + 3 + 3 * 2 + 2);
  CHECK(model->get_weights().size() == 4);  // so set_weights works before the first call
}

TEST_CASE("a Sequential built from its first call accepts another sequence length later, as Keras does") {
  Sequential model({.layers = {Dense({.units = 2})}});
  CHECK(Tensor(model(Tensor(random_array({2, 5, 3}, 4)))).shape() == Shape{2, 5, 2});
  CHECK(Tensor(model(Tensor(random_array({1, 7, 3}, 5)))).shape() == Shape{1, 7, 2});
  // The feature size its weights were made for still has to match.
  CHECK_THROWS_AS(model(Tensor(random_array({1, 7, 4}, 6))), ShapeError);
}
