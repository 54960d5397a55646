// BahdanauAttention: reference numbers from PyTorch (tests/golden), the
// formula in plain loops, the encoder mask, gradients, symbolic shapes and
// bad inputs.

#include <cmath>

#include <nlohmann/json.hpp>

#include "attention_reference.hpp"
#include "golden.hpp"
#include "graph/backward.hpp"
#include "layers/bahdanau_attention.hpp"
#include "layers/registry.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::attend_in_loops;
using kiln::testing::golden;
using kiln::testing::random_array;
using kiln::testing::random_param;

namespace {

const char* const file = "bahdanau.safetensors";

double max_abs(const Array& a) {
  double m = 0.0;
  for (float v : a) m = std::max(m, double(std::abs(v)));
  return m;
}

// Agreement to ~1e-5 of the array's own scale.
#define CHECK_CLOSE_TO_GOLDEN(actual, expected) CHECK_ARRAY_NEAR(actual, expected, 1e-5 * max_abs(expected))

// A layer built for (E = enc_width, D = dec_width) holding these weights.
BahdanauAttention attention_with(const Array& w_a, const Array& u_a, const Array& v_a, std::string name = {}) {
  BahdanauAttention attention({.name = std::move(name)});
  attention->build_for({{unknown_dim, unknown_dim, std::int64_t(w_a.shape()[0])},
                        {unknown_dim, unknown_dim, std::int64_t(u_a.shape()[0])}});
  attention->set_weights({w_a, u_a, v_a});
  return attention;
}

// e[b,i,j] = V_a . tanh(encoder_out[b,j] W_a + decoder_out[b,i] U_a), in loops.
testing::AttentionReference bahdanau_in_loops(const Array& enc, const Array& dec, const Array& w_a, const Array& u_a,
                                              const Array& v_a, const Array* mask = nullptr) {
  const std::size_t e_width = enc.shape()[2], d_width = dec.shape()[2];
  auto score = [&](std::size_t b, std::size_t i, std::size_t j) {
    double e = 0.0;
    for (std::size_t k = 0; k < e_width; ++k) {
      double pre = 0.0;
      for (std::size_t m = 0; m < e_width; ++m) pre += double(enc(b, j, m)) * w_a(m, k);
      for (std::size_t m = 0; m < d_width; ++m) pre += double(dec(b, i, m)) * u_a(m, k);
      e += v_a(k, 0) * std::tanh(pre);
    }
    return e;
  };
  return attend_in_loops(enc, dec.shape()[1], score, mask);
}

}  // namespace

TEST_CASE("BahdanauAttention matches the PyTorch reference values") {
  auto attention = attention_with(golden(file, "W_a"), golden(file, "U_a"), golden(file, "V_a"));
  auto [context, weights] =
      attention({Tensor(golden(file, "encoder_out")), Tensor(golden(file, "decoder_out"))}).unpack<2>();
  CHECK(context.shape() == Shape{3, 4, 6});
  CHECK(weights.shape() == Shape{3, 4, 5});
  CHECK_CLOSE_TO_GOLDEN(context.value(), golden(file, "context"));
  CHECK_CLOSE_TO_GOLDEN(weights.value(), golden(file, "weights"));
}

TEST_CASE("BahdanauAttention gradients match the PyTorch reference for both inputs and all three weights") {
  auto attention = attention_with(golden(file, "W_a"), golden(file, "U_a"), golden(file, "V_a"));
  Tensor encoder_out = Tensor::parameter(golden(file, "encoder_out"), "encoder_out");
  Tensor decoder_out = Tensor::parameter(golden(file, "decoder_out"), "decoder_out");
  auto [context, weights] = attention({encoder_out, decoder_out}).unpack<2>();
  // L = sum(context * R_c) + sum(weights * R_w)
  Tensor loss = sum(context * Tensor(golden(file, "context_cotangent"))) +
                sum(weights * Tensor(golden(file, "weights_cotangent")));
  backward(loss);
  CHECK_CLOSE_TO_GOLDEN(encoder_out.grad(), golden(file, "grad/encoder_out"));
  CHECK_CLOSE_TO_GOLDEN(decoder_out.grad(), golden(file, "grad/decoder_out"));
  CHECK_CLOSE_TO_GOLDEN(attention->W_a().grad(), golden(file, "grad/W_a"));
  CHECK_CLOSE_TO_GOLDEN(attention->U_a().grad(), golden(file, "grad/U_a"));
  CHECK_CLOSE_TO_GOLDEN(attention->V_a().grad(), golden(file, "grad/V_a"));
}

TEST_CASE("BahdanauAttention equals its formula written out in loops, for different widths and lengths") {
  // B = 2, Te = 4, Td = 3, E = 5, D = 3; weights larger than the initializer's so tanh bends.
  const Array enc = random_array({2, 4, 5}, 1), dec = random_array({2, 3, 3}, 2);
  const Array w_a = random_array({5, 5}, 3), u_a = random_array({3, 5}, 4), v_a = random_array({5, 1}, 5);
  auto attention = attention_with(w_a, u_a, v_a);
  auto [context, weights] = attention({Tensor(enc), Tensor(dec)}).unpack<2>();
  const auto expected = bahdanau_in_loops(enc, dec, w_a, u_a, v_a);
  CHECK_ARRAY_NEAR(weights.value(), expected.weights, 1e-6);
  CHECK_ARRAY_NEAR(context.value(), expected.context, 1e-6);
}

