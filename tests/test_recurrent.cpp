// What every recurrent layer does the same way (RecurrentLayer), specified
// once and run over GRU and LSTM: output shapes, states, masks (Keras'
// rules), go_backwards, symbolic calls, gradients, errors, config.

#include <string>

#include <nlohmann/json.hpp>
#include <xtensor/xview.hpp>

#include "graph/error.hpp"
#include "layers/gru.hpp"
#include "layers/lstm.hpp"
#include "ops/slice.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::max_abs_diff;
using kiln::testing::random_array;
using kiln::testing::random_param;

namespace {

template <class L>
struct Cell;
template <>
struct Cell<GRU> {
  static constexpr std::size_t states = 1;
  static constexpr const char* name = "GRU";
};
template <>
struct Cell<LSTM> {
  static constexpr std::size_t states = 2;
  static constexpr const char* name = "LSTM";
};

struct Flags {
  bool sequences = false, state = false, backwards = false, zero_masked = false;
  std::string name = {};
};

template <class L>
L make(std::size_t units, Flags f = {}) {
  typename L::Options o;
  o.units = units;
  o.return_sequences = f.sequences;
  o.return_state = f.state;
  o.go_backwards = f.backwards;
  o.zero_output_for_mask = f.zero_masked;
  o.bias_initializer = "random_uniform";
  o.name = f.name;
  return L(o);
}

// [x, s random initial states of shape (batch, units)]
std::vector<Tensor> with_states(const Tensor& x, std::size_t states, std::size_t units, std::uint64_t seed) {
  std::vector<Tensor> inputs{x};
  for (std::size_t k = 0; k < states; ++k) {
    inputs.push_back(Tensor(random_array({x.shape(0), units}, seed + k, -0.8f, 0.8f)));
  }
  return inputs;
}

Array row(const Tensor& t, std::size_t b) { return xt::view(t.value(), b); }
Array step(const Tensor& seq, std::size_t b, std::size_t s) { return xt::view(seq.value(), b, s); }

}  // namespace

TEST_CASE_TEMPLATE("a recurrent layer returns [output] or [output, states...] shaped by its flags", L, GRU, LSTM) {
  const Tensor x(random_array({2, 5, 3}, 1));
  for (const bool sequences : {false, true}) {
    for (const bool state : {false, true}) {
      CAPTURE(sequences);
      CAPTURE(state);
      L layer = make<L>(4, {.sequences = sequences, .state = state});
      const auto out = layer(x);
      REQUIRE(out.size() == 1 + (state ? Cell<L>::states : 0));
      CHECK(out[0].shape() == (sequences ? Shape{2, 5, 4} : Shape{2, 4}));
      for (std::size_t k = 1; k < out.size(); ++k) CHECK(out[k].shape() == Shape{2, 4});
    }
  }
}

TEST_CASE_TEMPLATE("a symbolic call leaves unknown batch and time as None", L, GRU, LSTM) {
  L layer = make<L>(4, {.sequences = true, .state = true});
  const auto out = layer(Input({unknown_dim, 3}, "tokens"));
  REQUIRE(out.size() == 1 + Cell<L>::states);
  CHECK(to_string(out[0].shape()) == "(None, None, 4)");
  CHECK(to_string(out[1].shape()) == "(None, 4)");
  CHECK(layer->weights().size() == 3);  // built from the known feature size

  L last = make<L>(4);
  CHECK(to_string(SymbolicTensor(last(Input({7, 3}))).shape()) == "(None, 4)");
}

TEST_CASE_TEMPLATE("the output without return_sequences is the last step of the sequence, and h", L, GRU, LSTM) {
  const Tensor x(random_array({2, 5, 3}, 2));
  L full = make<L>(4, {.sequences = true, .state = true});
  const auto seq_out = full(x);
  L last = make<L>(4, {.state = true});
  last(x);
  last->set_weights(full->get_weights());
  const auto last_out = last(x);
  for (std::size_t b = 0; b < 2; ++b) {
    CHECK_ARRAY_NEAR(step(seq_out[0], b, 4), row(seq_out[1], b), 0.0);  // h is the last output
    CHECK_ARRAY_NEAR(row(last_out[0], b), row(seq_out[1], b), 0.0);
  }
}

TEST_CASE_TEMPLATE("initial states default to zeros and are used when given", L, GRU, LSTM) {
  const Tensor x(random_array({2, 3, 3}, 3));
  L layer = make<L>(4, {.sequences = true});
  const Tensor plain = layer(x);
  // Layer's build check wants the same input count on every call, so the
  // stateful calls go to a twin holding the same weights.
  L twin = make<L>(4, {.sequences = true});
  std::vector<Tensor> zeros{x};
  for (std::size_t k = 0; k < Cell<L>::states; ++k) zeros.push_back(Tensor(Array(Shape{2, 4}, 0.0f)));
  twin(zeros);
  twin->set_weights(layer->get_weights());
  CHECK(Tensor(twin(zeros)).value() == plain.value());
  CHECK(max_abs_diff(Tensor(twin(with_states(x, Cell<L>::states, 4, 7))).value(), plain.value()) > 1e-3);
}

