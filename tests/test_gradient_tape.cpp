// GradientTape and apply_gradients(grads, weights): Keras' custom training
// loop contract.

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "graph/gradient_tape.hpp"
#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "optimizers/sgd.hpp"
#include "support.hpp"

using namespace kiln;

TEST_CASE("tape.gradient returns one gradient per source, in order, and None where there is no path") {
  Tensor a(Array{1.0f, 2.0f}, true, "a");
  Tensor b(Array{3.0f}, true, "b");
  Tensor unused(Array{5.0f}, true, "unused");
  GradientTape tape;
  Tensor loss = sum(a * a) + sum(b * 4.0f);  // d/da = 2a, d/db = 4
  const auto grads = tape.gradient(loss, {b, unused, a});
  REQUIRE(grads.size() == 3);
  CHECK(grads[0].value() == Array{4.0f});
  CHECK_FALSE(grads[1].defined());
  CHECK(grads[2].value() == Array{2.0f, 4.0f});
}

TEST_CASE("tape.gradient changes no stored gradient") {
  Tensor w(Array{2.0f}, true, "w");
  backward(w * 3.0f);  // w.grad = 3, say from an earlier step
  GradientTape tape;
  const auto grads = tape.gradient(w * w, {w});
  CHECK(grads[0].value()(0) == doctest::Approx(4.0));
  CHECK(w.grad()(0) == doctest::Approx(3.0));
}

TEST_CASE("a non-persistent tape answers once; a persistent one again") {
  Tensor w(Array{2.0f}, true, "w");
  {
    GradientTape tape;
    Tensor y = w * w;
    tape.gradient(y, {w});
    CHECK_THROWS_WITH_AS(tape.gradient(y, {w}), doctest::Contains("persistent"), Error);
  }
  GradientTape tape({.persistent = true});
  Tensor y = w * w * w;  // dy/dw = 3 w^2 = 12
  CHECK(tape.gradient(y, {w})[0].value()(0) == doctest::Approx(12.0));
  CHECK(tape.gradient(y, {w})[0].value()(0) == doctest::Approx(12.0));
}

TEST_CASE("a tape records inside a NoGradGuard, and watch() makes a constant a source") {
  NoGradGuard no_grad;
  Tensor x(Array{3.0f});
  GradientTape tape;
  tape.watch(x);
  Tensor y = kiln::exp(x * 0.5f);
  const auto grads = tape.gradient(y, {x});
  REQUIRE(grads[0].defined());
  CHECK(grads[0].value()(0) == doctest::Approx(0.5 * std::exp(1.5)).epsilon(1e-5));
}

TEST_CASE("the gradient with respect to an intermediate result") {
  Tensor w(Array{0.5f}, true, "w");
  GradientTape tape;
  Tensor h = w * 4.0f;
  Tensor y = h * h;  // dy/dh = 2h = 4
  const auto grads = tape.gradient(y, {h, w});
  CHECK(grads[0].value()(0) == doctest::Approx(4.0));
  CHECK(grads[1].value()(0) == doctest::Approx(16.0));
}

TEST_CASE("apply_gradients(grads, weights) applies each gradient to its weight and skips None") {
  SGD sgd({.learning_rate = 0.5f});
  Tensor a(Array{1.0f}, true, "a"), b(Array{1.0f}, true, "b");
  sgd.apply_gradients({Tensor(Array{2.0f}), Tensor()}, {a, b});
  CHECK(a.value()(0) == doctest::Approx(0.0));
  CHECK(b.value()(0) == doctest::Approx(1.0));
  CHECK_THROWS_WITH_AS(sgd.apply_gradients({Tensor(Array{1.0f})}, {a, b}), doctest::Contains("1 gradients for 2"),
                       Error);
  CHECK_THROWS_WITH_AS(sgd.apply_gradients({Tensor(Array{1.0f, 2.0f})}, {a}), doctest::Contains("differ in shape"),
                       ShapeError);
}