TEST_CASE("each row of attention weights is a distribution over the encoder positions") {
  auto attention = attention_with(random_array({6, 6}, 6, -2, 2), random_array({2, 6}, 7, -2, 2),
                                  random_array({6, 1}, 8, -2, 2));
  Tensor weights = attention({Tensor(random_array({3, 7, 6}, 9)), Tensor(random_array({3, 5, 2}, 10))})[1];
  REQUIRE(weights.shape() == Shape{3, 5, 7});
  for (std::size_t b = 0; b < 3; ++b) {
    for (std::size_t i = 0; i < 5; ++i) {
      double total = 0.0;
      for (std::size_t j = 0; j < 7; ++j) {
        CHECK(weights.value()(b, i, j) >= 0.0f);
        total += weights.value()(b, i, j);
      }
      CHECK(total == doctest::Approx(1.0).epsilon(1e-6));
    }
  }
}

TEST_CASE("an encoder mask gives masked positions exactly zero weight; the rest still sum to 1") {
  const Array enc = random_array({2, 4, 3}, 11), dec = random_array({2, 3, 2}, 12);
  const Array w_a = random_array({3, 3}, 13), u_a = random_array({2, 3}, 14), v_a = random_array({3, 1}, 15);
  // batch 0 keeps steps 1 and 3; batch 1 (pre-padded, as the seed's source) keeps steps 2 and 3.
  const Array mask = {{0.0f, 1.0f, 0.0f, 1.0f}, {0.0f, 0.0f, 1.0f, 1.0f}};
  auto attention = attention_with(w_a, u_a, v_a);
  auto [context, weights] = attention({Tensor(enc), Tensor(dec)}, {.masks = {&mask}}).unpack<2>();
  for (std::size_t b = 0; b < 2; ++b) {
    for (std::size_t i = 0; i < 3; ++i) {
      double kept = 0.0;
      for (std::size_t j = 0; j < 4; ++j) {
        if (mask(b, j) == 0.0f) CHECK(weights.value()(b, i, j) == 0.0f);
        else kept += weights.value()(b, i, j);
      }
      CHECK(kept == doctest::Approx(1.0).epsilon(1e-6));
    }
  }
  // Same as the softmax over the kept positions alone.
  const auto expected = bahdanau_in_loops(enc, dec, w_a, u_a, v_a, &mask);
  CHECK_ARRAY_NEAR(weights.value(), expected.weights, 1e-6);
  CHECK_ARRAY_NEAR(context.value(), expected.context, 1e-6);
}

TEST_CASE("a row whose encoder positions are all masked stays finite, as in Keras") {
  auto attention = attention_with(random_array({3, 3}, 16), random_array({2, 3}, 17), random_array({3, 1}, 18));
  const Array mask = {{0.0f, 0.0f, 0.0f}};
  Tensor weights = attention({Tensor(random_array({1, 3, 3}, 19)), Tensor(random_array({1, 2, 2}, 20))},
                             {.masks = {&mask}})[1];
  for (float w : weights.value()) CHECK(std::isfinite(w));
  CHECK(weights.value()(0, 0, 0) + weights.value()(0, 0, 1) + weights.value()(0, 0, 2) == doctest::Approx(1.0));
}

TEST_CASE("BahdanauAttention gradients match finite differences over both inputs and all three weights") {
  BahdanauAttention attention;
  Tensor enc = random_param({2, 4, 3}, 21, "encoder_out");
  Tensor dec = random_param({2, 3, 5}, 22, "decoder_out");
  attention({enc, dec});
  // Weights larger than the initializer's, so every term of the derivative matters.
  attention->set_weights({random_array({3, 3}, 23), random_array({5, 3}, 24), random_array({3, 1}, 25)});
  const std::vector<Tensor> wrt = {enc, dec, attention->W_a(), attention->U_a(), attention->V_a()};
  for (int output : {0, 1}) {
    CAPTURE(output);
    CHECK_GRADIENTS([&] { return attention({enc, dec})[std::size_t(output)]; }, wrt);
  }
  const Array mask = {{1.0f, 0.0f, 1.0f, 1.0f}, {0.0f, 1.0f, 1.0f, 0.0f}};
  CHECK_GRADIENTS([&] { return attention({enc, dec}, {.masks = {&mask}})[0]; }, wrt);
}

