#include "ops/gru.hpp"

#include <vector>

#include "ops/recurrence.hpp"
#include "ops/kernels.hpp"

namespace kiln {

namespace {

// One GRU step on one batch row (the driver in ops/recurrence.hpp loops).
// Cached per unit: z, r, n and hp_h (h_{t-1} recurrent_kernel_h + bias[1]_h).
struct GruCell {
  static constexpr std::size_t gates = 3, states = 1, cached = 4;
  static constexpr bool split_bias = true;
  std::vector<float> recurrent_bias;  // bias[1], (3H); zeros without a bias

  // The loops run in ops/kernels (one build per instruction set); the
  // formulas, with the backward pass derived, are in ops/kernels/body.hpp.
  void forward(const recurrence::StepRow& row) const {
    kernels::active().gru_forward(
        {row.units, row.xp, row.hp, recurrent_bias.data(), row.prev[0], row.cache, row.next[0]});
  }

  // With dh = dL/dh_t:
  //   dz = dh (h_{t-1} - n)            -> d(xp_z) = d(hp_z) = dz z (1 - z)
  //   dn = dh (1 - z)                  -> d(xp_h) = dn (1 - n^2) =: da
  //   d(hp_h) = da r,  dr = da hp_h    -> d(xp_r) = d(hp_r) = dr r (1 - r)
  //   dh_{t-1} = dh z  (+ dHP recurrent_kernel^T, added by the driver)
  void backward(const recurrence::StepGradRow& row) const {
    kernels::active().gru_backward({row.units, row.cache, row.prev[0], row.d_state[0], row.dxp, row.dhp});
  }
};

}  // namespace

Tensor gru_sequence(const Tensor& x, const Tensor& h0, const Tensor& kernel, const Tensor& recurrent_kernel,
                    const Tensor& bias, const GruSequenceOptions& options) {
  recurrence::Inputs in{x, {h0}, kernel, recurrent_kernel, bias, options.mask, options.go_backwards};
  const recurrence::Dims d = recurrence::check_inputs("gru_sequence", in, GruCell::gates, GruCell::states,
                                                      GruCell::split_bias);
  GruCell cell{std::vector<float>(d.width(), 0.0f)};
  if (bias.defined()) std::copy_n(bias.value().data() + d.width(), d.width(), cell.recurrent_bias.data());
  return recurrence::run_sequence("gru_sequence", cell, std::move(in));
}

}  // namespace kiln
