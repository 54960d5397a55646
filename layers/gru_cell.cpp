#include "layers/gru_cell.hpp"

#include "layers/activation.hpp"
#include "ops/arithmetic.hpp"
#include "ops/matmul.hpp"
#include "ops/slice.hpp"

namespace kiln {

namespace {

// Gate g's part of a bias row: bias (3H) when `row` < 0, else bias[row] of (2, 3H).
Tensor bias_part(const Tensor& bias, int row, std::size_t g, std::size_t H) {
  const Tensor line = row < 0 ? bias : select(bias, 0, std::size_t(row));
  return slice(line, 0, g * H, (g + 1) * H);
}

}  // namespace

Tensor gru_step(const GruStepOptions& o, const CellWeights& w, const Tensor& x, const Tensor& h,
                const RecurrentDropout& dropout) {
  const std::size_t H = h.shape(1);
  const bool bias = w.bias.defined();
  std::vector<Tensor> xp = project_per_gate(masked_per_gate(x, dropout.input_masks(), 3), w.kernel);
  const std::vector<Tensor> hs = masked_per_gate(h, dropout.recurrent_masks(), 3);
  if (bias) {
    for (std::size_t g = 0; g < 3; ++g) xp[g] = xp[g] + bias_part(w.bias, o.reset_after ? 0 : -1, g, H);
  }
  Tensor n;
  Tensor z, r;
  if (o.reset_after) {
    std::vector<Tensor> hp = project_per_gate(hs, w.recurrent_kernel);
    if (bias) {
      for (std::size_t g = 0; g < 3; ++g) hp[g] = hp[g] + bias_part(w.bias, 1, g, H);
    }
    z = activate(o.recurrent_activation, xp[0] + hp[0]);
    r = activate(o.recurrent_activation, xp[1] + hp[1]);
    n = activate(o.activation, xp[2] + r * hp[2]);
  } else {
    const std::vector<Tensor> hp =
        project_per_gate({hs[0], hs[1]}, slice(w.recurrent_kernel, 1, 0, 2 * H));
    z = activate(o.recurrent_activation, xp[0] + hp[0]);
    r = activate(o.recurrent_activation, xp[1] + hp[1]);
    n = activate(o.activation, xp[2] + matmul(r * hs[2], slice(w.recurrent_kernel, 1, 2 * H, 3 * H)));
  }
  return z * h + rsub(1.0f, z) * n;
}

GRUCellLayer::GRUCellLayer(Options options)
    : KerasLayer(std::move(options)),
      dropout_(describe(), options_.dropout, options_.recurrent_dropout, options_.seed, 3) {
  if (options_.units == 0) throw Error(describe() + ": units must be positive");
  check_cell_activation(describe(), options_.activation);
  check_cell_activation(describe(), options_.recurrent_activation);
}

void GRUCellLayer::build(const std::vector<PartialShape>& shapes) {
  const std::size_t features = known_last_dim(shapes[0]), units = options_.units, gates = 3 * units;
  weights_.kernel = add_weight("kernel", {features, gates}, options_.kernel_initializer.make());
  weights_.recurrent_kernel = add_weight("recurrent_kernel", {units, gates}, options_.recurrent_initializer.make());
  if (options_.use_bias) {
    const Shape shape = options_.reset_after ? Shape{2, gates} : Shape{gates};
    weights_.bias = add_weight("bias", shape, options_.bias_initializer.make());
  }
}

void GRUCellLayer::begin_sequence(std::size_t batch, std::size_t features, bool training) {
  dropout_.begin_sequence(batch, features, options_.units, training);
}

CellStep GRUCellLayer::step(const Tensor& input, const std::vector<Tensor>& states, bool) {
  const GruStepOptions o{options_.activation, options_.recurrent_activation, options_.reset_after};
  Tensor h = gru_step(o, weights_, input, states.at(0), dropout_);
  return {h, {h}};
}

}  // namespace kiln
