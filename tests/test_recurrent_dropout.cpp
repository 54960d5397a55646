// dropout and recurrent_dropout in the recurrent layers and cells, as Keras
// 3: masks drawn once per sequence (the same units dropped at every step),
// inverted (kept entries scaled by 1 / (1 - rate)), one mask per gate for a
// gated cell with recurrent dropout, inactive at inference. The fused path
// with input dropout equals stepping the cell with the same masks.

#include <cmath>

#include "graph/gradcheck.hpp"
#include "layers/gru.hpp"
#include "layers/gru_cell.hpp"
#include "layers/lstm.hpp"
#include "layers/lstm_cell.hpp"
#include "layers/recurrent_dropout.hpp"
#include "layers/rnn.hpp"
#include "layers/simple_rnn.hpp"
#include "layers/simple_rnn_cell.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::max_abs_diff;
using kiln::testing::random_array;
using kiln::testing::random_param;

namespace {

double zero_fraction(const Array& a) {
  std::size_t zeros = 0;
  for (float v : a) zeros += v == 0.0f;
  return double(zeros) / double(a.size());
}

bool only_values(const Array& a, float kept) {
  for (float v : a) {
    if (v != 0.0f && std::abs(v - kept) > 1e-6f) return false;
  }
  return true;
}

Array identity(std::size_t n) {
  Array eye(Shape{n, n}, 0.0f);
  for (std::size_t i = 0; i < n; ++i) eye(i, i) = 1.0f;
  return eye;
}

}  // namespace

TEST_CASE("recurrent dropout masks: Keras 3's counts, the rate's share of zeros, kept entries scaled") {
  RecurrentDropout input_only("cell", 0.3f, 0.0f, 5, 3);
  input_only.begin_sequence(400, 50, 20, true);
  REQUIRE(input_only.input_masks().size() == 1);  // no recurrent dropout: one mask (Keras' implementation 2)
  CHECK(input_only.recurrent_masks().empty());
  const Array& m = input_only.input_masks()[0];
  CHECK(m.shape() == Shape{400, 50});
  CHECK(std::abs(zero_fraction(m) - 0.3) < 0.02);  // 20000 draws: sd 0.003
  CHECK(only_values(m, 1.0f / 0.7f));

  RecurrentDropout both("cell", 0.3f, 0.2f, 5, 3);
  both.begin_sequence(400, 50, 20, true);
  REQUIRE(both.input_masks().size() == 3);  // recurrent dropout: one mask per gate (implementation 1)
  REQUIRE(both.recurrent_masks().size() == 3);
  CHECK(both.recurrent_masks()[0].shape() == Shape{400, 20});
  CHECK(max_abs_diff(both.input_masks()[0], both.input_masks()[1]) > 0.0);
  CHECK(max_abs_diff(both.recurrent_masks()[1], both.recurrent_masks()[2]) > 0.0);
  for (const Array& r : both.recurrent_masks()) {
    CHECK(std::abs(zero_fraction(r) - 0.2) < 0.03);
    CHECK(only_values(r, 1.0f / 0.8f));
  }
  both.begin_sequence(400, 50, 20, false);  // inference: none
  CHECK(both.input_masks().empty());
  CHECK(both.recurrent_masks().empty());
}

TEST_CASE("SimpleRNN drops the same input features and state units at every step of a sequence") {
  // h_t = x_t kernel with kernel = I and recurrent_kernel = 0: each step shows the input mask.
  SimpleRNN inputs_only({.units = 4, .activation = "linear", .use_bias = false, .return_sequences = true,
                         .dropout = 0.5f, .seed = 1});
  const Tensor ones(Array(Shape{64, 6, 4}, 1.0f));
  inputs_only(ones);
  inputs_only->set_weights({identity(4), Array(Shape{4, 4}, 0.0f)});
  const Array y = inputs_only(ones, {.training = true})[0].value();
  CHECK(only_values(y, 2.0f));
  CHECK(std::abs(zero_fraction(y) - 0.5) < 0.1);
  for (std::size_t b = 0; b < 64; ++b) {
    for (std::size_t t = 1; t < 6; ++t) {
      for (std::size_t j = 0; j < 4; ++j) CHECK(y(b, t, j) == y(b, 0, j));
    }
  }
  // A new call draws new masks.
  CHECK(max_abs_diff(inputs_only(ones, {.training = true})[0].value(), y) > 0.0);

  // kernel = recurrent_kernel = I, x = ones at step 0 only: h_0 = 1, h_1 = m, h_2 = m * m.
  SimpleRNN recurrent({.units = 4, .activation = "linear", .use_bias = false, .return_sequences = true,
                       .recurrent_dropout = 0.5f, .seed = 2});
  Array first(Shape{64, 3, 4}, 0.0f);
  for (std::size_t b = 0; b < 64; ++b) {
    for (std::size_t j = 0; j < 4; ++j) first(b, 0, j) = 1.0f;
  }
  recurrent(Tensor(first));
  recurrent->set_weights({identity(4), identity(4)});
  const Array h = recurrent(Tensor(first), {.training = true})[0].value();
  for (std::size_t b = 0; b < 64; ++b) {
    for (std::size_t j = 0; j < 4; ++j) {
      CHECK(h(b, 0, j) == 1.0f);
      CHECK((h(b, 1, j) == 0.0f || h(b, 1, j) == 2.0f));
      CHECK(h(b, 2, j) == h(b, 1, j) * h(b, 1, j));
    }
  }
}

