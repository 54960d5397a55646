// Dense and the Layer contract it exercises: lazy build, naming, weights,
// symbolic calls, input checks.

#include <nlohmann/json.hpp>
#include <xtensor/xmanipulation.hpp>

#include "layers/dense.hpp"
#include "layers/naming.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;

TEST_CASE("Dense computes x W + b on the last axis, for 2-D and 3-D inputs") {
  Dense dense({.units = 2});
  Tensor x(Array{{1.0f, 2.0f, 3.0f}});
  dense(x);  // builds a (3, 2) kernel and (2) bias
  dense->set_weights({Array{{1.0f, 0.0f}, {0.0f, 1.0f}, {1.0f, 1.0f}}, Array{0.5f, -0.5f}});
  // (1+3+0.5, 2+3-0.5)
  CHECK(Tensor(dense(x)).value() == Array{{4.5f, 4.5f}});

  Array seq = Array::from_shape({2, 2, 3});
  seq.fill(1.0f);
  Tensor y = dense(Tensor(seq));
  CHECK(y.shape() == Shape{2, 2, 2});
  CHECK(y.value()(1, 1, 0) == doctest::Approx(2.5));  // 1+0+1+0.5
}

TEST_CASE("Dense applies its activation") {
  Dense dense({.units = 1, .activation = "relu", .use_bias = false});
  Tensor x(xt::reshape_view(Array{-1.0f, 2.0f}, {2, 1}));
  dense(x);
  dense->set_weights({Array(xt::reshape_view(Array{3.0f}, {1, 1}))});
  CHECK(Tensor(dense(x)).value() == Array(xt::reshape_view(Array{0.0f, 6.0f}, {2, 1})));
}

TEST_CASE("Dense builds its weights from the first input and counts them") {
  Dense dense({.units = 4});
  CHECK_FALSE(dense->built());
  CHECK(dense->weights().empty());
  dense(Tensor(Array::from_shape({5, 3})));
  CHECK(dense->built());
  CHECK(dense->count_params() == 3 * 4 + 4);
  CHECK(dense->kernel().shape() == Shape{3, 4});
  const auto named = dense->named_weights();
  REQUIRE(named.size() == 2);
  CHECK(named[0].first == dense->name() + "/kernel");
  CHECK(named[1].first == dense->name() + "/bias");
}

TEST_CASE("layers get unique Keras-style names unless named") {
  reset_layer_names();
  Dense a({.units = 1});
  Dense b({.units = 1});
  Dense c({.units = 1, .name = "output"});
  CHECK(a->name() == "dense");
  CHECK(b->name() == "dense_1");
  CHECK(c->name() == "output");
  CHECK(to_snake_case("BahdanauAttention") == "bahdanau_attention");
  CHECK(to_snake_case("GRU") == "gru");
  CHECK(to_snake_case("TimeDistributed") == "time_distributed");
}

TEST_CASE("Dense gradients match finite differences over input, kernel and bias") {
  Dense dense({.units = 3, .activation = "tanh"});
  Tensor x = Tensor::parameter(random_array({2, 4, 5}, 11), "x");
  dense(x);
  CHECK_GRADIENTS([&] { return Tensor(dense(x)); }, {x, dense->kernel(), dense->bias()});
}

TEST_CASE("a symbolic call infers the output shape and builds the weights") {
  Dense dense({.units = 7});
  auto input = Input({unknown_dim, 5}, "tokens");
  SymbolicTensor out = dense(input);
  CHECK(out.shape() == PartialShape{unknown_dim, unknown_dim, 7});
  CHECK(to_string(out.shape()) == "(None, None, 7)");
  CHECK(dense->kernel().shape() == Shape{5, 7});
  CHECK(out.node()->layer.get() == dense.ptr().get());
}

TEST_CASE("Dense rejects bad inputs with the layer's name and the shapes") {
  Dense dense({.units = 2, .name = "proj"});
  CHECK_THROWS_WITH_AS(dense(Tensor(Array::from_shape({4}))),
                       "Dense 'proj': expected input (batch, ..., features) of rank 2 or more, got (4,)",
                       ShapeError);
  dense(Tensor(Array::from_shape({1, 3})));
  CHECK_THROWS_WITH_AS(dense(Tensor(Array::from_shape({1, 5}))), doctest::Contains("was built for inputs [(1, 3)]"),
                       ShapeError);
  CHECK_THROWS_AS(dense->set_weights({Array::from_shape({2, 2}), Array::from_shape({2})}), ShapeError);
  CHECK_THROWS_AS(Dense({.units = 0}), Error);
  CHECK_THROWS_WITH_AS(Dense({.units = 1, .activation = "swishy"}), doctest::Contains("unknown activation 'swishy'"),
                       Error);
}

TEST_CASE("Dense reports its config as Keras does") {
  Dense dense({.units = 3, .activation = "softmax", .name = "out"});
  const auto config = dense->get_config();
  CHECK(config["name"] == "out");
  CHECK(config["units"] == 3);
  CHECK(config["activation"] == "softmax");
}
