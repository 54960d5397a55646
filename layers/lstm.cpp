#include "layers/lstm.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "layers/lstm_cell.hpp"
#include "ops/lstm.hpp"
#include "ops/slice.hpp"

namespace kiln {

LSTMLayer::LSTMLayer(Options options)
    : KerasLayer(options, settings_of(options), std::vector<std::string>{"h", "c"}),
      dropout_(describe(), options_.dropout, options_.recurrent_dropout, options_.seed, 4) {
  check_cell_options(options_.activation, options_.recurrent_activation);
}

void LSTMLayer::build_cell(std::size_t features) {
  const std::size_t units = options_.units, gates = 4 * units;
  kernel_ = add_weight("kernel", {features, gates}, options_.kernel_initializer.make());
  recurrent_kernel_ =
      add_weight("recurrent_kernel", {units, gates}, options_.recurrent_initializer.make());
  if (options_.use_bias) {
    Initializer init = options_.bias_initializer.make();
    bias_ = add_weight("bias", {gates}, options_.unit_forget_bias ? unit_forget_bias_initializer(init, units) : init);
  }
}

RecurrentLayer::CellRun LSTMLayer::run_cell(const Tensor& x, const std::vector<Tensor>& initial_states,
                                            const Array* mask, bool need_sequence, bool training) {
  dropout_.begin_sequence(x.shape(0), x.shape(2), options_.units, training);
  if (dropout_.recurrent() && training) {
    const CellWeights w{kernel_, recurrent_kernel_, bias_};
    return run_steps(x, initial_states, mask, [this, w](const Tensor& x_t, const std::vector<Tensor>& s) {
      std::vector<Tensor> hc =
          lstm_step(options_.activation, options_.recurrent_activation, w, x_t, s[0], s[1], dropout_);
      return std::pair{hc[0], hc};
    });
  }
  // (B, T, 2, H): h and c after every step
  Tensor both = lstm_sequence(drop_inputs(x, dropout_.input_masks()), initial_states[0], initial_states[1], kernel_,
                              recurrent_kernel_, bias_, {.mask = mask, .go_backwards = options_.go_backwards});
  Tensor last = select(both, 1, x.shape(1) - 1);  // (B, 2, H)
  CellRun run{Tensor(), {select(last, 1, 0), select(last, 1, 1)}};
  if (need_sequence) run.sequence = select(both, 2, 0);
  return run;
}

std::shared_ptr<RecurrentLayer> LSTMLayer::recreate(std::string name, RecurrentSettings s) const {
  return std::make_shared<LSTMLayer>(with_settings(options_, std::move(name), s));
}

}  // namespace kiln
