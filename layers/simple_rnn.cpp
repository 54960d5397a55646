#include "layers/simple_rnn.hpp"

#include <nlohmann/json.hpp>

#include "layers/activation.hpp"
#include "layers/rnn_cell.hpp"
#include "layers/simple_rnn_cell.hpp"
#include "ops/simple_rnn.hpp"
#include "ops/slice.hpp"

namespace kiln {

SimpleRNNLayer::SimpleRNNLayer(Options options)
    : KerasLayer(options, settings_of(options), std::vector<std::string>{"h"}),
      dropout_(describe(), options_.dropout, options_.recurrent_dropout, options_.seed, 1) {
  check_cell_activation(describe(), options_.activation);
}

void SimpleRNNLayer::build_cell(std::size_t features) {
  const std::size_t units = options_.units;
  kernel_ = add_weight("kernel", {features, units}, options_.kernel_initializer.make());
  recurrent_kernel_ = add_weight("recurrent_kernel", {units, units}, options_.recurrent_initializer.make());
  if (options_.use_bias) bias_ = add_weight("bias", {units}, options_.bias_initializer.make());
}

RecurrentLayer::CellRun SimpleRNNLayer::run_cell(const Tensor& x, const std::vector<Tensor>& initial_states,
                                                 const Array* mask, bool, bool training) {
  dropout_.begin_sequence(x.shape(0), x.shape(2), options_.units, training);
  const std::optional<SimpleRnnActivation> fused = simple_rnn_activation(options_.activation);
  if (!fused || (dropout_.recurrent() && training)) {
    const CellWeights w{kernel_, recurrent_kernel_, bias_};
    return run_steps(x, initial_states, mask, [this, w](const Tensor& x_t, const std::vector<Tensor>& s) {
      Tensor h = simple_rnn_step(options_.activation, w, x_t, s[0], dropout_);
      return std::pair{h, std::vector<Tensor>{h}};
    });
  }
  Tensor sequence =
      simple_rnn_sequence(drop_inputs(x, dropout_.input_masks()), initial_states[0], kernel_, recurrent_kernel_, bias_,
                          {.mask = mask, .go_backwards = options_.go_backwards, .activation = *fused});
  return {sequence, {select(sequence, 1, x.shape(1) - 1)}};
}

std::shared_ptr<RecurrentLayer> SimpleRNNLayer::recreate(std::string name, RecurrentSettings s) const {
  return std::make_shared<SimpleRNNLayer>(with_settings(options_, std::move(name), s));
}

}  // namespace kiln
