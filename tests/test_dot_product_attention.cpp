// dot_product_attention: the fused multi-head op against plain loops over
// the formula, with masks, causality and dropout; gradients against finite
// differences; shape errors.

#include <cmath>
#include <random>

#include "graph/backward.hpp"
#include "ops/arithmetic.hpp"
#include "ops/dot_product_attention.hpp"
#include "ops/reductions.hpp"
#include "ops/slice.hpp"
#include "graph/error.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;
using kiln::testing::random_param;

namespace {

// out[b, i, h] = sum_j softmax_j(scale q.k over seen j) v[b, j, h], in double.
Array reference_attention(const Array& q, const Array& k, const Array& v, float scale, const Array* keep,
                          bool causal) {
  const std::size_t B = q.shape()[0], T = q.shape()[1], H = q.shape()[2], D = q.shape()[3];
  const std::size_t S = k.shape()[1], DV = v.shape()[3];
  Array out = xt::zeros<float>({B, T, H, DV});
  for (std::size_t b = 0; b < B; ++b) {
    for (std::size_t h = 0; h < H; ++h) {
      for (std::size_t i = 0; i < T; ++i) {
        std::vector<double> p(S, 0.0);
        double top = -INFINITY;
        for (std::size_t j = 0; j < S; ++j) {
          const bool seen = (!causal || j <= i) &&
                            (!keep || (*keep)(keep->shape()[0] == 1 ? 0 : b, keep->shape()[1] == 1 ? 0 : i, j) != 0.0f);
          if (!seen) continue;
          double s = 0.0;
          for (std::size_t c = 0; c < D; ++c) s += double(q(b, i, h, c)) * k(b, j, h, c);
          p[j] = s * scale;
          top = std::max(top, p[j]);
        }
        double total = 0.0;
        for (std::size_t j = 0; j < S; ++j) {
          const bool seen = (!causal || j <= i) &&
                            (!keep || (*keep)(keep->shape()[0] == 1 ? 0 : b, keep->shape()[1] == 1 ? 0 : i, j) != 0.0f);
          p[j] = seen ? std::exp(p[j] - top) : 0.0;
          total += p[j];
        }
        for (std::size_t j = 0; j < S; ++j) {
          for (std::size_t c = 0; c < DV; ++c) out(b, i, h, c) += float(p[j] / total * v(b, j, h, c));
        }
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("dot_product_attention matches the formula per head, with masks and causality") {
  const Array q = random_array({2, 4, 3, 5}, 1), k = random_array({2, 6, 3, 5}, 2), v = random_array({2, 6, 3, 2}, 3);
  const float scale = 1.0f / std::sqrt(5.0f);
  const Tensor plain = dot_product_attention(Tensor(q), Tensor(k), Tensor(v), {.scale = scale});
  CHECK(kiln::testing::max_abs_diff(plain.value(), reference_attention(q, k, v, scale, nullptr, false)) < 1e-5);

  Array keep = xt::ones<float>({2, 1, 6});  // padding: the last two keys of entry 0
  keep(0, 0, 4) = keep(0, 0, 5) = 0.0f;
  Array weights;
  const Tensor masked = dot_product_attention(Tensor(q), Tensor(k), Tensor(v),
                                              {.scale = scale, .mask = &keep, .causal = true, .weights = &weights});
  CHECK(kiln::testing::max_abs_diff(masked.value(), reference_attention(q, k, v, scale, &keep, true)) < 1e-5);
  REQUIRE(weights.shape() == std::vector<std::size_t>{2, 3, 4, 6});
  CHECK(weights(0, 1, 0, 1) == 0.0f);  // causal: query 0 sees key 0 only
  CHECK(weights(0, 1, 0, 0) == doctest::Approx(1.0));
  CHECK(weights(0, 2, 3, 4) == 0.0f);  // padding
  const Array row_sums = xt::sum(weights, {3});
  CHECK(xt::allclose(row_sums, 1.0f));
}

TEST_CASE("dot_product_attention: a query that sees no key spreads evenly, a causal offset shifts the diagonal") {
  const Array q = random_array({1, 2, 1, 3}, 4), k = random_array({1, 3, 1, 3}, 5), v = random_array({1, 3, 1, 2}, 6);
  Array keep = xt::ones<float>({1, 2, 3});
  keep(0, 1, 0) = keep(0, 1, 1) = keep(0, 1, 2) = 0.0f;
  Array weights;
  dot_product_attention(Tensor(q), Tensor(k), Tensor(v), {.mask = &keep, .weights = &weights});
  for (std::size_t j = 0; j < 3; ++j) CHECK(weights(0, 0, 1, j) == doctest::Approx(1.0 / 3));

  // Two new queries at positions 1 and 2 of three keys (decoding with a cache).
  dot_product_attention(Tensor(q), Tensor(k), Tensor(v), {.causal = true, .causal_offset = 1, .weights = &weights});
  CHECK(weights(0, 0, 0, 2) == 0.0f);
  CHECK(weights(0, 0, 0, 1) > 0.0f);
  CHECK(weights(0, 0, 1, 2) > 0.0f);
}

TEST_CASE("dot_product_attention over zero keys attends to nothing: zeros out, zero gradients") {
  Tensor q(random_array({2, 3, 1, 4}, 7), true), k(Array::from_shape({2, 0, 1, 4}), true),
      v(Array::from_shape({2, 0, 1, 5}), true);
  const Tensor out = dot_product_attention(q, k, v, {.scale = 0.5f});
  REQUIRE(out.shape() == Shape{2, 3, 1, 5});
  for (const float x : out.value()) CHECK(x == 0.0f);
  backward(sum(out));
  for (const float g : q.grad()) CHECK(g == 0.0f);
}

TEST_CASE("dot_product_attention gradients match finite differences, masked, causal and with dropout") {
  const Tensor q = random_param({2, 3, 2, 4}, 7, "q"), k = random_param({2, 5, 2, 4}, 8, "k");
  const Tensor v = random_param({2, 5, 2, 3}, 9, "v");
  const Tensor upstream(random_array({2, 3, 2, 3}, 10));
  Array keep = xt::ones<float>({2, 3, 5});
  keep(1, 2, 0) = keep(1, 2, 3) = keep(0, 0, 4) = 0.0f;
  CHECK_GRADIENTS([&] { return sum(dot_product_attention(q, k, v, {.scale = 0.5f, .mask = &keep}) * upstream); },
                  {q, k, v});
  CHECK_GRADIENTS([&] { return sum(dot_product_attention(q, k, v, {.scale = 0.5f, .causal = true}) * upstream); },
                  {q, k, v});
  // One tensor as q, k and v: the three gradients add up in one buffer.
  const Tensor x = random_param({2, 5, 2, 4}, 12, "x");
  const Tensor upstream_x(random_array({2, 5, 2, 4}, 13));
  CHECK_GRADIENTS([&] { return sum(dot_product_attention(x, x, x, {.scale = 0.5f, .causal = true}) * upstream_x); }, {x});
  // The same dropout mask every evaluation: a generator restarted from one seed.
  CHECK_GRADIENTS(
      [&] {
        std::mt19937_64 rng(42);
        return sum(dot_product_attention(q, k, v, {.scale = 0.5f, .dropout = 0.3f, .rng = &rng}) * upstream);
      },
      {q, k, v});
}

TEST_CASE("dot_product_self_attention on packed [q | k | v] equals the op on the three parts, gradients included") {
  const Tensor qkv = random_param({2, 4, 3 * 2 * 3}, 20, "qkv");
  const Tensor upstream(random_array({2, 4, 6}, 21));
  Array keep = xt::ones<float>({2, 1, 4});
  keep(1, 0, 3) = 0.0f;
  const DotProductAttentionOptions o{.heads = 2, .scale = 0.6f, .mask = &keep, .causal = true};
  const Tensor packed = dot_product_self_attention(qkv, o);
  const Tensor parts = dot_product_attention(slice(qkv, -1, 0, 6), slice(qkv, -1, 6, 12), slice(qkv, -1, 12, 18), o);
  CHECK(kiln::testing::max_abs_diff(packed.value(), parts.value()) < 1e-6);
  CHECK_GRADIENTS([&] { return sum(dot_product_self_attention(qkv, o) * upstream); }, {qkv});
  CHECK_GRADIENTS(
      [&] {
        std::mt19937_64 rng(4);
        return sum(dot_product_self_attention(qkv, {.heads = 2, .scale = 0.6f, .dropout = 0.2f, .rng = &rng}) * upstream);
      },
      {qkv});
  CHECK_THROWS_AS(dot_product_self_attention(Tensor(random_array({2, 4, 10}, 22)), {.heads = 2}), ShapeError);
}

TEST_CASE("dot_product_attention with dropout drops probabilities and rescales the rest") {
  const Tensor q(random_array({1, 2, 1, 2}, 11)), k(random_array({1, 3, 1, 2}, 12));
  Array v_ones = xt::ones<float>({1, 3, 1, 1});
  std::mt19937_64 rng(3);
  const Tensor out = dot_product_attention(q, k, Tensor(v_ones), {.dropout = 0.5f, .rng = &rng});
  // With v = 1 each output is (sum of the kept probabilities) / (1 - rate).
  for (const float o : out.value()) CHECK((o >= 0.0f && o <= 2.0f + 1e-6f));
  CHECK_THROWS_AS(dot_product_attention(q, k, Tensor(v_ones), {.dropout = 0.5f}), Error);
}

TEST_CASE("dot_product_attention names the shapes it cannot use") {
  const Tensor q(random_array({2, 3, 2, 4}, 1)), k(random_array({2, 5, 2, 4}, 2)), v(random_array({2, 5, 2, 3}, 3));
  CHECK_THROWS_WITH_AS(dot_product_attention(q, Tensor(random_array({2, 5, 2, 3}, 4)), v),
                       "dot_product_attention: q and k differ in batch, heads or width: (2, 3, 2, 4) and (2, 5, 2, 3)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(dot_product_attention(q, k, Tensor(random_array({2, 4, 2, 3}, 5))),
                       "dot_product_attention: k and v differ in batch, length or heads: (2, 5, 2, 4) and (2, 4, 2, 3)",
                       ShapeError);
  Array bad_mask = xt::ones<float>({2, 3, 4});
  CHECK_THROWS_WITH_AS(dot_product_attention(q, k, v, {.mask = &bad_mask}),
                       doctest::Contains("the mask must be (2 or 1, 3 or 1, 5)"), ShapeError);
  CHECK_THROWS_AS(dot_product_attention(Tensor(random_array({2, 3, 8}, 1)), k, v), ShapeError);
}
