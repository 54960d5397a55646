#include "ops/recurrence.hpp"

#include <algorithm>
#include <string>

#include "graph/error.hpp"
#include "ops/row_math.hpp"

namespace kiln::recurrence {

namespace {

[[noreturn]] void fail_shape(const char* op, const std::string& what, const Shape& expected, const Shape& got,
                             const Shape& x) {
  throw ShapeError(std::string(op) + ": " + what + " must be " + to_string(expected) + " for input " +
                   to_string(x) + ", got " + to_string(got));
}

void expect_shape(const char* op, const std::string& what, const Shape& expected, const Tensor& t,
                  const Shape& x) {
  if (t.shape() != expected) fail_shape(op, what, expected, t.shape(), x);
}

}  // namespace

Dims check_inputs(const char* op, const Inputs& in, std::size_t gates, std::size_t states, bool split_bias) {
  const Shape& xs = in.x.shape();
  if (xs.size() != 3) {
    throw ShapeError(std::string(op) + ": expected input (batch, time, features), got " + to_string(xs));
  }
  if (xs[1] == 0) throw ShapeError(std::string(op) + ": input " + to_string(xs) + " has no time steps");
  const Shape& rk = in.recurrent_kernel.shape();
  if (rk.size() != 2 || rk[1] != gates * rk[0] || rk[0] == 0) {
    throw ShapeError(std::string(op) + ": recurrent_kernel must be (units, " + std::to_string(gates) +
                     " * units), got " + to_string(rk));
  }
  Dims d{xs[0], xs[1], xs[2], rk[0], gates, states, in.go_backwards};
  const std::size_t GH = d.width();
  expect_shape(op, "kernel", {d.features, GH}, in.kernel, xs);
  if (in.bias.defined()) {
    expect_shape(op, "bias", split_bias ? Shape{2, GH} : Shape{GH}, in.bias, xs);
  }
  if (in.initial.size() != states) {
    throw Error(std::string(op) + ": expected " + std::to_string(states) + " initial state(s), got " +
                std::to_string(in.initial.size()));
  }
  for (std::size_t k = 0; k < states; ++k) {
    expect_shape(op, "initial state " + std::to_string(k), {d.batch, d.units}, in.initial[k], xs);
  }
  if (in.mask && in.mask->shape() != Shape{d.batch, d.time}) {
    fail_shape(op, "mask", {d.batch, d.time}, in.mask->shape(), xs);
  }
  return d;
}

Array project_inputs(const Dims& d, const Inputs& in, const std::vector<std::int32_t>& x_hot) {
  const std::size_t rows = d.batch * d.time, GH = d.width();
  Array xp = Array::from_shape({rows, GH});
  const float* b = in.bias.defined() ? in.bias.value().data() : nullptr;  // the input bias: the first G*H entries
  if (!x_hot.empty()) {
    gather_table_rows(x_hot, in.kernel.value().data(), GH, b, xp.data());
    return xp;
  }
  gemm(false, false, int(rows), int(GH), int(d.features), 1.0f, in.x.value().data(), in.kernel.value().data(), 0.0f,
       xp.data());
  if (b) {
    for (std::size_t r = 0; r < rows; ++r) {
      float* row = xp.data() + r * GH;
      for (std::size_t j = 0; j < GH; ++j) row[j] += b[j];
    }
  }
  return xp;
}

Array initial_states(const Dims& d, const Inputs& in) {
  Array states = Array::from_shape({d.states, d.time + 1, d.batch, d.units});
  const std::size_t block = d.batch * d.units;
  for (std::size_t k = 0; k < d.states; ++k) {
    std::copy_n(in.initial[k].value().data(), block, states.data() + k * (d.time + 1) * block);
  }
  return states;
}

std::vector<std::uint8_t> active_steps(const Dims& d, const Array* mask) {
  std::vector<std::uint8_t> active;
  if (!mask) return active;
  active.resize(d.time * d.batch);
  for (std::size_t s = 0; s < d.time; ++s) {
    for (std::size_t b = 0; b < d.batch; ++b) active[s * d.batch + b] = (*mask)(b, d.time_at(s)) != 0.0f;
  }
  return active;
}

// The batch rows in two halves on kiln's two threads: each writes its own rows of out.
Array gather_outputs(const Dims& d, const Array& states) {
  const std::size_t B = d.batch, T = d.time, H = d.units, S = d.states;
  Array out = S == 1 ? Array::from_shape({B, T, H}) : Array::from_shape({B, T, S, H});
  parallel_halves(B, S * T * B * H, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t k = 0; k < S; ++k) {
      for (std::size_t s = 0; s < T; ++s) {
        for (std::size_t b = b0; b < b1; ++b) {
          std::copy_n(states.data() + ((k * (T + 1) + s + 1) * B + b) * H, H, out.data() + ((b * T + s) * S + k) * H);
        }
      }
    }
  });
  return out;
}

Array transposed(const Array& m) {
  const std::size_t rows = m.shape()[0], cols = m.shape()[1];
  Array t = Array::from_shape({cols, rows});
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) t.data()[j * rows + i] = m.data()[i * cols + j];
  }
  return t;
}

void weight_grads(const Dims& d, const Inputs& in, const Saved& saved, const Array& dxp, const Array& dhp,
                  bool split_bias) {
  const Array& states = saved.states;
  const int rows = int(d.batch * d.time), GH = int(d.width()), H = int(d.units), D = int(d.features);
  if (in.recurrent_kernel.requires_grad()) {
    // d recurrent_kernel = H_prev^T dHP, H_prev = states[0][0..T) stacked as (T*B, H)
    const GradTarget g = grad_target(in.recurrent_kernel);
    gemm(true, false, H, GH, rows, 1.0f, states.data(), dhp.data(), g.accumulate ? 1.0f : 0.0f, g.data);
  }
  if (in.kernel.requires_grad()) {
    // d kernel = X^T dXP, X as (B*T, D)
    const GradTarget g = grad_target(in.kernel);
    if (!saved.x_hot.empty()) {
      if (!g.accumulate) std::fill_n(g.data, std::size_t(D) * GH, 0.0f);
      scatter_add_rows(saved.x_hot, dxp.data(), std::size_t(GH), g.data);
    } else {
      gemm(true, false, D, GH, rows, 1.0f, in.x.value().data(), dxp.data(), g.accumulate ? 1.0f : 0.0f, g.data);
    }
  }
  if (in.x.requires_grad()) {
    // dx = dXP kernel^T
    const GradTarget g = grad_target(in.x);
    gemm(false, true, rows, D, GH, 1.0f, dxp.data(), in.kernel.value().data(), g.accumulate ? 1.0f : 0.0f,
         g.data);
  }
  if (in.bias.requires_grad()) {
    // d b_in = column sums of dXP; d b_rec = column sums of dHP
    Array db(in.bias.shape(), 0.0f);
    add_column_sums(dxp.data(), std::size_t(rows), std::size_t(GH), db.data());
    if (split_bias) add_column_sums(dhp.data(), std::size_t(rows), std::size_t(GH), db.data() + GH);
    accumulate_grad(in.bias, std::move(db));
  }
}

}  // namespace kiln::recurrence
