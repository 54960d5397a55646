#include "layers/gru.hpp"

#include <nlohmann/json.hpp>

#include "layers/registry.hpp"
#include "ops/gru.hpp"
#include "ops/slice.hpp"

namespace kiln {

GRULayer::GRULayer(Options options)
    : RecurrentLayer("GRU", options.name, settings_of(options), {"h"}), options_(std::move(options)) {
  check_cell_options(options_.activation, options_.recurrent_activation,
                     {options_.kernel_initializer, options_.recurrent_initializer, options_.bias_initializer});
  if (!options_.reset_after) {
    throw Error(describe() + ": reset_after = false is not supported; kiln implements Keras' TF2 default " +
                "reset_after = true (bias of shape (2, 3 * units))");
  }
}

void GRULayer::build_cell(std::size_t features) {
  const std::size_t gates = 3 * options_.units;
  kernel_ = add_weight("kernel", {features, gates}, initializers::by_name(options_.kernel_initializer));
  recurrent_kernel_ =
      add_weight("recurrent_kernel", {options_.units, gates}, initializers::by_name(options_.recurrent_initializer));
  if (options_.use_bias) bias_ = add_weight("bias", {2, gates}, initializers::by_name(options_.bias_initializer));
}

RecurrentLayer::CellRun GRULayer::run_cell(const Tensor& x, const std::vector<Tensor>& initial_states,
                                           const Array* mask, bool) {
  Tensor sequence = gru_sequence(x, initial_states[0], kernel_, recurrent_kernel_, bias_,
                                 {.mask = mask, .go_backwards = options_.go_backwards});
  Tensor last = select(sequence, 1, x.shape(1) - 1);
  return {sequence, {last}};
}

std::shared_ptr<RecurrentLayer> GRULayer::recreate(std::string name, RecurrentSettings s) const {
  return std::make_shared<GRULayer>(with_settings(options_, std::move(name), s));
}

nlohmann::json GRULayer::get_config() const {
  nlohmann::json config = RecurrentLayer::get_config();
  write_cell_config(config, options_);
  config["reset_after"] = options_.reset_after;
  return config;
}

GRULayer::Options GRULayer::options_from_config(const nlohmann::json& config) {
  Options o = with_settings(Options{}, config.value("name", std::string()), settings_from_config(config, "GRU"));
  read_cell_config(config, o);
  o.reset_after = config.value("reset_after", o.reset_after);
  return o;
}

}  // namespace kiln
