#include "ops/lstm.hpp"

#include "ops/recurrence.hpp"
#include "ops/span_activations.hpp"

namespace kiln {

namespace {

// One LSTM step on one batch row (the driver in ops/recurrence.hpp loops).
// Cached per unit: i, f, g, o and tanh(c_t).
struct LstmCell {
  static constexpr std::size_t gates = 4, states = 2, cached = 5;
  static constexpr bool split_bias = false;

  void forward(const recurrence::StepRow& row) const {
    const std::size_t H = row.units;
    float *i = row.cache, *f = i + H, *g = f + H, *o = g + H, *tc = o + H;
    for (std::size_t j = 0; j < 4 * H; ++j) i[j] = row.xp[j] + row.hp[j];  // all four gates
    span::sigmoid(i, 2 * H);  // i and f
    span::tanh(g, H);
    span::sigmoid(o, H);
    const float* c = row.prev[1];
    float *h_new = row.next[0], *c_new = row.next[1];
    for (std::size_t j = 0; j < H; ++j) tc[j] = c_new[j] = f[j] * c[j] + i[j] * g[j];
    span::tanh(tc, H);
    for (std::size_t j = 0; j < H; ++j) h_new[j] = o[j] * tc[j];
  }

  // With dh = dL/dh_t and dc = dL/dc_t (from later steps and the output):
  //   do = dh tanh(c_t);  dc' = dc + dh o (1 - tanh(c_t)^2)
  //   di = dc' g;  dg = dc' i;  df = dc' c_{t-1};  dc_{t-1} = dc' f
  //   da = (di i(1-i), df f(1-f), dg (1-g^2), do o(1-o)) = d(xp) = d(hp)
  //   dh_{t-1} = 0 here; the driver adds dHP recurrent_kernel^T
  void backward(const recurrence::StepGradRow& row) const {
    const std::size_t H = row.units;
    const float *i = row.cache, *f = i + H, *g = f + H, *o = g + H, *tc = o + H;
    const float* c = row.prev[1];
    float *dh = row.d_state[0], *dc = row.d_state[1];
    for (std::size_t j = 0; j < H; ++j) {
      const float dct = dc[j] + dh[j] * o[j] * (1.0f - tc[j] * tc[j]);
      const float da_i = dct * g[j] * i[j] * (1.0f - i[j]);
      const float da_f = dct * c[j] * f[j] * (1.0f - f[j]);
      const float da_g = dct * i[j] * (1.0f - g[j] * g[j]);
      const float da_o = dh[j] * tc[j] * o[j] * (1.0f - o[j]);
      row.dxp[j] = row.dhp[j] = da_i;
      row.dxp[H + j] = row.dhp[H + j] = da_f;
      row.dxp[2 * H + j] = row.dhp[2 * H + j] = da_g;
      row.dxp[3 * H + j] = row.dhp[3 * H + j] = da_o;
      dc[j] = dct * f[j];
      dh[j] = 0.0f;
    }
  }
};

}  // namespace

Tensor lstm_sequence(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& kernel,
                     const Tensor& recurrent_kernel, const Tensor& bias, const LstmSequenceOptions& options) {
  recurrence::Inputs in{x, {h0, c0}, kernel, recurrent_kernel, bias, options.mask, options.go_backwards};
  return recurrence::run_sequence("lstm_sequence", LstmCell{}, std::move(in));
}

}  // namespace kiln
