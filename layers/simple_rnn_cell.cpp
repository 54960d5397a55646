#include "layers/simple_rnn_cell.hpp"

#include "layers/activation.hpp"
#include "ops/arithmetic.hpp"
#include "ops/dropout.hpp"
#include "ops/matmul.hpp"

namespace kiln {

Tensor simple_rnn_step(const std::string& activation, const CellWeights& w, const Tensor& x, const Tensor& h,
                       const RecurrentDropout& dropout) {
  const Tensor x_in = masked_per_gate(x, dropout.input_masks(), 1)[0];
  const Tensor h_in = masked_per_gate(h, dropout.recurrent_masks(), 1)[0];
  Tensor a = matmul(x_in, w.kernel);
  if (w.bias.defined()) a = a + w.bias;
  return activate(activation, a + matmul(h_in, w.recurrent_kernel));
}

SimpleRNNCellLayer::SimpleRNNCellLayer(Options options)
    : KerasLayer(std::move(options)),
      dropout_(describe(), options_.dropout, options_.recurrent_dropout, options_.seed, 1) {
  if (options_.units == 0) throw Error(describe() + ": units must be positive");
  check_cell_activation(describe(), options_.activation);
}

void SimpleRNNCellLayer::build(const std::vector<PartialShape>& shapes) {
  const std::size_t features = known_last_dim(shapes[0]), units = options_.units;
  weights_.kernel = add_weight("kernel", {features, units}, options_.kernel_initializer.make());
  weights_.recurrent_kernel = add_weight("recurrent_kernel", {units, units}, options_.recurrent_initializer.make());
  if (options_.use_bias) weights_.bias = add_weight("bias", {units}, options_.bias_initializer.make());
}

void SimpleRNNCellLayer::begin_sequence(std::size_t batch, std::size_t features, bool training) {
  dropout_.begin_sequence(batch, features, options_.units, training);
}

CellStep SimpleRNNCellLayer::step(const Tensor& input, const std::vector<Tensor>& states, bool) {
  Tensor h = simple_rnn_step(options_.activation, weights_, input, states.at(0), dropout_);
  return {h, {h}};
}

}  // namespace kiln
