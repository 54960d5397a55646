// additive_attention_scores: values worked by hand and in plain loops,
// gradients against finite differences, and bad shapes.

#include <cmath>

#include "graph/error.hpp"
#include "ops/additive_attention.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;
using kiln::testing::random_param;

namespace {

// scores[b,i,j] = sum_k v[k] tanh(queries[b,i,k] + keys[b,j,k]), in loops.
Array scores_in_loops(const Array& keys, const Array& queries, const Array& v) {
  const std::size_t batch = keys.shape()[0], te = keys.shape()[1], td = queries.shape()[1], width = keys.shape()[2];
  Array out = Array::from_shape({batch, td, te});
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t i = 0; i < td; ++i)
      for (std::size_t j = 0; j < te; ++j) {
        double e = 0.0;
        for (std::size_t k = 0; k < width; ++k) e += v(k, 0) * std::tanh(double(queries(b, i, k)) + keys(b, j, k));
        out(b, i, j) = float(e);
      }
  return out;
}

}  // namespace

TEST_CASE("additive attention scores match values worked by hand") {
  // keys (1, 2, 2): [0, 0] and [1, -1]; one query [0, 0]; v = [2, -1].
  Array keys = {{{0.0f, 0.0f}, {1.0f, -1.0f}}};
  Array queries = {{{0.0f, 0.0f}}};
  Array v = Array::from_shape({2, 1});
  v(0, 0) = 2.0f;
  v(1, 0) = -1.0f;
  const Array e = additive_attention_scores(Tensor(keys), Tensor(queries), Tensor(v)).value();
  REQUIRE(e.shape() == Shape{1, 1, 2});
  CHECK(e(0, 0, 0) == 0.0f);                                            // 2 tanh(0) - tanh(0)
  CHECK(e(0, 0, 1) == doctest::Approx(3.0 * std::tanh(1.0)));          // 2 tanh(1) - tanh(-1)
}

TEST_CASE("additive attention scores equal the formula in loops for widths on and off the SIMD lanes") {
  for (std::size_t width : {1, 5, 16, 37, 96}) {
    CAPTURE(width);
    const Array keys = random_array({3, 6, width}, 1), queries = random_array({3, 4, width}, 2);
    const Array v = random_array({width, 1}, 3);
    const Array e = additive_attention_scores(Tensor(keys), Tensor(queries), Tensor(v)).value();
    CHECK_ARRAY_NEAR(e, scores_in_loops(keys, queries, v), 2e-6 * double(width));
  }
}

TEST_CASE("additive attention score gradients match finite differences over keys, queries and v") {
  for (std::size_t width : {3, 19}) {
    CAPTURE(width);
    Tensor keys = random_param({2, 5, width}, 4, "keys");
    Tensor queries = random_param({2, 3, width}, 5, "queries");
    Tensor v = random_param({width, 1}, 6, "v");
    CHECK_GRADIENTS([&] { return additive_attention_scores(keys, queries, v); }, {keys, queries, v});
  }
  // v as a plain vector (E).
  Tensor keys = random_param({2, 4, 3}, 7, "keys"), queries = random_param({2, 2, 3}, 8, "queries");
  Tensor v = random_param({3}, 9, "v");
  CHECK_GRADIENTS([&] { return additive_attention_scores(keys, queries, v); }, {keys, queries, v});
}

TEST_CASE("additive attention scores reject mismatched shapes, naming the op and the shapes") {
  const Tensor keys(Array::from_shape({2, 5, 4})), queries(Array::from_shape({2, 3, 4})), v(Array::from_shape({4, 1}));
  CHECK_THROWS_WITH_AS(additive_attention_scores(Tensor(Array::from_shape({5, 4})), queries, v),
                       "additive_attention_scores: expects keys (batch, encoder_time, width) and queries "
                       "(batch, decoder_time, width), got (5, 4) and (2, 3, 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(additive_attention_scores(keys, Tensor(Array::from_shape({3, 3, 4})), v),
                       "additive_attention_scores: keys and queries have different batch sizes: (2, 5, 4) and "
                       "(3, 3, 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(additive_attention_scores(keys, Tensor(Array::from_shape({2, 3, 6})), v),
                       "additive_attention_scores: keys and queries have different widths: (2, 5, 4) and (2, 3, 6)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(additive_attention_scores(keys, queries, Tensor(Array::from_shape({4, 2}))),
                       "additive_attention_scores: v must be (4, 1) for keys (2, 5, 4), got (4, 2)", ShapeError);
}
