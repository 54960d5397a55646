// The Dropout layer: identity at inference, inverted dropout while training,
// reproducible masks from a seed, masks passed through, config.

#include <nlohmann/json.hpp>
#include <xtensor/xmath.hpp>

#include "layers/dropout.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;

namespace {

Array ones(const Shape& shape) { return Array(xt::ones<float>(shape)); }

}  // namespace

TEST_CASE("Dropout is the identity unless training") {
  Dropout drop({.rate = 0.5f, .seed = 3});
  Tensor x(random_array({4, 5}, 1));
  Tensor y = drop(x);
  CHECK(y.same_as(x));
  CHECK(Tensor(drop(x, {.training = false})).value() == x.value());
}

TEST_CASE("training Dropout zeroes about `rate` of the units and scales the rest by 1 / (1 - rate)") {
  Dropout drop({.rate = 0.25f, .seed = 11});
  Tensor x(random_array({100, 100}, 2, 1.0f, 2.0f));  // no zeros in x
  const Array y = Tensor(drop(x, {.training = true})).value();
  std::size_t dropped = 0;
  bool scaled = true;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y.data()[i] == 0.0f) {
      ++dropped;
    } else {
      scaled = scaled && std::abs(y.data()[i] - x.value().data()[i] / 0.75f) < 1e-5f;
    }
  }
  CHECK(scaled);
  // 10000 draws: the dropped fraction is within 5 standard deviations (0.0043 each) of 0.25.
  CHECK(double(dropped) / 1e4 == doctest::Approx(0.25).epsilon(0.09));
}

TEST_CASE("Dropout draws a new mask each call, and the same masks from the same seed") {
  Tensor x(ones({8, 32}));
  Dropout a({.rate = 0.5f, .seed = 42});
  Dropout b({.rate = 0.5f, .seed = 42});
  const Array a1 = Tensor(a(x, {.training = true})).value();
  const Array a2 = Tensor(a(x, {.training = true})).value();
  CHECK(a1 == Tensor(b(x, {.training = true})).value());
  CHECK(a2 == Tensor(b(x, {.training = true})).value());
  CHECK(a1 != a2);
}

TEST_CASE("an unseeded Dropout takes its seed from the global generator, so set_random_seed reproduces it") {
  Tensor x(ones({8, 32}));
  set_random_seed(7);
  Dropout a({.rate = 0.5f});
  set_random_seed(7);
  Dropout b({.rate = 0.5f});
  Dropout c({.rate = 0.5f});  // the generator has moved on
  const Array from_a = Tensor(a(x, {.training = true})).value();
  CHECK(from_a == Tensor(b(x, {.training = true})).value());
  CHECK(from_a != Tensor(c(x, {.training = true})).value());
}

// A fresh layer with a fixed seed per evaluation keeps the mask fixed, as the
// finite differences need.
TEST_CASE("Dropout gradients match finite differences, training and not") {
  Tensor x = Tensor::parameter(random_array({2, 3, 4}, 5), "x");
  CHECK_GRADIENTS(([&] { return Tensor(Dropout({.rate = 0.4f, .seed = 9})(x, {.training = true})); }), {x});
  CHECK_GRADIENTS(([&] { return Tensor(Dropout({.rate = 0.4f, .seed = 9})(x)); }), {x});
}

TEST_CASE("Dropout passes the mask through") {
  Dropout drop({.rate = 0.1f});
  Tensor x(random_array({2, 3, 4}, 6));
  const Array mask = {{1.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 0.0f}};
  const Tensor out = drop(x, {.masks = {&mask}});
  REQUIRE(out.mask());
  CHECK(*out.mask() == mask);
  CHECK_FALSE(Tensor(drop(x)).mask());
}

TEST_CASE("a symbolic Dropout call keeps the shape, and the layer takes any shape later") {
  Dropout drop({.rate = 0.2f});
  CHECK(SymbolicTensor(drop(Input({unknown_dim, 8}))).shape() == PartialShape{unknown_dim, unknown_dim, 8});
  CHECK(Tensor(drop(Tensor(ones({3, 5})))).shape() == Shape{3, 5});  // no weights tie it to 8 features
}

TEST_CASE("Dropout rejects a rate outside [0, 1) and more than one input, naming the layer") {
  CHECK_THROWS_WITH_AS(Dropout({.rate = 1.0f, .name = "drop"}), "Dropout 'drop': rate must be in [0, 1), got 1",
                       Error);
  CHECK_THROWS_WITH_AS(Dropout({.rate = -0.5f, .name = "drop"}), "Dropout 'drop': rate must be in [0, 1), got -0.5",
                       Error);
  Dropout drop({.rate = 0.5f, .name = "drop"});
  CHECK_THROWS_WITH_AS(drop({Tensor(ones({2})), Tensor(ones({2}))}),
                       "Dropout 'drop': expected 1 input (a tensor of any shape), got 2", ShapeError);
}

TEST_CASE("Dropout reports rate and seed in its config") {
  Dropout drop({.rate = 0.25f, .seed = 123, .name = "drop"});
  const auto config = drop->get_config();
  CHECK(config["name"] == "drop");
  CHECK(config["rate"].get<float>() == 0.25f);
  CHECK(config["seed"] == 123);
}
