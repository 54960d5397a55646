#include "layers/lstm_cell.hpp"

#include <algorithm>

#include "layers/activation.hpp"
#include "ops/arithmetic.hpp"
#include "ops/matmul.hpp"
#include "ops/slice.hpp"

namespace kiln {

Initializer unit_forget_bias_initializer(Initializer bias_initializer, std::size_t units) {
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

std::vector<Tensor> lstm_step(const std::string& activation, const std::string& recurrent_activation,
                              const CellWeights& w, const Tensor& x, const Tensor& h, const Tensor& c,
                              const RecurrentDropout& dropout) {
  const std::size_t H = h.shape(1);
  const std::vector<Tensor> xp = project_per_gate(masked_per_gate(x, dropout.input_masks(), 4), w.kernel);
  const std::vector<Tensor> hp = project_per_gate(masked_per_gate(h, dropout.recurrent_masks(), 4), w.recurrent_kernel);
  std::vector<Tensor> a;
  for (std::size_t g = 0; g < 4; ++g) {
    a.push_back(xp[g] + hp[g]);
    if (w.bias.defined()) a[g] = a[g] + slice(w.bias, 0, g * H, (g + 1) * H);
  }
  const Tensor i = activate(recurrent_activation, a[0]);
  const Tensor f = activate(recurrent_activation, a[1]);
  const Tensor c_new = f * c + i * activate(activation, a[2]);
  const Tensor o = activate(recurrent_activation, a[3]);
  return {o * activate(activation, c_new), c_new};
}

LSTMCellLayer::LSTMCellLayer(Options options)
    : KerasLayer(std::move(options)),
      dropout_(describe(), options_.dropout, options_.recurrent_dropout, options_.seed, 4) {
  if (options_.units == 0) throw Error(describe() + ": units must be positive");
  check_cell_activation(describe(), options_.activation);
  check_cell_activation(describe(), options_.recurrent_activation);
}

void LSTMCellLayer::build(const std::vector<PartialShape>& shapes) {
  const std::size_t features = known_last_dim(shapes[0]), units = options_.units, gates = 4 * units;
  weights_.kernel = add_weight("kernel", {features, gates}, options_.kernel_initializer.make());
  weights_.recurrent_kernel = add_weight("recurrent_kernel", {units, gates}, options_.recurrent_initializer.make());
  if (options_.use_bias) {
    Initializer init = options_.bias_initializer.make();
    weights_.bias =
        add_weight("bias", {gates}, options_.unit_forget_bias ? unit_forget_bias_initializer(init, units) : init);
  }
}

void LSTMCellLayer::begin_sequence(std::size_t batch, std::size_t features, bool training) {
  dropout_.begin_sequence(batch, features, options_.units, training);
}

CellStep LSTMCellLayer::step(const Tensor& input, const std::vector<Tensor>& states, bool) {
  std::vector<Tensor> hc =
      lstm_step(options_.activation, options_.recurrent_activation, weights_, input, states.at(0), states.at(1),
                dropout_);
  return {hc[0], hc};
}

}  // namespace kiln
