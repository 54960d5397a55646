#include "ops/gru.hpp"

#include <vector>

#include "ops/recurrence.hpp"
#include "ops/span_activations.hpp"

namespace kiln {

namespace {

// One GRU step on one batch row (the driver in ops/recurrence.hpp loops).
// Cached per unit: z, r, n and hp_h (h_{t-1} recurrent_kernel_h + bias[1]_h).
struct GruCell {
  static constexpr std::size_t gates = 3, states = 1, cached = 4;
  static constexpr bool split_bias = true;
  std::vector<float> recurrent_bias;  // bias[1], (3H); zeros without a bias

  void forward(const recurrence::StepRow& row) const {
    const std::size_t H = row.units;
    const float* b = recurrent_bias.data();
    float *z = row.cache, *r = z + H, *n = r + H, *hph = n + H;
    for (std::size_t j = 0; j < 2 * H; ++j) z[j] = row.xp[j] + row.hp[j] + b[j];  // z and r together
    span::sigmoid(z, 2 * H);
    for (std::size_t j = 0; j < H; ++j) {
      hph[j] = row.hp[2 * H + j] + b[2 * H + j];
      n[j] = row.xp[2 * H + j] + r[j] * hph[j];
    }
    span::tanh(n, H);
    const float* h = row.prev[0];
    float* h_new = row.next[0];
    for (std::size_t j = 0; j < H; ++j) h_new[j] = n[j] + z[j] * (h[j] - n[j]);
  }

  // With dh = dL/dh_t:
  //   dz = dh (h_{t-1} - n)            -> d(xp_z) = d(hp_z) = dz z (1 - z)
  //   dn = dh (1 - z)                  -> d(xp_h) = dn (1 - n^2) =: da
  //   d(hp_h) = da r,  dr = da hp_h    -> d(xp_r) = d(hp_r) = dr r (1 - r)
  //   dh_{t-1} = dh z  (+ dHP recurrent_kernel^T, added by the driver)
  void backward(const recurrence::StepGradRow& row) const {
    const std::size_t H = row.units;
    const float *z = row.cache, *r = z + H, *n = r + H, *hph = n + H;
    const float* h = row.prev[0];
    float* dh = row.d_state[0];
    float *dxp = row.dxp, *dhp = row.dhp;
    for (std::size_t j = 0; j < H; ++j) {
      const float dz = dh[j] * (h[j] - n[j]);
      const float da = dh[j] * (1.0f - z[j]) * (1.0f - n[j] * n[j]);
      const float dr = da * hph[j];
      dxp[j] = dhp[j] = dz * z[j] * (1.0f - z[j]);
      dxp[H + j] = dhp[H + j] = dr * r[j] * (1.0f - r[j]);
      dxp[2 * H + j] = da;
      dhp[2 * H + j] = da * r[j];
      dh[j] *= z[j];
    }
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