TEST_CASE_TEMPLATE("a masked step carries the states and repeats the previous output, zeros before the first kept one",
                   L, GRU, LSTM) {
  constexpr std::size_t S = Cell<L>::states;
  const Tensor x(random_array({2, 4, 3}, 4));
  const auto inputs = with_states(x, S, 4, 9);  // non-zero initial states
  const Array mask = {{0.0f, 1.0f, 1.0f, 0.0f}, {1.0f, 1.0f, 1.0f, 1.0f}};
  L layer = make<L>(4, {.sequences = true, .state = true});
  const auto masked = layer(inputs, {.masks = {&mask}});
  const auto unmasked = layer(inputs);
  // Row 0 is, in effect, a run over its kept steps 1 and 2 only.
  std::vector<Tensor> kept = inputs;
  kept[0] = slice(x, 1, 1, 3);
  const auto short_run = layer(kept);

  CHECK(step(masked[0], 0, 0) == Array(Shape{4}, 0.0f));  // nothing kept yet: zeros, not h0
  CHECK_ARRAY_NEAR(step(masked[0], 0, 1), step(short_run[0], 0, 0), 1e-6);
  CHECK_ARRAY_NEAR(step(masked[0], 0, 2), step(short_run[0], 0, 1), 1e-6);
  CHECK(step(masked[0], 0, 3) == step(masked[0], 0, 2));  // repeats the last kept output
  for (std::size_t k = 1; k <= S; ++k) CHECK_ARRAY_NEAR(row(masked[k], 0), row(short_run[k], 0), 1e-6);
  // Row 1 keeps every step: as if there were no mask.
  for (std::size_t k = 0; k <= S; ++k) CHECK_ARRAY_NEAR(row(masked[k], 1), row(unmasked[k], 1), 0.0);
}

TEST_CASE_TEMPLATE("zero_output_for_mask gives zeros at every masked step", L, GRU, LSTM) {
  const Tensor x(random_array({1, 4, 3}, 5));
  const Array mask = {{1.0f, 1.0f, 0.0f, 1.0f}};
  L zeroing = make<L>(4, {.sequences = true, .zero_masked = true});
  const Tensor out = zeroing(x, {.masks = {&mask}});
  L repeating = make<L>(4, {.sequences = true});
  repeating(x);
  repeating->set_weights(zeroing->get_weights());
  const Tensor repeated = repeating(x, {.masks = {&mask}});
  CHECK(step(out, 0, 2) == Array(Shape{4}, 0.0f));
  CHECK(step(repeated, 0, 2) == step(repeated, 0, 1));
  CHECK(step(out, 0, 3) == step(repeated, 0, 3));

  // Without return_sequences the output is the last entry of that sequence.
  L last = make<L>(4, {.state = true, .zero_masked = true});
  const Array last_masked = {{1.0f, 1.0f, 1.0f, 0.0f}};
  const auto out_last = last(x, {.masks = {&last_masked}});
  CHECK(out_last[0].value() == Array(Shape{1, 4}, 0.0f));
  CHECK(max_abs_diff(out_last[1].value(), Array(Shape{1, 4}, 0.0f)) > 1e-3);  // the state is carried
  CHECK(Tensor(last(x, {.masks = {&mask}})[0]).value() == Tensor(last(x, {.masks = {&mask}})[1]).value());
}

TEST_CASE_TEMPLATE("with go_backwards the sequence and the mask are read last step first", L, GRU, LSTM) {
  constexpr std::size_t S = Cell<L>::states;
  const Tensor x(random_array({1, 4, 3}, 6));
  const Array mask = {{1.0f, 1.0f, 0.0f, 0.0f}};  // padding at the end is met first
  L layer = make<L>(4, {.sequences = true, .state = true, .backwards = true});
  const auto out = layer(x, {.masks = {&mask}});
  const auto kept_only = layer(slice(x, 1, 0, 2));  // backwards over steps 1 then 0
  CHECK(step(out[0], 0, 0) == Array(Shape{4}, 0.0f));
  CHECK(step(out[0], 0, 1) == Array(Shape{4}, 0.0f));
  CHECK_ARRAY_NEAR(step(out[0], 0, 2), step(kept_only[0], 0, 0), 1e-6);
  CHECK_ARRAY_NEAR(step(out[0], 0, 3), step(kept_only[0], 0, 1), 1e-6);
  for (std::size_t k = 1; k <= S; ++k) CHECK_ARRAY_NEAR(out[k].value(), kept_only[k].value(), 1e-6);
}

