// LSTM: the fused op lstm_sequence and the LSTM layer against the equations
// written out step by step (tests/reference_rnn.hpp) with masks and
// go_backwards, finite-difference gradients, the forget-gate bias, errors and
// config. Behaviour LSTM shares with GRU is specified in test_recurrent.cpp.

#include <nlohmann/json.hpp>
#include <xtensor/xview.hpp>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "layers/lstm.hpp"
#include "layers/registry.hpp"
#include "ops/arithmetic.hpp"
#include "ops/lstm.hpp"
#include "ops/reductions.hpp"
#include "ops/slice.hpp"
#include "reference_rnn.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;
using kiln::testing::random_param;
using kiln::testing::reference_lstm;

namespace {

// Random LSTM inputs: B = 3, T = 4, D = 5, H = 3.
struct SmallLstm {
  Array x = random_array({3, 4, 5}, 31);
  Array h0 = random_array({3, 3}, 32, -0.5f, 0.5f);
  Array c0 = random_array({3, 3}, 33, -0.5f, 0.5f);
  Array kernel = random_array({5, 12}, 34, -0.6f, 0.6f);
  Array recurrent_kernel = random_array({3, 12}, 35, -0.6f, 0.6f);
  Array bias = random_array({12}, 36, -0.3f, 0.3f);
};

const Array gappy_mask = {{1.0f, 0.0f, 1.0f, 0.0f}, {1.0f, 1.0f, 1.0f, 1.0f}, {0.0f, 0.0f, 0.0f, 0.0f}};

}  // namespace

TEST_CASE("lstm_sequence follows the LSTM equations step by step, with masks and go_backwards") {
  const SmallLstm l;
  for (const bool backwards : {false, true}) {
    for (const Array* mask : {static_cast<const Array*>(nullptr), &gappy_mask}) {
      CAPTURE(backwards);
      CAPTURE(mask != nullptr);
      const Tensor both = lstm_sequence(Tensor(l.x), Tensor(l.h0), Tensor(l.c0), Tensor(l.kernel),
                                        Tensor(l.recurrent_kernel), Tensor(l.bias), {mask, backwards});
      CHECK(both.shape() == Shape{3, 4, 2, 3});
      const Array expected =
          reference_lstm({l.x, l.kernel, l.recurrent_kernel, l.bias, mask, backwards}, l.h0, l.c0);
      CHECK_ARRAY_NEAR(both.value(), expected, 1e-5);
    }
  }
}

TEST_CASE("lstm_sequence without a bias follows the equations with no bias") {
  const SmallLstm l;
  const Tensor both = lstm_sequence(Tensor(l.x), Tensor(l.h0), Tensor(l.c0), Tensor(l.kernel),
                                    Tensor(l.recurrent_kernel), Tensor());
  CHECK_ARRAY_NEAR(both.value(), reference_lstm({l.x, l.kernel, l.recurrent_kernel, Array()}, l.h0, l.c0), 1e-5);
}

TEST_CASE("at a masked step both LSTM states are carried unchanged") {
  const SmallLstm l;
  const Array both = lstm_sequence(Tensor(l.x), Tensor(l.h0), Tensor(l.c0), Tensor(l.kernel),
                                   Tensor(l.recurrent_kernel), Tensor(l.bias), {.mask = &gappy_mask})
                         .value();
  for (std::size_t k = 0; k < 2; ++k) {
    for (std::size_t j = 0; j < 3; ++j) {
      CHECK(both(0, 1, k, j) == both(0, 0, k, j));
      CHECK(both(0, 3, k, j) == both(0, 2, k, j));
      CHECK(both(2, 3, k, j) == (k == 0 ? l.h0(2, j) : l.c0(2, j)));
    }
  }
}

TEST_CASE("lstm_sequence gradients match finite differences over every input, with a mask and go_backwards") {
  Tensor x = random_param({2, 3, 3}, 41, "x");
  Tensor h0 = random_param({2, 2}, 42, "h0", -0.5f, 0.5f);
  Tensor c0 = random_param({2, 2}, 43, "c0", -0.5f, 0.5f);
  Tensor kernel = random_param({3, 8}, 44, "kernel");
  Tensor recurrent_kernel = random_param({2, 8}, 45, "recurrent_kernel");
  Tensor bias = random_param({8}, 46, "bias", -0.5f, 0.5f);
  const Array mask = {{1.0f, 0.0f, 1.0f}, {0.0f, 1.0f, 1.0f}};
  for (const bool backwards : {false, true}) {
    for (const Array* m : {static_cast<const Array*>(nullptr), &mask}) {
      CAPTURE(backwards);
      CAPTURE(m != nullptr);
      CHECK_GRADIENTS([&] { return lstm_sequence(x, h0, c0, kernel, recurrent_kernel, bias, {m, backwards}); },
                      {x, h0, c0, kernel, recurrent_kernel, bias});
    }
  }
}

