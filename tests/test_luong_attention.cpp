// LuongAttention: the "dot" and "general" scores against plain loops, the
// encoder mask, gradients, symbolic shapes and bad inputs.

#include <cmath>

#include <nlohmann/json.hpp>

#include "attention_reference.hpp"
#include "layers/luong_attention.hpp"
#include "layers/registry.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::attend_in_loops;
using kiln::testing::random_array;
using kiln::testing::random_param;

namespace {

// e[b,i,j] = decoder_out[b,i] . encoder_out[b,j]
testing::AttentionReference dot_in_loops(const Array& enc, const Array& dec, const Array* mask = nullptr) {
  auto score = [&](std::size_t b, std::size_t i, std::size_t j) {
    double e = 0.0;
    for (std::size_t k = 0; k < enc.shape()[2]; ++k) e += double(dec(b, i, k)) * enc(b, j, k);
    return e;
  };
  return attend_in_loops(enc, dec.shape()[1], score, mask);
}

// e[b,i,j] = decoder_out[b,i] W encoder_out[b,j]
testing::AttentionReference general_in_loops(const Array& enc, const Array& dec, const Array& w) {
  auto score = [&](std::size_t b, std::size_t i, std::size_t j) {
    double e = 0.0;
    for (std::size_t m = 0; m < dec.shape()[2]; ++m)
      for (std::size_t k = 0; k < enc.shape()[2]; ++k) e += double(dec(b, i, m)) * w(m, k) * enc(b, j, k);
    return e;
  };
  return attend_in_loops(enc, dec.shape()[1], score);
}

}  // namespace

TEST_CASE("LuongAttention 'dot' scores by the dot product of decoder and encoder steps") {
  // One decoder step [1, 0] against encoder steps [ln 3, 5] and [0, 7]: scores ln 3 and 0, weights 3/4 and 1/4.
  Array enc = {{{std::log(3.0f), 5.0f}, {0.0f, 7.0f}}};
  Array dec = {{{1.0f, 0.0f}}};
  LuongAttention attention;
  auto [context, weights] = attention({Tensor(enc), Tensor(dec)}).unpack<2>();
  CHECK(weights.value()(0, 0, 0) == doctest::Approx(0.75));
  CHECK(weights.value()(0, 0, 1) == doctest::Approx(0.25));
  CHECK(context.value()(0, 0, 1) == doctest::Approx(0.75 * 5.0 + 0.25 * 7.0));
  CHECK(attention->weights().empty());
}

TEST_CASE("LuongAttention 'dot' equals its formula written out in loops") {
  const Array enc = random_array({2, 5, 4}, 1), dec = random_array({2, 3, 4}, 2);
  LuongAttention attention;
  auto [context, weights] = attention({Tensor(enc), Tensor(dec)}).unpack<2>();
  const auto expected = dot_in_loops(enc, dec);
  CHECK_ARRAY_NEAR(weights.value(), expected.weights, 1e-6);
  CHECK_ARRAY_NEAR(context.value(), expected.context, 1e-6);
}

TEST_CASE("LuongAttention 'general' equals its formula in loops, for different widths") {
  // E = 4, D = 6.
  const Array enc = random_array({2, 5, 4}, 3), dec = random_array({2, 3, 6}, 4), w = random_array({6, 4}, 5);
  LuongAttention attention({.score = "general", .name = "luong"});
  attention({Tensor(enc), Tensor(dec)});
  REQUIRE(attention->W().shape() == Shape{6, 4});
  CHECK(attention->named_weights()[0].first == "luong/W");
  attention->set_weights({w});
  auto [context, weights] = attention({Tensor(enc), Tensor(dec)}).unpack<2>();
  const auto expected = general_in_loops(enc, dec, w);
  CHECK_ARRAY_NEAR(weights.value(), expected.weights, 1e-6);
  CHECK_ARRAY_NEAR(context.value(), expected.context, 1e-6);
}

TEST_CASE("LuongAttention gives masked encoder positions exactly zero weight") {
  const Array enc = random_array({2, 4, 3}, 6), dec = random_array({2, 2, 3}, 7);
  const Array mask = {{1.0f, 1.0f, 0.0f, 0.0f}, {0.0f, 1.0f, 1.0f, 1.0f}};
  LuongAttention attention;
  auto [context, weights] = attention({Tensor(enc), Tensor(dec)}, {.masks = {&mask}}).unpack<2>();
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t j = 0; j < 4; ++j)
        if (mask(b, j) == 0.0f) CHECK(weights.value()(b, i, j) == 0.0f);
  const auto expected = dot_in_loops(enc, dec, &mask);
  CHECK_ARRAY_NEAR(weights.value(), expected.weights, 1e-6);
  CHECK_ARRAY_NEAR(context.value(), expected.context, 1e-6);
}

