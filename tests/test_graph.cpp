// The graph's contract: results own the graph that produced them; backward
// runs and frees exactly the graph that reaches its output; accumulation,
// no-grad, retain_graph, release without recursion.

#include <thread>

#include <xtensor/xbuilder.hpp>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "graph/node.hpp"
#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "ops/matmul.hpp"
#include "ops/reductions.hpp"
#include "ops/reshape.hpp"
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
  Tensor x(Array{1.0f, -2.0f, 3.0f}, true);
  Tensor y = x * x;
  Tensor loss = y * Tensor(Array{1.0f, 1.0f, 1.0f});
  backward(loss, Array{1.0f, 1.0f, 1.0f});
  CHECK(x.grad() == Array{2.0f, -4.0f, 6.0f});
}

TEST_CASE("a value used twice receives the sum of both gradients") {
  Tensor x(Array{3.0f}, true);
  Tensor y = x * 2.0f + x * 5.0f;  // dy/dx = 7
  backward(y);
  CHECK(x.grad()(0) == doctest::Approx(7.0));
}

TEST_CASE("gradients accumulate across backward calls until zero_grad") {
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

TEST_CASE("backward frees the graph it ran over unless asked to retain it") {
  Tensor x(Array{1.0f}, true);
  Tensor y = kiln::tanh(x * 2.0f);
  backward(y, std::nullopt, {.retain_graph = true});
  const float first = x.grad()(0);
  backward(y);  // the retained graph runs again
  CHECK(x.grad()(0) == doctest::Approx(2 * first));
  CHECK_THROWS_WITH_AS(backward(y), doctest::Contains("already freed"), Error);
}

TEST_CASE("two losses built from the same weights: each backward adds its own gradient") {
  Tensor w(Array{2.0f}, true, "w");
  Tensor a = w * 3.0f;       // da/dw = 3
  Tensor b = w * w;          // db/dw = 2w = 4
  backward(a);
  CHECK(w.grad()(0) == doctest::Approx(3.0));
  backward(b);               // b's graph was not touched by a's backward
  CHECK(w.grad()(0) == doctest::Approx(7.0));
}

TEST_CASE("a second backward through a shared intermediate that was freed is an error, not a no-op") {
  Tensor w(Array{2.0f}, true, "w");
  Tensor h = kiln::tanh(w);
  h.set_name("h");
  Tensor a = h * 3.0f;
  Tensor b = h * h;
  backward(a);
  CHECK_THROWS_WITH_AS(backward(b), doctest::Contains("'h' was already freed"), Error);
}

TEST_CASE("a loss built on another thread gets its gradient") {
  Tensor w(Array{1.5f, -2.0f}, true, "w");
  Tensor loss;
  std::thread([&] { loss = sum(w * w); }).join();
  backward(loss);
  CHECK(w.grad() == Array{3.0f, -4.0f});
}

TEST_CASE("nothing is recorded inside a NoGradGuard") {
  Tensor x(Array{1.0f}, true);
  {
    NoGradGuard guard;
    Tensor y = x * 2.0f;
    CHECK_FALSE(y.requires_grad());
    CHECK(y.is_leaf());
  }
  Tensor z = x * 2.0f;
  CHECK(z.requires_grad());
  CHECK_FALSE(z.is_leaf());
}

TEST_CASE("ops on tensors that need no gradient record nothing") {
  Tensor a(Array{1.0f, 2.0f});
  Tensor b = kiln::exp(a) + a;
  CHECK_FALSE(b.requires_grad());
  CHECK(b.is_leaf());
}

TEST_CASE("detach cuts a tensor from the graph") {
  Tensor x(Array{2.0f}, true);
  Tensor d = (x * 3.0f).detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.value()(0) == doctest::Approx(6.0));
}

TEST_CASE("intermediate gradients are released; leaves keep theirs") {
  Tensor x(Array{1.0f, 2.0f}, true);
  Tensor h = x * 2.0f;
  Tensor y = h * h;
  backward(y, Array{1.0f, 1.0f});
  CHECK(x.has_grad());
  CHECK_FALSE(h.has_grad());
}

// add(x, s) and reshape hand their gradient on to their input instead of
// copying it (graph/tensor.hpp's BackwardFn): a source's own gradient, which
// gradients() keeps, must survive that.
TEST_CASE("a closure that moves its gradient on leaves the gradient of a kept source intact") {
  Tensor x(Array{1.0f, 2.0f, 3.0f}, true);
  Tensor t = x + 1.0f;
  Tensor r = reshape(t, Shape{3, 1});
  Tensor loss = sum(r * r);
  const std::vector<Tensor> g = gradients(loss, {x, t, r});
  const Array expected{4.0f, 6.0f, 8.0f};  // d sum(r^2) = 2 r, and r = t = x + 1
  CHECK_ARRAY_NEAR(g[0].value(), expected, 0.0f);
  CHECK_ARRAY_NEAR(g[1].value(), expected, 0.0f);
  Array expected_r = expected;
  expected_r.reshape({3, 1});
  CHECK_ARRAY_NEAR(g[2].value(), expected_r, 0.0f);
  // And in a plain backward, where each intermediate gradient is moved on.
  backward(sum(reshape(x + 1.0f, Shape{1, 3}) + x));
  CHECK_ARRAY_NEAR(x.grad(), (Array{2.0f, 2.0f, 2.0f}), 0.0f);
}

