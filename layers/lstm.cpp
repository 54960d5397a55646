#include "layers/lstm.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ops/lstm.hpp"
#include "ops/slice.hpp"

namespace kiln {

namespace {

// Keras' unit_forget_bias: [bias_initializer(units), ones(units), bias_initializer(2 units)].
Initializer forget_bias_one(Initializer bias_initializer, std::size_t units) {
  return [bias_initializer, units](const Shape&) {
    Array bias = Array::from_shape({4 * units});
    const Array input = bias_initializer({units});
    const Array cell_output = bias_initializer({2 * units});
    std::copy_n(input.data(), units, bias.data());
    std::fill_n(bias.data() + units, units, 1.0f);
    std::copy_n(cell_output.data(), 2 * units, bias.data() + 2 * units);
    return bias;
  };
}

}  // namespace

LSTMLayer::LSTMLayer(Options options)
    : KerasLayer(options, settings_of(options), std::vector<std::string>{"h", "c"}) {
  check_cell_options(options_.activation, options_.recurrent_activation);
}

void LSTMLayer::build_cell(std::size_t features) {
  const std::size_t units = options_.units, gates = 4 * units;
  kernel_ = add_weight("kernel", {features, gates}, options_.kernel_initializer.make());
  recurrent_kernel_ =
      add_weight("recurrent_kernel", {units, gates}, options_.recurrent_initializer.make());
  if (options_.use_bias) {
    Initializer init = options_.bias_initializer.make();
    bias_ = add_weight("bias", {gates}, options_.unit_forget_bias ? forget_bias_one(init, units) : init);
  }
}

RecurrentLayer::CellRun LSTMLayer::run_cell(const Tensor& x, const std::vector<Tensor>& initial_states,
                                            const Array* mask, bool need_sequence) {
  // (B, T, 2, H): h and c after every step
  Tensor both = lstm_sequence(x, initial_states[0], initial_states[1], kernel_, recurrent_kernel_, bias_,
                              {.mask = mask, .go_backwards = options_.go_backwards});
  Tensor last = select(both, 1, x.shape(1) - 1);  // (B, 2, H)
  CellRun run{Tensor(), {select(last, 1, 0), select(last, 1, 1)}};
  if (need_sequence) run.sequence = select(both, 2, 0);
  return run;
}

std::shared_ptr<RecurrentLayer> LSTMLayer::recreate(std::string name, RecurrentSettings s) const {
  return std::make_shared<LSTMLayer>(with_settings(options_, std::move(name), s));
}

}  // namespace kiln