TEST_CASE("LuongAttention gradients match finite differences for both scores") {
  Tensor enc = random_param({2, 4, 3}, 8, "encoder_out");
  SUBCASE("dot") {
    Tensor dec = random_param({2, 3, 3}, 9, "decoder_out");
    LuongAttention attention;
    for (std::size_t output : {0, 1}) {
      CAPTURE(output);
      CHECK_GRADIENTS([&] { return attention({enc, dec})[output]; }, {enc, dec});
    }
  }
  SUBCASE("general") {
    Tensor dec = random_param({2, 3, 5}, 10, "decoder_out");
    LuongAttention attention({.score = "general"});
    attention({enc, dec});
    attention->set_weights({random_array({5, 3}, 11)});
    const Array mask = {{1.0f, 0.0f, 1.0f, 1.0f}, {1.0f, 1.0f, 1.0f, 0.0f}};
    for (std::size_t output : {0, 1}) {
      CAPTURE(output);
      CHECK_GRADIENTS([&] { return attention({enc, dec})[output]; }, {enc, dec, attention->W()});
      CHECK_GRADIENTS([&] { return attention({enc, dec}, {.masks = {&mask}})[output]; }, {enc, dec, attention->W()});
    }
  }
}

TEST_CASE("LuongAttention 'dot' refuses different widths, naming both") {
  LuongAttention attention({.name = "luong"});
  CHECK_THROWS_WITH_AS(attention({Tensor(Array::from_shape({2, 5, 6})), Tensor(Array::from_shape({2, 4, 7}))}),
                       "LuongAttention 'luong': score 'dot' needs decoder_out and encoder_out of the same width, "
                       "got decoder width 7 (2, 4, 7) and encoder width 6 (2, 5, 6) (score 'general' allows "
                       "different widths)",
                       ShapeError);
  // Widths unknown when built symbolically are checked on the real tensors.
  LuongAttention open;
  open({Input({unknown_dim, unknown_dim}), Input({unknown_dim, unknown_dim})});
  CHECK_THROWS_WITH_AS(open({Tensor(Array::from_shape({1, 2, 3})), Tensor(Array::from_shape({1, 2, 4}))}),
                       doctest::Contains("decoder width 4"), ShapeError);
}

TEST_CASE("LuongAttention symbolic calls keep unknown time dims") {
  LuongAttention dot;
  auto [context, weights] = dot({Input({unknown_dim, 8}), Input({unknown_dim, 8})}).unpack<2>();
  CHECK(to_string(context.shape()) == "(None, None, 8)");
  CHECK(to_string(weights.shape()) == "(None, None, None)");
  LuongAttention general({.score = "general"});
  auto outputs = general({Input({12, 8}), Input({unknown_dim, 5})});
  CHECK(to_string(outputs[0].shape()) == "(None, None, 8)");
  CHECK(to_string(outputs[1].shape()) == "(None, None, 12)");
  CHECK(general->W().shape() == Shape{5, 8});
}

TEST_CASE("LuongAttention rejects bad inputs and options") {
  LuongAttention attention({.score = "general", .name = "luong"});
  const Tensor enc(Array::from_shape({2, 5, 6})), dec(Array::from_shape({2, 4, 7}));
  CHECK_THROWS_WITH_AS(attention(enc), doctest::Contains("LuongAttention 'luong': expected 2 inputs"), ShapeError);
  CHECK_THROWS_WITH_AS(attention({enc, Tensor(Array::from_shape({2, 7}))}),
                       doctest::Contains("expected decoder_out (batch, decoder_time, decoder_features), got (2, 7)"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(attention({enc, Tensor(Array::from_shape({3, 4, 7}))}),
                       doctest::Contains("encoder_out (2, 5, 6) and decoder_out (3, 4, 7) have different batch sizes"),
                       ShapeError);
  attention({enc, dec});
  CHECK_THROWS_WITH_AS(attention({enc, Tensor(Array::from_shape({2, 4, 5}))}),
                       doctest::Contains("was built for inputs"), ShapeError);
  const Array wrong_mask = Array::from_shape({2, 4});
  CHECK_THROWS_WITH_AS(attention({enc, dec}, {.masks = {&wrong_mask}}),
                       doctest::Contains("must be (batch, encoder_time) = (2, 5)"), ShapeError);
  CHECK_THROWS_WITH_AS(LuongAttention({.score = "concat", .name = "l"}),
                       "LuongAttention 'l': unknown score 'concat' (known: dot, general)", Error);
}

TEST_CASE("LuongAttention reports its config and is rebuilt from it") {
  LuongAttention attention({.score = "general", .name = "luong"});
  const auto config = attention->get_config();
  CHECK(config["name"] == "luong");
  CHECK(config["score"] == "general");
  CHECK(config["kernel_initializer"] == "glorot_uniform");
  const auto rebuilt = layer_from_config("LuongAttention", config);
  CHECK(rebuilt->class_name() == "LuongAttention");
  CHECK(rebuilt->get_config() == config);
}
