// Activations: values and gradients against TF.js for every Keras name
// (tests/golden/tfjs/activations.safetensors), options against the
// formulas, gradients against finite differences.

#include <cmath>
#include <string>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "layers/activation.hpp"
#include "layers/activation_layer.hpp"
#include "layers/dense.hpp"
#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "support.hpp"
#include "tfjs_reference.hpp"

using namespace kiln;
using kiln::testing::random_param;

TEST_CASE("activations match their formulas at chosen points") {
  Tensor x(Array{-2.0f, 0.0f, 1.5f});
  const Array t = kiln::tanh(x).value();
  const Array s = sigmoid(x).value();
  for (int i = 0; i < 3; ++i) {
    const double v = x.value()(i);
    CHECK(t(i) == doctest::Approx(std::tanh(v)));
    CHECK(s(i) == doctest::Approx(1.0 / (1.0 + std::exp(-v))));
    CHECK(kiln::exp(x).value()(i) == doctest::Approx(std::exp(v)));
  }
  CHECK(relu(x).value() == Array{0.0f, 0.0f, 1.5f});
  CHECK(kiln::log(Tensor(Array{1.0f, std::exp(2.0f)})).value()(1) == doctest::Approx(2.0));
}

TEST_CASE("activation gradients match finite differences") {
  Tensor x = random_param({2, 3, 4}, 7, "x", -2.0f, 2.0f);
  Tensor pos = random_param({2, 3, 4}, 8, "pos", 0.5f, 3.0f);
  CHECK_GRADIENTS([&] { return kiln::tanh(x); }, {x});
  CHECK_GRADIENTS([&] { return sigmoid(x); }, {x});
  CHECK_GRADIENTS([&] { return kiln::exp(x); }, {x});
  CHECK_GRADIENTS([&] { return kiln::log(pos); }, {pos});
  // relu's kink at 0 is avoided: |x| >= 0.5 there.
  CHECK_GRADIENTS([&] { return relu(pos - 1.75f); }, {pos});
}

namespace {

// Inputs over [-7, 8) kept 0.05 away from every kink (0, +-3, 6), where
// finite differences would straddle two slopes.
Tensor kink_free_input(std::uint64_t seed) {
  Array x = kiln::testing::random_array({3, 5}, seed, -7.0f, 8.0f);
  for (float& v : x) {
    for (float kink : {-3.0f, 0.0f, 3.0f, 6.0f}) {
      if (std::abs(v - kink) < 0.05f) v = kink + (v < kink ? -0.05f : 0.05f);
    }
  }
  return Tensor::parameter(std::move(x), "x");
}

}  // namespace

TEST_CASE("every Keras activation by name matches TF.js, values and gradients") {
  for (const std::string& name : activation_names()) {
    if (name == "swish" || name == "hard_swish") continue;  // aliases, checked below
    kiln::testing::check_against_tfjs({"tfjs/activations.safetensors", name, 1, {0}},
                                      [&](auto& x) { return activate(name, x[0]); });
  }
  kiln::testing::check_against_tfjs({"tfjs/activations.safetensors", "gelu_approximate", 1, {0}},
                                    [](auto& x) { return gelu(x[0], true); });
}

TEST_CASE("aliases and options: swish is silu, hard_swish is hard_silu, defaults are Keras 3's") {
  Tensor x = kink_free_input(3);
  CHECK(activate("swish", x).value() == silu(x).value());
  CHECK(activate("hard_swish", x).value() == hard_silu(x).value());
  CHECK(activate("leaky_relu", x).value() == leaky_relu(x, 0.2f).value());
  CHECK(activate("gelu", x).value() == gelu(x, false).value());
  CHECK(activate("exponential", x).value() == kiln::exp(x).value());
  const Array e = elu(x, 0.5f).value();
  const Array l = leaky_relu(x, 0.1f).value();
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = x.value().data()[i];
    CHECK(e.data()[i] == doctest::Approx(v > 0 ? v : 0.5 * std::expm1(v)));
    CHECK(l.data()[i] == doctest::Approx(v > 0 ? v : 0.1 * v));
  }
  CHECK(hard_sigmoid(Tensor(Array{-3.0f, 0.0f, 1.5f, 3.0f})).value() == Array{0.0f, 0.5f, 0.75f, 1.0f});
}

