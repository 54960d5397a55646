// The functional API: Input(), layer calls on symbolic tensors, Model(inputs,
// outputs), shared layers, nested models, and summary().

#include <sstream>

#include "layers/dense.hpp"
#include "layers/naming.hpp"
#include "models/functional.hpp"
#include "models/sequential.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;

TEST_CASE("a functional model replays its layer calls on real tensors") {
  auto input = Input({3}, "features");
  Dense hidden({.units = 4, .activation = "tanh"});
  Dense head({.units = 2});
  SymbolicTensor out = head(hidden(input));
  Functional model({input}, {out}, "mlp");

  Tensor x(random_array({5, 3}, 1));
  Tensor expected = head(hidden(x));
  Tensor got = model(x);
  CHECK(got.shape() == Shape{5, 2});
  CHECK_ARRAY_NEAR(got.value(), expected.value(), 0.0);
  CHECK(model->count_params() == 3 * 4 + 4 + 4 * 2 + 2);
  CHECK(model->sublayers().size() == 2);
}

TEST_CASE("output shapes are known before any data, with unknown time") {
  auto tokens = Input({unknown_dim, 8}, "tokens");
  Dense proj({.units = 5});
  SymbolicTensor out = proj(tokens);
  CHECK(out.shape() == PartialShape{unknown_dim, unknown_dim, 5});
  Functional model({tokens}, {out});
  // Any sequence length is accepted.
  CHECK(Tensor(model(Tensor(Array::from_shape({2, 7, 8})))).shape() == Shape{2, 7, 5});
  CHECK(Tensor(model(Tensor(Array::from_shape({2, 3, 8})))).shape() == Shape{2, 3, 5});
}

TEST_CASE("a layer shared between two models shares its weights") {
  auto a = Input({3}, "a");
  Dense shared({.units = 2});
  Functional first({a}, {shared(a)});
  auto b = Input({3}, "b");
  Dense extra({.units = 1});
  Functional second({b}, {extra(shared(b))});

  CHECK(first->weights()[0].same_as(second->weights()[0]));
  // Changing the weights through one model changes what the other computes.
  Tensor x(random_array({1, 3}, 2));
  const Array before = Tensor(first(x)).value();
  shared->kernel().mutable_value() *= 2.0f;
  CHECK_ARRAY_NEAR(Tensor(first(x)).value(), Array(2.0f * before - shared->bias().value()), 1e-6);
}

TEST_CASE("a model with several inputs and outputs returns them in order") {
  auto left = Input({2}, "left");
  auto right = Input({3}, "right");
  Dense l({.units = 1, .use_bias = false});
  Dense r({.units = 1, .use_bias = false});
  Functional model({left, right}, {r(right), l(left)});
  l->set_weights({Array(xt::ones<float>({2, 1}))});
  r->set_weights({Array(xt::ones<float>({3, 1})) * 10.0f});
  auto outs = model({Tensor(Array{{1.0f, 2.0f}}), Tensor(Array{{1.0f, 1.0f, 1.0f}})});
  REQUIRE(outs.size() == 2);
  CHECK(outs[0].value()(0, 0) == doctest::Approx(30.0));
  CHECK(outs[1].value()(0, 0) == doctest::Approx(3.0));
}

TEST_CASE("a functional model is itself a layer: it can be called inside another model") {
  auto inner_in = Input({3});
  Dense d({.units = 2});
  Functional inner({inner_in}, {d(inner_in)}, "inner");
  auto outer_in = Input({3});
  Dense head({.units = 1});
  SymbolicTensor y = head(inner(outer_in));
  CHECK(y.shape() == PartialShape{unknown_dim, 1});
  Functional outer({outer_in}, {y}, "outer");
  Tensor x(random_array({4, 3}, 3));
  CHECK_ARRAY_NEAR(Tensor(outer(x)).value(), Tensor(head(d(x))).value(), 1e-6);
}

TEST_CASE("gradients flow through a functional model to every weight") {
  auto input = Input({3});
  Dense hidden({.units = 4, .activation = "sigmoid"});
  Dense head({.units = 2});
  Functional model({input}, {head(hidden(input))});
  Tensor x = Tensor::parameter(random_array({2, 3}, 4), "x");
  std::vector<Tensor> wrt = model->weights();
  wrt.push_back(x);
  CHECK_GRADIENTS([&] { return Tensor(model(x)); }, wrt);
}

TEST_CASE("functional models reject wrong inputs with the model and input names") {
  auto input = Input({3}, "features");
  Dense d({.units = 2});
  Functional model({input}, {d(input)}, "net");
  CHECK_THROWS_WITH_AS(model(Tensor(Array::from_shape({2, 4}))),
                       doctest::Contains("input 'features' expects (None, 3), got (2, 4)"), ShapeError);
  CHECK_THROWS_WITH_AS(model({Tensor(Array::from_shape({2, 3})), Tensor(Array::from_shape({2, 3}))}),
                       doctest::Contains("expected 1 inputs, got 2"), ShapeError);
  auto stray = Input({3}, "stray");
  CHECK_THROWS_WITH_AS(Functional({input}, {d(stray)}), doctest::Contains("'stray'"), Error);
}

TEST_CASE("summary prints the Keras table with shapes, counts and connections") {
  reset_layer_names();
  auto input = Input({unknown_dim, 8}, "tokens");
  Dense proj({.units = 5, .name = "proj"});
  Functional model({input}, {proj(input)}, "tagger");
  std::ostringstream out;
  model->summary(out);
  const std::string text = out.str();
  INFO(text);
  CHECK(text.find("Model: \"tagger\"") == 0);
  CHECK(text.find("tokens (InputLayer)") != std::string::npos);
  CHECK(text.find("[(None, None, 8)]") != std::string::npos);
  CHECK(text.find("proj (Dense)") != std::string::npos);
  CHECK(text.find("[(None, None, 5)]") != std::string::npos);
  CHECK(text.find("45") != std::string::npos);
  CHECK(text.find("['tokens[0][0]']") != std::string::npos);
  CHECK(text.find("Total params: 45") != std::string::npos);
  CHECK(text.find("Trainable params: 45") != std::string::npos);
  CHECK(text.find("Non-trainable params: 0") != std::string::npos);
}
