// ONNX's GRU, LSTM and RNN on kiln's fused sequence ops, in either layout
// and every direction. ONNX's RNN with Tanh, Relu or Sigmoid is SimpleRNN's
// op, its two biases summed. ONNX's GRU gates z, r, h are Keras' order, and
// linear_before_reset=1 is Keras' reset_after (the only GRU the fused op
// runs); ONNX's LSTM gates i, o, f, c are reordered to Keras' i, f, c, o
// and its two biases summed. The weights stay as the file has them (so a
// fine-tuned model can be written back); the reordering is differentiable.

#include "ops/arithmetic.hpp"
#include "ops/concat.hpp"
#include "ops/gru.hpp"
#include "ops/lstm.hpp"
#include "ops/reshape.hpp"
#include "ops/reverse.hpp"
#include "ops/simple_rnn.hpp"
#include "ops/slice.hpp"
#include "ops/stack.hpp"
#include "onnx/import/ops/ops.hpp"

namespace kiln::onnx_import {

namespace {

struct Recurrence {
  std::size_t directions = 1, hidden = 0;
  bool batch_major = false;  // layout = 1
  std::string direction;
};

Recurrence read_recurrence(const OpCall& c, const std::vector<std::string>& default_activations) {
  Recurrence r;
  r.hidden = std::size_t(c.int_attribute("hidden_size", 0));
  if (r.hidden == 0) c.fail("hidden_size is missing");
  r.direction = c.string_attribute("direction", "forward");
  if (r.direction != "forward" && r.direction != "reverse" && r.direction != "bidirectional") {
    c.fail("unknown direction '" + r.direction + "'");
  }
  r.directions = r.direction == "bidirectional" ? 2 : 1;
  r.batch_major = c.int_attribute("layout", 0) == 1;
  if (c.has_attribute("clip")) c.fail("the clip attribute is not supported");
  const auto activations = c.strings_attribute("activations");
  for (std::size_t i = 0; i < activations.size(); ++i) {
    if (activations[i] != default_activations[i % default_activations.size()]) {
      c.fail("activation '" + activations[i] + "' is not supported; kiln's fused op runs the defaults");
    }
  }
  if (c.has_input(4)) {
    const std::size_t T = c.input(0).shape().at(r.batch_major ? 1 : 0);
    for (std::int64_t len : c.list(4)) {
      if (len != std::int64_t(T)) c.fail("sequence_lens shorter than the sequence are not supported");
    }
  }
  return r;
}

// x as (B, T, F).
Tensor batch_major(const Tensor& x, const Recurrence& r) { return r.batch_major ? x : permute(x, {1, 0, 2}); }

// Direction d's initial state (B, H), zeros when the input is omitted.
Tensor initial_state(const OpCall& c, std::size_t input, std::size_t d, const Recurrence& r, std::size_t batch) {
  if (!c.has_input(input)) return Tensor(Array(Shape{batch, r.hidden}, 0.0f));
  return select(c.tensor(input), r.batch_major ? 1 : 0, d);
}

bool runs_backwards(const Recurrence& r, std::size_t d) { return r.direction == "reverse" || d == 1; }

// Per-direction sequences (B, T, H) in input order and last states (B, H)
// as ONNX's Y and Y_h (and Y_c) for the layout.
std::vector<Value> assemble(const Recurrence& r, const std::vector<Tensor>& sequences,
                            const std::vector<std::vector<Tensor>>& finals) {
  std::vector<Tensor> per_direction;
  for (const Tensor& s : sequences) per_direction.push_back(r.batch_major ? s : permute(s, {1, 0, 2}));
  std::vector<Value> out{Value::of(stack(per_direction, r.batch_major ? 2 : 1))};
  for (const auto& states : finals) out.push_back(Value::of(stack(states, r.batch_major ? 1 : 0)));
  return out;
}

std::vector<Value> gru_op(const OpCall& c) {
  const Recurrence r = read_recurrence(c, {"Sigmoid", "Tanh"});
  if (c.int_attribute("linear_before_reset", 0) != 1) {
    c.fail("linear_before_reset=0 (Keras' reset_after=False) is not supported; kiln's GRU is reset_after=True");
  }
  const Tensor x = batch_major(c.tensor(0), r);
  const std::size_t B = x.shape(0), T = x.shape(1), H = r.hidden;
  std::vector<Tensor> sequences, lasts;
  for (std::size_t d = 0; d < r.directions; ++d) {
    const Tensor kernel = transpose(select(c.tensor(1), 0, d));
    const Tensor recurrent = transpose(select(c.tensor(2), 0, d));
    const Tensor bias = c.has_input(3) ? reshape(select(c.tensor(3), 0, d), Shape{2, 3 * H}) : Tensor();
    const bool backwards = runs_backwards(r, d);
    const Tensor seq = gru_sequence(x, initial_state(c, 5, d, r, B), kernel, recurrent, bias, {.go_backwards = backwards});
    lasts.push_back(select(seq, 1, T - 1));
    sequences.push_back(backwards ? reverse(seq, 1) : seq);
  }
  return assemble(r, sequences, {lasts});
}

// ONNX's (4H, ...) blocks i, o, f, c in Keras' order i, f, c, o.
Tensor keras_gate_order(const Tensor& onnx, std::size_t H) {
  return concat({slice(onnx, 0, 0, H), slice(onnx, 0, 2 * H, 3 * H), slice(onnx, 0, 3 * H, 4 * H), slice(onnx, 0, H, 2 * H)}, 0);
}

std::vector<Value> lstm_op(const OpCall& c) {
  const Recurrence r = read_recurrence(c, {"Sigmoid", "Tanh", "Tanh"});
  if (c.has_input(7)) c.fail("peephole weights (input P) are not supported");
  if (c.int_attribute("input_forget", 0) != 0) c.fail("input_forget=1 is not supported");
  const Tensor x = batch_major(c.tensor(0), r);
  const std::size_t B = x.shape(0), T = x.shape(1), H = r.hidden;
  std::vector<Tensor> sequences, hs, cs;
  for (std::size_t d = 0; d < r.directions; ++d) {
    const Tensor kernel = transpose(keras_gate_order(select(c.tensor(1), 0, d), H));
    const Tensor recurrent = transpose(keras_gate_order(select(c.tensor(2), 0, d), H));
    Tensor bias;
    if (c.has_input(3)) {
      const Tensor b = select(c.tensor(3), 0, d);
      bias = keras_gate_order(slice(b, 0, 0, 4 * H) + slice(b, 0, 4 * H, 8 * H), H);
    }
    const bool backwards = runs_backwards(r, d);
    const Tensor states = lstm_sequence(x, initial_state(c, 5, d, r, B), initial_state(c, 6, d, r, B), kernel,
                                        recurrent, bias, {.go_backwards = backwards});
    const Tensor h = select(states, 2, 0);
    hs.push_back(select(h, 1, T - 1));
    cs.push_back(select(select(states, 2, 1), 1, T - 1));
    sequences.push_back(backwards ? reverse(h, 1) : h);
  }
  return assemble(r, sequences, {hs, cs});
}

// ONNX's activation names for the ones simple_rnn_sequence runs.
SimpleRnnActivation simple_rnn_activation_of(const OpCall& c, const std::string& onnx) {
  if (onnx == "Tanh") return SimpleRnnActivation::tanh;
  if (onnx == "Relu") return SimpleRnnActivation::relu;
  if (onnx == "Sigmoid") return SimpleRnnActivation::sigmoid;
  c.fail("activation '" + onnx + "' is not supported (Tanh, Relu or Sigmoid)");
}

std::vector<Value> rnn_op(const OpCall& c) {
  const std::vector<std::string> activations = c.strings_attribute("activations");
  // Each direction's activation is its own entry; read_recurrence checks the rest.
  const Recurrence r = read_recurrence(c, activations.empty() ? std::vector<std::string>{"Tanh"} : activations);
  const Tensor x = batch_major(c.tensor(0), r);
  const std::size_t B = x.shape(0), T = x.shape(1), H = r.hidden;
  std::vector<Tensor> sequences, lasts;
  for (std::size_t d = 0; d < r.directions; ++d) {
    const std::string onnx_activation = activations.empty() ? "Tanh" : activations.at(d % activations.size());
    const Tensor kernel = transpose(select(c.tensor(1), 0, d));
    const Tensor recurrent = transpose(select(c.tensor(2), 0, d));
    Tensor bias;
    if (c.has_input(3)) {
      const Tensor b = select(c.tensor(3), 0, d);
      bias = slice(b, 0, 0, H) + slice(b, 0, H, 2 * H);
    }
    const bool backwards = runs_backwards(r, d);
    const Tensor seq =
        simple_rnn_sequence(x, initial_state(c, 5, d, r, B), kernel, recurrent, bias,
                            {.go_backwards = backwards, .activation = simple_rnn_activation_of(c, onnx_activation)});
    lasts.push_back(select(seq, 1, T - 1));
    sequences.push_back(backwards ? reverse(seq, 1) : seq);
  }
  return assemble(r, sequences, {lasts});
}

}  // namespace

void add_recurrent_ops(std::map<std::string, OpHandler>& ops) {
  ops["GRU"] = gru_op;
  ops["LSTM"] = lstm_op;
  ops["RNN"] = rnn_op;
}

}  // namespace kiln::onnx_import
