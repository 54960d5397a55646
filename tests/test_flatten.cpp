// The Flatten layer: (batch, ...) -> (batch, product of the rest).

#include <nlohmann/json.hpp>
#include <xtensor/xmanipulation.hpp>

#include "layers/flatten.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;

TEST_CASE("Flatten keeps the batch axis and lays the rest out in row-major order") {
  Flatten flat;
  Tensor x(Array{{{1.0f, 2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}}, {{7.0f, 8.0f}, {9.0f, 10.0f}, {11.0f, 12.0f}}});
  CHECK(Tensor(flat(x)).value() ==
        Array{{1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {7.0f, 8.0f, 9.0f, 10.0f, 11.0f, 12.0f}});
  const Array column = xt::reshape_view(Array{1.0f, 2.0f}, {2, 1});
  CHECK(Tensor(flat(Tensor(Array{1.0f, 2.0f}))).value() == column);  // (batch,) -> (batch, 1)
}

TEST_CASE("Flatten gradients match finite differences") {
  Flatten flat;
  Tensor x = Tensor::parameter(random_array({2, 3, 2, 2}, 4), "x");
  CHECK_GRADIENTS([&] { return Tensor(flat(x)); }, {x});
}

TEST_CASE("a symbolic Flatten multiplies the known dims and gives None when one is unknown") {
  Flatten flat;
  CHECK(SymbolicTensor(flat(Input({3, 4}))).shape() == PartialShape{unknown_dim, 12});
  CHECK(to_string(SymbolicTensor(flat(Input({unknown_dim, 4}))).shape()) == "(None, None)");
}

TEST_CASE("Flatten drops the mask, as Keras does") {
  Flatten flat;
  Tensor x(random_array({2, 3, 4}, 1));
  const Array mask = {{1.0f, 0.0f, 0.0f}, {1.0f, 1.0f, 0.0f}};
  CHECK_FALSE(Tensor(flat(x, {.masks = {&mask}})).mask());
}

TEST_CASE("Flatten rejects a scalar and several inputs, naming the layer") {
  Flatten flat({.name = "flat"});
  CHECK_THROWS_WITH_AS(flat(Tensor(Array(3.0f))), "Flatten 'flat': expected input (batch, ...), got a scalar ()",
                       ShapeError);
  Tensor x(random_array({2, 2}, 1));
  CHECK_THROWS_WITH_AS(flat({x, x}), "Flatten 'flat': expected 1 input (batch, ...), got 2", ShapeError);
  CHECK(flat->get_config()["name"] == "flat");
}