TEST_CASE_TEMPLATE("a fully masked row keeps its initial states and outputs zeros", L, GRU, LSTM) {
  constexpr std::size_t S = Cell<L>::states;
  const auto inputs = with_states(Tensor(random_array({2, 3, 3}, 7)), S, 4, 11);
  const Array mask = {{0.0f, 0.0f, 0.0f}, {1.0f, 0.0f, 1.0f}};
  L layer = make<L>(4, {.state = true});
  const auto out = layer(inputs, {.masks = {&mask}});
  CHECK(row(out[0], 0) == Array(Shape{4}, 0.0f));
  for (std::size_t k = 1; k <= S; ++k) CHECK(row(out[k], 0) == row(inputs[k], 0));
  CHECK(row(out[0], 1) == row(out[1], 1));
}

TEST_CASE_TEMPLATE("the output mask is the input mask with return_sequences, none otherwise", L, GRU, LSTM) {
  const Tensor x(random_array({1, 3, 2}, 8));
  const Array mask = {{1.0f, 1.0f, 0.0f}};
  L sequences = make<L>(2, {.sequences = true, .backwards = true});
  L last = make<L>(2);
  const Tensor sequence = sequences(x, {.masks = {&mask}});
  REQUIRE(sequence.mask());
  CHECK(*sequence.mask() == mask);  // not reversed, as in Keras
  CHECK_FALSE(Tensor(last(x, {.masks = {&mask}})).mask());
  CHECK_FALSE(Tensor(sequences(x)).mask());
}

TEST_CASE_TEMPLATE("recurrent layer gradients match finite differences with go_backwards and a mask", L, GRU, LSTM) {
  L layer = make<L>(2, {.sequences = true, .backwards = true});
  Tensor x = random_param({2, 3, 3}, 61, "x");
  std::vector<Tensor> inputs{x};
  for (std::size_t k = 0; k < Cell<L>::states; ++k) {
    inputs.push_back(random_param({2, 2}, 62 + k, "state", -0.5f, 0.5f));
  }
  const Array mask = {{1.0f, 1.0f, 0.0f}, {0.0f, 1.0f, 1.0f}};
  layer(inputs);
  std::vector<Tensor> wrt = inputs;
  for (const Tensor& w : layer->weights()) wrt.push_back(w);
  CHECK_GRADIENTS([&] { return Tensor(layer(inputs, {.masks = {&mask}})); }, wrt);
}

TEST_CASE_TEMPLATE("bad inputs name the layer and the shapes", L, GRU, LSTM) {
  const std::string who = std::string(Cell<L>::name) + " 'encoder_rnn': ";
  L layer = make<L>(4, {.name = "encoder_rnn"});
  CHECK_THROWS_WITH_AS(layer(Tensor(Array::from_shape({64, 20}))),
                       (who + "expected input (batch, time, features), got (64, 20)").c_str(), ShapeError);
  const Tensor x(random_array({2, 5, 3}, 9));
  const std::string states = Cell<L>::states == 1 ? "h0" : "h0, c0";
  CHECK_THROWS_WITH_AS(layer({x, x, x, x}), (who + "expected inputs [x] or [x, " + states + "], got 4 inputs").c_str(),
                       ShapeError);
  std::vector<Tensor> bad_state{x};
  for (std::size_t k = 0; k < Cell<L>::states; ++k) bad_state.push_back(Tensor(Array::from_shape({2, 5})));
  CHECK_THROWS_WITH_AS(layer(bad_state), (who + "initial state h0 must be (batch, units) = (2, 4), got (2, 5)").c_str(),
                       ShapeError);
  const Array short_mask = Array::from_shape({2, 4});
  CHECK_THROWS_WITH_AS(layer(x, {.masks = {&short_mask}}),
                       (who + "mask must be (batch, time) = (2, 5), got (2, 4)").c_str(), ShapeError);
  CHECK_THROWS_WITH_AS(layer(Tensor(Array::from_shape({2, 5, 6}))), (who + "was built for 3 input features and cannot be called on (2, 5, 6)").c_str(),
                       ShapeError);
  CHECK_THROWS_WITH_AS(layer(Tensor(Array::from_shape({2, 0, 3}))),
                       (who + "expected at least one time step, got input (2, 0, 3)").c_str(), ShapeError);
}

TEST_CASE_TEMPLATE("recreate keeps the options and takes the new name and common settings", L, GRU, LSTM) {
  L layer = make<L>(5, {.sequences = true, .name = "template"});
  RecurrentSettings s = layer->settings();
  s.go_backwards = true;
  s.return_state = true;
  const auto copy = layer->recreate("backward_template", s);
  CHECK(copy->name() == "backward_template");
  CHECK(copy->class_name() == Cell<L>::name);
  CHECK_FALSE(copy->built());
  const auto config = copy->get_config();
  CHECK(config["units"] == 5);
  CHECK(config["go_backwards"] == true);
  CHECK(config["return_state"] == true);
  CHECK(config["return_sequences"] == true);
  CHECK(config["bias_initializer"] == "random_uniform");
  CHECK(config["zero_output_for_mask"] == false);
}
