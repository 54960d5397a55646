// causal_mask: the lower-triangular keep-mask of Keras' use_causal_mask
// (tf.linalg.band_part(ones((1, T, S)), -1, 0)), square and rectangular.

#include <xtensor/xview.hpp>

#include "ops/causal_mask.hpp"
#include "support.hpp"

using namespace kiln;

TEST_CASE("causal_mask keeps the diagonal and everything below it") {
  const Array expected = {{1.0f, 0.0f, 0.0f, 0.0f},
                          {1.0f, 1.0f, 0.0f, 0.0f},
                          {1.0f, 1.0f, 1.0f, 0.0f},
                          {1.0f, 1.0f, 1.0f, 1.0f}};
  const Tensor mask = causal_mask(4, 4);
  CHECK(mask.value() == expected);
  CHECK_FALSE(mask.requires_grad());
}

TEST_CASE("causal_mask counts from the top-left corner when query and value lengths differ") {
  // band_part(ones((2, 4)), -1, 0) and band_part(ones((4, 2)), -1, 0).
  CHECK(causal_mask(2, 4).value() == Array{{1.0f, 0.0f, 0.0f, 0.0f}, {1.0f, 1.0f, 0.0f, 0.0f}});
  CHECK(causal_mask(4, 2).value() == Array{{1.0f, 0.0f}, {1.0f, 1.0f}, {1.0f, 1.0f}, {1.0f, 1.0f}});
}

TEST_CASE("the batched causal_mask repeats the triangle for every batch entry") {
  const Tensor mask = causal_mask(3, 2, 3);
  REQUIRE(mask.shape() == Shape{3, 2, 3});
  const Array one = causal_mask(2, 3).value();
  for (std::size_t b = 0; b < 3; ++b) CHECK(Array(xt::view(mask.value(), b)) == one);
  CHECK(causal_mask(0, 2, 2).shape() == Shape{0, 2, 2});
  CHECK(causal_mask(1, 0, 0).shape() == Shape{1, 0, 0});
}