TEST_CASE("Keras activation gradients match finite differences away from kinks") {
  Tensor x = kink_free_input(4);
  Tensor small = kiln::testing::random_param({3, 5}, 5, "small", -3.0f, 3.0f);
  CHECK_GRADIENTS([&] { return elu(x, 0.7f); }, {x});
  CHECK_GRADIENTS([&] { return selu(x); }, {x});
  CHECK_GRADIENTS([&] { return softplus(x); }, {x});
  CHECK_GRADIENTS([&] { return softsign(x); }, {x});
  CHECK_GRADIENTS([&] { return silu(x); }, {x});
  CHECK_GRADIENTS([&] { return gelu(small); }, {small});
  CHECK_GRADIENTS([&] { return gelu(small, true); }, {small});
  CHECK_GRADIENTS([&] { return relu6(x); }, {x});
  CHECK_GRADIENTS([&] { return hard_sigmoid(x); }, {x});
  CHECK_GRADIENTS([&] { return hard_silu(x); }, {x});
  CHECK_GRADIENTS([&] { return leaky_relu(x, 0.3f); }, {x});
  CHECK_GRADIENTS([&] { return mish(small); }, {small});
}

TEST_CASE("activations stay finite at extreme inputs") {
  Tensor x = Tensor::parameter(Array{-100.0f, -30.0f, 30.0f, 100.0f});
  for (const std::string& name : activation_names()) {
    if (name == "exponential") continue;  // exp(100) is inf in float32, as in Keras
    CAPTURE(name);
    x.zero_grad();
    const Tensor y = activate(name, x);
    backward(sum(y));
    bool finite = true;
    for (std::size_t i = 0; i < 4; ++i) finite = finite && std::isfinite(y.value()(i)) && std::isfinite(x.grad()(i));
    CHECK(finite);
  }
  CHECK(softplus(x).value()(3) == 100.0f);
  CHECK(softplus(x).value()(0) == doctest::Approx(0.0).epsilon(1e-30));
}

TEST_CASE("the activation name error lists every known name") {
  try {
    check_activation_name("swishy");
    FAIL("no error");
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const std::string& name : activation_names()) CHECK(message.find(name) != std::string::npos);
  }
}

TEST_CASE("layers take every Keras activation name: Activation and Dense") {
  Tensor x = kink_free_input(6);
  for (const std::string& name : activation_names()) {
    CAPTURE(name);
    CHECK(Tensor(Activation({.activation = name})(x)).value() == activate(name, x).value());
  }
  Dense gelu_dense({.units = 2, .activation = "gelu", .name = "gelu_dense"});
  Dense linear_dense({.units = 2, .name = "linear_twin"});
  const Tensor y = gelu_dense(x);
  linear_dense(x);  // builds it
  linear_dense->set_weights({gelu_dense->weights()[0].value(), gelu_dense->weights()[1].value()});
  CHECK(y.value() == gelu(Tensor(linear_dense(x))).value());
  CHECK_THROWS_WITH_AS(Dense({.units = 1, .activation = "hard_swishy"}), doctest::Contains("unknown activation"), Error);
}

TEST_CASE("erf gives the tabulated values and its gradient matches finite differences") {
  // Abramowitz and Stegun, table 7.1.
  const Array y = kiln::erf(Tensor(Array{-2.0f, 0.0f, 0.5f, 1.0f})).value();
  CHECK(y(0) == doctest::Approx(-0.9953222650).epsilon(1e-6));
  CHECK(y(1) == 0.0f);
  CHECK(y(2) == doctest::Approx(0.5204998778).epsilon(1e-6));
  CHECK(y(3) == doctest::Approx(0.8427007929).epsilon(1e-6));
  Tensor x = kiln::testing::random_param({3, 4}, 9, "x", -2.5f, 2.5f);
  CHECK_GRADIENTS([&] { return kiln::erf(x); }, {x});
}
