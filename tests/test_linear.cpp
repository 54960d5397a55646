// linear: the fused projection against matmul + bias + relu composed, on
// 2-D and 3-D inputs and Keras' multi-axis attention kernels; gradients by
// finite differences; shape errors.

#include "graph/error.hpp"
#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "ops/linear.hpp"
#include "ops/matmul.hpp"
#include "ops/reductions.hpp"
#include "ops/reshape.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;
using kiln::testing::random_param;

TEST_CASE("linear is x K + b (then relu), for 2-D and 3-D x and multi-axis kernels") {
  const Tensor x(random_array({2, 3, 4}, 1)), k(random_array({4, 5}, 2)), b(random_array({5}, 3));
  const Tensor composed = matmul(x, k) + b;
  CHECK(kiln::testing::max_abs_diff(linear(x, k, b).value(), composed.value()) < 1e-6);
  CHECK(kiln::testing::max_abs_diff(linear(x, k, b, true).value(), relu(composed).value()) < 1e-6);
  const Tensor x2(random_array({6, 4}, 4));
  CHECK(kiln::testing::max_abs_diff(linear(x2, k, Tensor()).value(), matmul(x2, k).value()) < 1e-6);
  // Keras' (dim, heads, key_dim) query kernel and (heads, value_dim, dim) output kernel.
  const Tensor qk(random_array({4, 2, 3}, 5)), qb(random_array({2, 3}, 6));
  CHECK(kiln::testing::max_abs_diff(linear(x, qk, qb).value(),
                                    (matmul(x, reshape(qk, {4, 6})) + reshape(qb, {6})).value()) < 1e-6);
  // One input feature: the kernel's first axis alone is its input side.
  CHECK(linear(Tensor(random_array({3, 1}, 8)), Tensor(random_array({1, 4}, 9)), Tensor()).shape() == Shape{3, 4});
  const Tensor ok(random_array({2, 2, 5}, 7));
  CHECK(linear(x, ok, Tensor()).shape() == Shape{2, 3, 5});
}

TEST_CASE("linear gradients match finite differences over x, kernel and bias") {
  const Tensor x = random_param({2, 3, 4}, 8, "x"), k = random_param({4, 2, 3}, 9, "k"), b = random_param({2, 3}, 10, "b");
  const Tensor upstream(random_array({2, 3, 6}, 11));
  CHECK_GRADIENTS([&] { return sum(linear(x, k, b) * upstream); }, {x, k, b});
  CHECK_GRADIENTS([&] { return sum(linear(x, k, b, true) * upstream); }, {x, k, b});
  CHECK_GRADIENTS([&] { return sum(linear(x, k, Tensor(), true) * upstream); }, {x, k});
}

TEST_CASE("linear names the shapes it cannot use") {
  const Tensor x(random_array({2, 4}, 1));
  CHECK_THROWS_WITH_AS(linear(x, Tensor(random_array({3, 5}, 2)), Tensor()),
                       "linear: the kernel's leading axes do not multiply to x's last axis: (2, 4) and (3, 5)", ShapeError);
  CHECK_THROWS_WITH_AS(linear(x, Tensor(random_array({4, 5}, 2)), Tensor(random_array({4}, 3))),
                       "linear: bias (4) must hold 5 elements for kernel (4, 5)", ShapeError);
}
