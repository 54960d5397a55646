#include "layers/gru.hpp"

#include <nlohmann/json.hpp>

#include "layers/gru_cell.hpp"
#include "ops/gru.hpp"
#include "ops/slice.hpp"

namespace kiln {

GRULayer::GRULayer(Options options)
    : KerasLayer(options, settings_of(options), std::vector<std::string>{"h"}),
      dropout_(describe(), options_.dropout, options_.recurrent_dropout, options_.seed, 3) {
  check_cell_options(options_.activation, options_.recurrent_activation);
  if (!options_.reset_after) {
    throw Error(describe() + ": reset_after = false is not supported; kiln implements Keras' TF2 default " +
                "reset_after = true (bias of shape (2, 3 * units))");
  }
}

void GRULayer::build_cell(std::size_t features) {
  const std::size_t gates = 3 * options_.units;
  kernel_ = add_weight("kernel", {features, gates}, options_.kernel_initializer.make());
  recurrent_kernel_ =
      add_weight("recurrent_kernel", {options_.units, gates}, options_.recurrent_initializer.make());
  if (options_.use_bias) bias_ = add_weight("bias", {2, gates}, options_.bias_initializer.make());
}

RecurrentLayer::CellRun GRULayer::run_cell(const Tensor& x, const std::vector<Tensor>& initial_states,
                                           const Array* mask, bool, bool training) {
  dropout_.begin_sequence(x.shape(0), x.shape(2), options_.units, training);
  if (dropout_.recurrent() && training) {
    const CellWeights w{kernel_, recurrent_kernel_, bias_};
    return run_steps(x, initial_states, mask, [this, w](const Tensor& x_t, const std::vector<Tensor>& s) {
      Tensor h = gru_step({options_.activation, options_.recurrent_activation, true}, w, x_t, s[0], dropout_);
      return std::pair{h, std::vector<Tensor>{h}};
    });
  }
  Tensor sequence = gru_sequence(drop_inputs(x, dropout_.input_masks()), initial_states[0], kernel_,
                                 recurrent_kernel_, bias_,
                                 {.mask = mask, .go_backwards = options_.go_backwards});
  Tensor last = select(sequence, 1, x.shape(1) - 1);
  return {sequence, {last}};
}

std::shared_ptr<RecurrentLayer> GRULayer::recreate(std::string name, RecurrentSettings s) const {
  return std::make_shared<GRULayer>(with_settings(options_, std::move(name), s));
}

}  // namespace kiln