TEST_CASE("training=false gives the deterministic, dropout-free output of GRU, LSTM, SimpleRNN and RNN") {
  const Tensor x(random_array({4, 5, 3}, 11));
  auto check = [&](const std::shared_ptr<Layer>& dropping, const std::shared_ptr<Layer>& plain) {
    CAPTURE(dropping->class_name());
    (*dropping)(x);
    (*plain)(x);
    plain->set_weights(dropping->get_weights());
    const Array inference = (*dropping)(x)[0].value();
    CHECK(max_abs_diff(inference, (*plain)(x)[0].value()) == 0.0);
    CHECK(max_abs_diff(inference, (*dropping)(x, {.training = false})[0].value()) == 0.0);
    CHECK(max_abs_diff(inference, (*dropping)(x, {.training = true})[0].value()) > 1e-3);
  };
  check(GRU({.units = 6, .dropout = 0.5f, .recurrent_dropout = 0.5f}), GRU({.units = 6}));
  check(LSTM({.units = 6, .dropout = 0.5f, .recurrent_dropout = 0.5f}), LSTM({.units = 6}));
  check(GRU({.units = 6, .dropout = 0.5f}), GRU({.units = 6}));
  check(SimpleRNN({.units = 6, .dropout = 0.5f, .recurrent_dropout = 0.5f}), SimpleRNN({.units = 6}));
  check(RNN({.cell = LSTMCell({.units = 6, .dropout = 0.5f, .recurrent_dropout = 0.5f})}),
        RNN({.cell = LSTMCell({.units = 6})}));
}

TEST_CASE("the fused GRU and LSTM with dropout equal RNN of their cell drawing the same masks") {
  const Tensor x(random_array({4, 5, 3}, 21));
  for (const float recurrent : {0.0f, 0.3f}) {  // input dropout alone runs the fused op
    CAPTURE(recurrent);
    GRU gru({.units = 4, .return_sequences = true, .bias_initializer = "random_uniform", .dropout = 0.4f,
             .recurrent_dropout = recurrent, .seed = 9});
    RNN gru_rnn({.cell = GRUCell({.units = 4, .dropout = 0.4f, .recurrent_dropout = recurrent, .seed = 9}),
                 .return_sequences = true});
    gru(x);
    gru_rnn(x);
    gru_rnn->set_weights(gru->get_weights());
    CHECK(max_abs_diff(gru(x, {.training = true})[0].value(), gru_rnn(x, {.training = true})[0].value()) < 1e-6);

    LSTM lstm({.units = 4, .return_sequences = true, .dropout = 0.4f, .recurrent_dropout = recurrent, .seed = 9});
    RNN lstm_rnn({.cell = LSTMCell({.units = 4, .dropout = 0.4f, .recurrent_dropout = recurrent, .seed = 9}),
                  .return_sequences = true});
    lstm(x);
    lstm_rnn(x);
    lstm_rnn->set_weights(lstm->get_weights());
    CHECK(max_abs_diff(lstm(x, {.training = true})[0].value(), lstm_rnn(x, {.training = true})[0].value()) < 1e-6);
  }
}

TEST_CASE("the cells' steps with dropout masks have finite-difference gradients") {
  Tensor x = random_param({3, 5}, 31, "x");
  Tensor h = random_param({3, 4}, 32, "h", -0.5f, 0.5f);
  Tensor c = random_param({3, 4}, 33, "c", -0.5f, 0.5f);
  RecurrentDropout per_gate("cell", 0.3f, 0.3f, 4, 4);
  per_gate.begin_sequence(3, 5, 4, true);
  RecurrentDropout single("cell", 0.3f, 0.3f, 5, 1);
  single.begin_sequence(3, 5, 4, true);
  RecurrentDropout three("cell", 0.3f, 0.3f, 6, 3);
  three.begin_sequence(3, 5, 4, true);
  const CellWeights lstm_w{random_param({5, 16}, 34), random_param({4, 16}, 35), random_param({16}, 36)};
  CHECK_GRADIENTS([&] { return lstm_step("tanh", "sigmoid", lstm_w, x, h, c, per_gate)[1]; },
                  {x, h, c, lstm_w.kernel, lstm_w.recurrent_kernel, lstm_w.bias});
  const CellWeights gru_w{random_param({5, 12}, 37), random_param({4, 12}, 38), random_param({2, 12}, 39)};
  CHECK_GRADIENTS([&] { return gru_step({}, gru_w, x, h, three); },
                  {x, h, gru_w.kernel, gru_w.recurrent_kernel, gru_w.bias});
  const CellWeights gru_before{random_param({5, 12}, 40), random_param({4, 12}, 41), random_param({12}, 42)};
  CHECK_GRADIENTS([&] { return gru_step({.reset_after = false}, gru_before, x, h, three); },
                  {x, h, gru_before.kernel, gru_before.recurrent_kernel, gru_before.bias});
  const CellWeights simple_w{random_param({5, 4}, 43), random_param({4, 4}, 44), random_param({4}, 45)};
  CHECK_GRADIENTS([&] { return simple_rnn_step("tanh", simple_w, x, h, single); },
                  {x, h, simple_w.kernel, simple_w.recurrent_kernel, simple_w.bias});
}
