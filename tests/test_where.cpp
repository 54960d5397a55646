// where: values and gradients against TF.js with all three broadcasting,
// constants on either side, finite differences.

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/causal_mask.hpp"
#include "ops/comparisons.hpp"
#include "ops/reductions.hpp"
#include "ops/where.hpp"
#include "support.hpp"
#include "tfjs_reference.hpp"

using namespace kiln;
using kiln::testing::random_param;

TEST_CASE("where matches TF.js: condition (2, 1, 4), a (2, 3, 4), b (4)") {
  kiln::testing::check_against_tfjs({"tfjs/ops.safetensors", "where", 3, {1, 2}},
                                    [](auto& x) { return where(x[0], x[1], x[2]); });
}

TEST_CASE("where with a constant on either side masks as attention needs") {
  Tensor scores = Tensor::parameter(Array{{1.0f, 2.0f}, {3.0f, 4.0f}});
  const Tensor masked = where(causal_mask(2, 2), scores, -1e9f);
  CHECK(masked.value() == Array{{1.0f, -1e9f}, {3.0f, 4.0f}});
  backward(sum(masked));
  CHECK(scores.grad() == Array{{1.0f, 0.0f}, {1.0f, 1.0f}});
  CHECK(where(causal_mask(2, 2), 0.0f, scores).value() == Array{{0.0f, 2.0f}, {0.0f, 0.0f}});
}

TEST_CASE("where gradients match finite differences; the condition gets none") {
  Tensor a = random_param({2, 3, 4}, 1, "a");
  Tensor b = random_param({3, 1}, 2, "b");
  Tensor c = Tensor::parameter(Array{0.0f, 1.0f, 1.0f, 0.0f});
  CHECK_GRADIENTS([&] { return where(greater(a, 0.0f), a, b); }, {a, b});
  backward(sum(where(c, a, b)));
  CHECK_FALSE(c.has_grad());
}

TEST_CASE("where names the shapes that do not broadcast") {
  Tensor c(Array::from_shape({2, 3}));
  CHECK_THROWS_WITH_AS(where(c, Tensor(Array::from_shape({4})), 0.0f), "where: cannot broadcast (2, 3) and (4)",
                       ShapeError);
}