TEST_CASE("BahdanauAttention creates W_a (E, E), U_a (D, E), V_a (E, 1) with the seed's uniform initializer") {
  BahdanauAttention attention({.name = "attention_layer"});
  attention({Tensor(Array::from_shape({2, 5, 6})), Tensor(Array::from_shape({2, 4, 7}))});
  const auto named = attention->named_weights();
  REQUIRE(named.size() == 3);
  CHECK(named[0].first == "attention_layer/W_a");
  CHECK(named[1].first == "attention_layer/U_a");
  CHECK(named[2].first == "attention_layer/V_a");
  CHECK(attention->W_a().shape() == Shape{6, 6});
  CHECK(attention->U_a().shape() == Shape{7, 6});
  CHECK(attention->V_a().shape() == Shape{6, 1});
  CHECK(attention->count_params() == 36 + 42 + 6);
  for (const auto& [name, w] : named) {
    CAPTURE(name);
    CHECK(max_abs(w.value()) <= 0.05);
    CHECK(max_abs(w.value()) > 0.0);
  }
}

TEST_CASE("a symbolic call gives (None, None, E) and (None, None, None) for inputs of unknown time") {
  BahdanauAttention attention;
  auto [context, weights] = attention({Input({unknown_dim, 15}), Input({unknown_dim, 25})}).unpack<2>();
  CHECK(to_string(context.shape()) == "(None, None, 15)");
  CHECK(to_string(weights.shape()) == "(None, None, None)");
  CHECK(attention->U_a().shape() == Shape{25, 15});

  // The seed's fixed-length case: encoder (10, 15), decoder (15, 25).
  BahdanauAttention fixed;
  auto outputs = fixed({Input({10, 15}), Input({15, 25})});
  CHECK(to_string(outputs[0].shape()) == "(None, 15, 15)");
  CHECK(to_string(outputs[1].shape()) == "(None, 15, 10)");
}

TEST_CASE("a built BahdanauAttention accepts other batch sizes and lengths") {
  BahdanauAttention attention;
  attention({Input({unknown_dim, 4}), Input({unknown_dim, 3})});
  auto [context, weights] =
      attention({Tensor(random_array({5, 9, 4}, 26)), Tensor(random_array({5, 2, 3}, 27))}).unpack<2>();
  CHECK(context.shape() == Shape{5, 2, 4});
  CHECK(weights.shape() == Shape{5, 2, 9});
}

TEST_CASE("BahdanauAttention rejects bad inputs with its name and the shapes") {
  const Tensor enc(Array::from_shape({3, 5, 6})), dec(Array::from_shape({3, 4, 7}));
  BahdanauAttention attention({.name = "attn"});
  CHECK_THROWS_WITH_AS(attention(enc), doctest::Contains("BahdanauAttention 'attn': expected 2 inputs"), ShapeError);
  CHECK_THROWS_WITH_AS(attention({enc, dec, dec}), doctest::Contains("got 3"), ShapeError);
  CHECK_THROWS_WITH_AS(attention({Tensor(Array::from_shape({3, 5})), dec}),
                       "BahdanauAttention 'attn': expected encoder_out (batch, encoder_time, encoder_features), "
                       "got (3, 5)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(attention({enc, Tensor(Array::from_shape({3, 4, 7, 1}))}),
                       "BahdanauAttention 'attn': expected decoder_out (batch, decoder_time, decoder_features), "
                       "got (3, 4, 7, 1)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(attention({enc, Tensor(Array::from_shape({2, 4, 7}))}),
                       "BahdanauAttention 'attn': encoder_out (3, 5, 6) and decoder_out (2, 4, 7) have different "
                       "batch sizes",
                       ShapeError);
  CHECK_THROWS_WITH_AS(attention({Input({unknown_dim, unknown_dim}), Input({4, 7})}),
                       doctest::Contains("must be known"), ShapeError);
  CHECK_FALSE(attention->built());

  attention({enc, dec});
  CHECK_THROWS_WITH_AS(attention({Tensor(Array::from_shape({3, 5, 8})), dec}),
                       doctest::Contains("was built for inputs [(3, 5, 6), (3, 4, 7)]"), ShapeError);
  CHECK_THROWS_WITH_AS(attention({enc, Tensor(Array::from_shape({2, 4, 7}))}),
                       doctest::Contains("have different batch sizes"), ShapeError);
  const Array wrong_mask = Array::from_shape({3, 4});  // decoder length, not encoder length
  CHECK_THROWS_WITH_AS(attention({enc, dec}, {.masks = {&wrong_mask}}),
                       "BahdanauAttention 'attn': the mask refers to the encoder positions and must be "
                       "(batch, encoder_time) = (3, 5) for encoder_out (3, 5, 6), got (3, 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(BahdanauAttention({.initializer = "gaussian"}), doctest::Contains("unknown initializer"),
                       Error);
}

TEST_CASE("BahdanauAttention reports its config and is rebuilt from it") {
  BahdanauAttention attention({.initializer = "glorot_uniform", .name = "attention_layer"});
  const auto config = attention->get_config();
  CHECK(config["name"] == "attention_layer");
  CHECK(config["initializer"] == "glorot_uniform");
  CHECK(config["trainable"] == true);
  CHECK(BahdanauAttention()->get_config()["initializer"] == "random_uniform");
  const auto rebuilt = layer_from_config("BahdanauAttention", config);
  CHECK(rebuilt->class_name() == "BahdanauAttention");
  CHECK(rebuilt->get_config() == config);
}