TEST_CASE("the LSTM layer returns [output, h, c] taken from the fused op") {
  const SmallLstm l;
  LSTM lstm({.units = 3, .return_sequences = true, .return_state = true});
  lstm->build_for({{3, 4, 5}, {3, 3}, {3, 3}});
  lstm->set_weights({l.kernel, l.recurrent_kernel, l.bias});
  auto [output, h, c] = lstm({Tensor(l.x), Tensor(l.h0), Tensor(l.c0)}).unpack<3>();
  const Array expected = reference_lstm({l.x, l.kernel, l.recurrent_kernel, l.bias}, l.h0, l.c0);
  CHECK_ARRAY_NEAR(output.value(), Array(xt::view(expected, xt::all(), xt::all(), 0, xt::all())), 1e-5);
  CHECK_ARRAY_NEAR(h.value(), Array(xt::view(expected, xt::all(), 3, 0, xt::all())), 1e-5);
  CHECK_ARRAY_NEAR(c.value(), Array(xt::view(expected, xt::all(), 3, 1, xt::all())), 1e-5);
}

TEST_CASE("LSTM layer gradients match finite differences over input, both states and weights") {
  LSTM lstm({.units = 2, .return_sequences = true, .return_state = true, .bias_initializer = "random_uniform"});
  Tensor x = random_param({2, 3, 3}, 51, "x");
  Tensor h0 = random_param({2, 2}, 52, "h0", -0.5f, 0.5f);
  Tensor c0 = random_param({2, 2}, 53, "c0", -0.5f, 0.5f);
  const Array mask = {{1.0f, 1.0f, 0.0f}, {0.0f, 1.0f, 1.0f}};
  lstm({x, h0, c0});
  // The sequence and the final c both reach the loss.
  CHECK_GRADIENTS(
      [&] {
        auto out = lstm({x, h0, c0}, {.masks = {&mask}});
        return sum(out[0]) + sum(out[2] * Tensor(Array{{0.3f, -0.7f}, {1.1f, 0.2f}}));
      },
      {x, h0, c0, lstm->kernel(), lstm->recurrent_kernel(), lstm->bias()});
}

TEST_CASE("unit_forget_bias starts the forget gate's bias at 1 and the others at the bias initializer") {
  LSTM lstm({.units = 3});
  lstm(Tensor(Array(Shape{1, 2, 4}, 0.0f)));
  CHECK(lstm->bias().value() == Array{0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0});
  LSTM plain({.units = 2, .unit_forget_bias = false, .bias_initializer = "ones"});
  plain(Tensor(Array(Shape{1, 2, 4}, 0.0f)));
  CHECK(plain->bias().value() == Array{1, 1, 1, 1, 1, 1, 1, 1});
}

TEST_CASE("LSTM creates kernel, recurrent_kernel and bias with Keras' shapes and names") {
  LSTM lstm({.units = 4, .name = "encoder_lstm"});
  lstm(Tensor(Array(Shape{2, 3, 5}, 0.0f)));
  const auto named = lstm->named_weights();
  REQUIRE(named.size() == 3);
  CHECK(named[0].first == "encoder_lstm/kernel");
  CHECK(named[0].second.shape() == Shape{5, 16});
  CHECK(named[1].first == "encoder_lstm/recurrent_kernel");
  CHECK(named[1].second.shape() == Shape{4, 16});
  CHECK(named[2].first == "encoder_lstm/bias");
  CHECK(named[2].second.shape() == Shape{16});
}

TEST_CASE("lstm_sequence names the argument and the shapes when they do not fit") {
  const SmallLstm l;
  const Tensor x(l.x), h0(l.h0), c0(l.c0), k(l.kernel), rk(l.recurrent_kernel), b(l.bias);
  CHECK_THROWS_WITH_AS(lstm_sequence(x, h0, c0, k, rk, Tensor(Array::from_shape({2, 12}))),
                       "lstm_sequence: bias must be (12) for input (3, 4, 5), got (2, 12)", ShapeError);
  CHECK_THROWS_WITH_AS(lstm_sequence(x, h0, Tensor(Array::from_shape({3, 4})), k, rk, b),
                       "lstm_sequence: initial state 1 must be (3, 3) for input (3, 4, 5), got (3, 4)", ShapeError);
  CHECK_THROWS_WITH_AS(lstm_sequence(x, h0, c0, k, Tensor(Array::from_shape({3, 9})), b),
                       "lstm_sequence: recurrent_kernel must be (units, 4 * units), got (3, 9)", ShapeError);
  CHECK_THROWS_WITH_AS(lstm_sequence(x, h0, c0, Tensor(Array::from_shape({5, 9})), rk, b),
                       "lstm_sequence: kernel must be (5, 12) for input (3, 4, 5), got (5, 9)", ShapeError);
}

TEST_CASE("LSTM rejects activations the fused op does not implement, naming the layer") {
  CHECK_THROWS_WITH_AS(LSTM({.units = 4, .activation = "relu", .name = "l"}),
                       doctest::Contains("LSTM 'l': activation 'relu'"), Error);
}

TEST_CASE("LSTM reports its config as Keras does") {
  LSTM lstm({.units = 8, .return_state = true, .name = "lstm_a"});
  const auto config = lstm->get_config();
  CHECK(config["name"] == "lstm_a");
  CHECK(config["units"] == 8);
  CHECK(config["return_sequences"] == false);
  CHECK(config["return_state"] == true);
  CHECK(config["unit_forget_bias"] == true);
  CHECK(config["activation"] == "tanh");
  CHECK(config["recurrent_initializer"] == "orthogonal");
  CHECK(layer_from_config("LSTM", config)->get_config() == config);
  LSTM plain({.units = 3, .unit_forget_bias = false, .name = "lstm_b"});
  CHECK(layer_from_config("LSTM", plain->get_config())->get_config() == plain->get_config());
}
