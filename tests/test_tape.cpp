// The tape's contract: recording, backward, accumulation, no-grad, clearing.

#include <xtensor/xbuilder.hpp>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "graph/tape.hpp"
#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "support.hpp"

using namespace kiln;

TEST_CASE("a tensor round-trips an xtensor array and its name") {
  Array a = {{1.0f, 2.0f}, {3.0f, 4.0f}};
  Tensor t(a, true, "w");
  CHECK(t.value() == a);
  CHECK(t.requires_grad());
  CHECK(t.name() == "w");
  CHECK(t.shape() == Shape{2, 2});
  CHECK_FALSE(t.has_grad());
  CHECK_THROWS_AS(t.grad(), Error);
}

TEST_CASE("backward seeded with ones gives d(sum(x*x))/dx = 2x") {
  Tape::current().clear();
  Tensor x(Array{1.0f, -2.0f, 3.0f}, true);
  Tensor y = x * x;
  Tensor loss = y * Tensor(Array{1.0f, 1.0f, 1.0f});
  backward(loss, Array{1.0f, 1.0f, 1.0f});
  CHECK(x.grad() == Array{2.0f, -4.0f, 6.0f});
}

TEST_CASE("a value used twice receives the sum of both gradients") {
  Tape::current().clear();
  Tensor x(Array{3.0f}, true);
  Tensor y = x * 2.0f + x * 5.0f;  // dy/dx = 7
  backward(y);
  CHECK(x.grad()(0) == doctest::Approx(7.0));
}

TEST_CASE("gradients accumulate across backward calls until zero_grad") {
  Tape::current().clear();
  Tensor x(Array{1.0f}, true);
  backward(x * 3.0f);
  backward(x * 3.0f);
  CHECK(x.grad()(0) == doctest::Approx(6.0));
  x.zero_grad();
  CHECK_FALSE(x.has_grad());
}

TEST_CASE("unbroadcast sums a gradient back to the shape it was broadcast from") {
  Array g = xt::arange<float>(24.0f);  // 0..23 as (2, 3, 4)
  g.reshape({2, 3, 4});
  SUBCASE("leading axes added (a bias over batch and time): rows summed") {
    // Column c collects g[b][t][c] = 12b + 4t + c over the six (b, t) rows: 36 + 24 + 6c.
    CHECK(unbroadcast(g, {4}) == Array{60.0f, 66.0f, 72.0f, 78.0f});
    Array per_time = unbroadcast(g, {3, 4});  // summed over the batch only: g[0] + g[1]
    CHECK(per_time == Array({{12.0f, 14.0f, 16.0f, 18.0f}, {20.0f, 22.0f, 24.0f, 26.0f}, {28.0f, 30.0f, 32.0f, 34.0f}}));
  }
  SUBCASE("a size-1 axis in the middle: summed keeping the axis") {
    Array per_batch = unbroadcast(g, {2, 1, 4});  // g[b][0] + g[b][1] + g[b][2]
    CHECK(per_batch.shape() == Shape{2, 1, 4});
    CHECK(per_batch(0, 0, 0) == 12.0f);  // 0 + 4 + 8
    CHECK(per_batch(1, 0, 3) == 57.0f);  // 15 + 19 + 23
  }
  SUBCASE("shapes that do not broadcast are an error naming both") {
    CHECK_THROWS_WITH_AS(unbroadcast(g, {5}), doctest::Contains("(2, 3, 4)"), ShapeError);
  }
}

TEST_CASE("backward clears the tape unless asked to retain it") {
  Tape::current().clear();
  Tensor x(Array{1.0f}, true);
  Tensor y = kiln::tanh(x * 2.0f);
  CHECK(Tape::current().size() == 2);
  backward(y, std::nullopt, {.retain_graph = true});
  CHECK(Tape::current().size() == 2);
  const float first = x.grad()(0);
  backward(y);
  CHECK(Tape::current().size() == 0);
  CHECK(x.grad()(0) == doctest::Approx(2 * first));
}

TEST_CASE("nothing is recorded inside a NoGradGuard") {
  Tape::current().clear();
  Tensor x(Array{1.0f}, true);
  {
    NoGradGuard guard;
    Tensor y = x * 2.0f;
    CHECK_FALSE(y.requires_grad());
    CHECK(Tape::current().size() == 0);
  }
  Tensor z = x * 2.0f;
  CHECK(z.requires_grad());
  CHECK(Tape::current().size() == 1);
  Tape::current().clear();
}

TEST_CASE("ops on tensors that need no gradient record nothing") {
  Tape::current().clear();
  Tensor a(Array{1.0f, 2.0f});
  Tensor b = kiln::exp(a) + a;
  CHECK_FALSE(b.requires_grad());
  CHECK(Tape::current().size() == 0);
}

TEST_CASE("detach cuts a tensor from the graph") {
  Tape::current().clear();
  Tensor x(Array{2.0f}, true);
  Tensor d = (x * 3.0f).detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.value()(0) == doctest::Approx(6.0));
  Tape::current().clear();
}

TEST_CASE("intermediate gradients are released; leaves keep theirs") {
  Tape::current().clear();
  Tensor x(Array{1.0f, 2.0f}, true);
  Tensor h = x * 2.0f;
  Tensor y = h * h;
  backward(y, Array{1.0f, 1.0f});
  CHECK(x.has_grad());
  CHECK_FALSE(h.has_grad());
}

TEST_CASE("backward rejects a non-scalar without a seed, and a wrong-shaped seed") {
  Tape::current().clear();
  Tensor x(Array{1.0f, 2.0f}, true);
  Tensor y = x * 2.0f;
  CHECK_THROWS_AS(backward(y), ShapeError);
  CHECK_THROWS_WITH_AS(backward(y, Array{1.0f}), doctest::Contains("(1) and (2)"), ShapeError);
  Tape::current().clear();
}

TEST_CASE("backward on a tensor that needs no gradient is an error") {
  Tensor c(Array{1.0f});
  CHECK_THROWS_AS(backward(c), Error);
}

TEST_CASE("the gradient checker reports a wrong gradient and where it is") {
  Tape::current().clear();
  Tensor x(Array{0.5f, -0.3f}, true, "x");
  // An op whose backward is deliberately wrong by a factor of two.
  auto broken = [&] {
    return record(Array(x.value() * x.value()), x.requires_grad(), [x](const Array& g, const Array&) {
      accumulate_grad(x, Array(4.0f * g * x.value()));
    });
  };
  const auto result = check_gradients(broken, {x});
  CHECK_FALSE(result.ok);
  CHECK(result.worst_where.find("'x'") != std::string::npos);
  CHECK(result.worst_error > 0.1);
}