TEST_CASE("backward rejects a non-scalar without a seed, and a wrong-shaped seed") {
  Tensor x(Array{1.0f, 2.0f}, true);
  Tensor y = x * 2.0f;
  CHECK_THROWS_AS(backward(y), ShapeError);
  CHECK_THROWS_WITH_AS(backward(y, Array{1.0f}), doctest::Contains("(1) and (2)"), ShapeError);
}

TEST_CASE("backward on a tensor that needs no gradient is an error") {
  Tensor c(Array{1.0f});
  CHECK_THROWS_AS(backward(c), Error);
}

TEST_CASE("the gradient checker reports a wrong gradient and where it is") {
  Tensor x(Array{0.5f, -0.3f}, true, "x");
  // An op whose backward is deliberately wrong by a factor of two.
  auto broken = [&] {
    return record(Array(x.value() * x.value()), {x}, [x](const Array& g) {
      accumulate_grad(x, Array(4.0f * g * x.value()));
    });
  };
  const auto result = check_gradients(broken, {x});
  CHECK_FALSE(result.ok);
  CHECK(result.worst_where.find("'x'") != std::string::npos);
  CHECK(result.worst_error > 0.1);
}

namespace {

// A unary op whose backward closure holds `alive` while the node lives, to
// see when the graph is freed.
Tensor tracked_double(const Tensor& x, const std::shared_ptr<int>& alive) {
  return record(Array(2.0f * x.value()), {x}, [gx = x.grad_ref(), alive](const Array& g) {
    accumulate_grad(gx, Array(2.0f * g));
  });
}

}  // namespace

TEST_CASE("an eager result that is dropped frees its graph") {
  Tensor w(Array{1.0f}, true);
  auto alive = std::make_shared<int>(0);
  std::weak_ptr<int> watch = alive;
  {
    Tensor y = tracked_double(tracked_double(w, alive), alive);
    alive.reset();
    CHECK_FALSE(watch.expired());  // y holds both nodes
  }
  CHECK(watch.expired());
}

TEST_CASE("a closure keeps the output it needs, not the input it does not") {
  Tensor w(Array{0.5f, 1.0f}, true);
  Tensor h = w * 2.0f;
  std::weak_ptr<const Array> h_value = h.shared_value();
  Tensor y = kiln::tanh(h);  // tanh's derivative reads y, not h
  h = Tensor();
  CHECK(h_value.expired());
  backward(sum(y));
  CHECK(w.grad()(0) == doctest::Approx(2.0 * (1.0 - std::pow(std::tanh(1.0), 2))));
}

TEST_CASE("nothing of an input that needs no gradient is kept") {
  Tensor w(xt::ones<float>({1, 2}), true);
  Tensor x(xt::ones<float>({2, 1}));        // needs no gradient
  std::weak_ptr<const Array> w_value = w.shared_value();
  Tensor y = matmul(x, w);                  // dW = x^T g reads x; only dx would read w
  w = Tensor();
  CHECK(w_value.expired());
}

TEST_CASE("a 2,000-step unroll of single-step ops differentiates, and a 200,000-op chain is freed") {
  Tensor w(Array{1.0f}, true);
  Tensor h = w;
  for (int i = 0; i < 2000; ++i) h = h * 1.001f + 0.0f;
  backward(h);
  CHECK(w.grad()(0) == doctest::Approx(std::pow(1.001, 2000)).epsilon(1e-4));
  // Dropping the last handle releases the chain iteratively: no stack overflow.
  Tensor long_chain = w;
  for (int i = 0; i < 200000; ++i) long_chain = long_chain + 1.0f;
  long_chain = Tensor();
  CHECK(w.is_leaf());
}

TEST_CASE("set_requires_grad(false) on an op's result is an error pointing to detach()") {
  Tensor w(Array{1.0f}, true);
  Tensor y = w * 2.0f;
  CHECK_THROWS_WITH_AS(y.set_requires_grad(false), doctest::Contains("detach()"), Error);
}

TEST_CASE("the array comparisons of the tests fail on NaN") {
  const Array nan = {NAN, NAN, NAN};
  CHECK(kiln::testing::max_abs_diff(nan, Array{1.0f, 2.0f, 3.0f}) == INFINITY);
  CHECK(kiln::testing::max_abs_diff(Array{1.0f, 2.0f, 3.0f}, nan) == INFINITY);
  CHECK(kiln::testing::relative_error(nan, Array{1.0f, 2.0f, 3.0f}) == INFINITY);
  CHECK(kiln::testing::max_abs_diff(Array{1.0f, 2.0f}, Array{1.0f, 2.5f}) == doctest::Approx(0.5));
}
