#pragma once
// The time loop shared by the fused recurrent ops (ops/gru.cpp, ops/lstm.cpp).
// A cell supplies only its maths for one batch row of one step, forward and
// backward; everything else is done here, the same way for every cell:
//
//   forward   XP = x kernel + b_in for all steps at once      (one GEMM,
//                                                            a row gather for one-hot x)
//             per step: HP = h_{t-1} recurrent_kernel        (one GEMM)
//                       the cell's gates on raw floats, per batch row;
//                       a masked row carries its states unchanged
//   backward  per step, last to first: the cell's derivative per row, then
//                       dh_{t-1} += dHP_t recurrent_kernel^T (one GEMM)
//             Each step's batch rows are independent, so with kiln's second
//             thread (ops/parallel.hpp) each half of them runs its own GEMM
//             rows and cells: one hand-over per step, the cells on both cores.
//             after the loop, one GEMM each over all steps:
//                       d recurrent_kernel = H_prev^T dHP
//                       d kernel = X^T dXP,  dx = dXP kernel^T
//             d bias by column sums of dXP (and of dHP for a separate
//             recurrent bias row, as GRU's reset_after has)
//
// Nothing is allocated per step. A Cell type provides:
//   static constexpr std::size_t gates;   projections are (.., gates * units)
//   static constexpr std::size_t states;  carried states, h first (1 or 2)
//   static constexpr std::size_t cached;  floats per unit kept per step for backward
//   static constexpr bool split_bias;     bias (2, G*H) = [input; recurrent] rather than (G*H)
//   void forward(const StepRow&) const;   void backward(const StepGradRow&) const;

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "graph/backward.hpp"
#include "ops/blas.hpp"
#include "ops/one_hot_rows.hpp"
#include "ops/parallel.hpp"

namespace kiln::recurrence {

constexpr std::size_t max_states = 2;

// One batch row of one step, forward. Spans are `units` floats unless noted.
struct StepRow {
  std::size_t units;
  const float* xp;                              // (G*H): x_t kernel + input bias
  const float* hp;                              // (G*H): h_{t-1} recurrent_kernel
  std::array<const float*, max_states> prev;    // states before the step
  std::array<float*, max_states> next;          // states after the step
  float* cache;                                 // cached * units floats for backward
};

// One batch row of one step, backward.
struct StepGradRow {
  std::size_t units;
  const float* cache;                           // what forward cached
  std::array<const float*, max_states> prev;    // states before the step
  // In: dL/d state_t. Out: the part of dL/d state_{t-1} that does not go
  // through recurrent_kernel (the driver adds dhp recurrent_kernel^T to [0]).
  std::array<float*, max_states> d_state;
  float* dxp;                                   // (G*H): dL/d XP row
  float* dhp;                                   // (G*H): dL/d HP row
};

// The tensors of one fused call. A mask entry 0 skips that (batch, time) step.
struct Inputs {
  Tensor x;                       // (B, T, D)
  std::vector<Tensor> initial;    // `states` tensors, each (B, H)
  Tensor kernel;                  // (D, G*H)
  Tensor recurrent_kernel;        // (H, G*H)
  Tensor bias;                    // (2, G*H) or (G*H); undefined: no bias
  const Array* mask = nullptr;    // (B, T)
  bool go_backwards = false;
};

struct Dims {
  std::size_t batch, time, features, units, gates, states;
  bool go_backwards;
  std::size_t width() const { return gates * units; }
  // The input time step read at processing step `step`.
  std::size_t time_at(std::size_t step) const { return go_backwards ? time - 1 - step : step; }
};

// What forward keeps for backward.
struct Saved {
  Array states;                       // (S, T+1, B, H): [k][0] initial, [k][s+1] after step s
  Array cache;                        // (T, B, cached*H); (1, ...) scratch without grad
  std::vector<std::uint8_t> active;   // (T, B) by processing step; empty: no mask
  std::vector<std::int32_t> x_hot;    // (B*T) one-hot column of each x row; empty: x is dense
  bool runs(std::size_t step, std::size_t b, std::size_t batch) const {
    return active.empty() || active[step * batch + b] != 0;
  }
};

// Checks every shape against x and recurrent_kernel, throwing ShapeError
// that names `op`, the argument and both shapes.
Dims check_inputs(const char* op, const Inputs& in, std::size_t gates, std::size_t states, bool split_bias);
// body(b0, b1) over the batch rows of one step, in two halves on kiln's two
// threads when the step's recurrent product is large enough to be worth it.
template <class Body>
void over_batch_rows(const Dims& d, Body&& body) {
  constexpr std::size_t tile_rows = 16;  // halves start on OpenBLAS tile rows, as ops/blas.cpp splits
  parallel_halves(d.batch, 2 * d.batch * d.units * d.width(), body, tile_rows);
}
// (B*T, G*H), row b*T + t: x_t kernel + the first G*H entries of bias.
// `x_hot`: x's one-hot columns (ops/one_hot_rows.hpp), empty for dense x.
Array project_inputs(const Dims& d, const Inputs& in, const std::vector<std::int32_t>& x_hot);
// (S, T+1, B, H) with the initial states at step 0.
Array initial_states(const Dims& d, const Inputs& in);
// (T, B) flags by processing step from the (B, T) mask; empty without one.
std::vector<std::uint8_t> active_steps(const Dims& d, const Array* mask);
// The op's result: (B, T, H) for one state, (B, T, S, H) for more.
Array gather_outputs(const Dims& d, const Array& states);
// A (rows, cols) matrix as a new (cols, rows) one.
Array transposed(const Array& m);
// Gradients of x, kernel, recurrent_kernel and bias from the stacked dXP
// (B*T rows by input time) and dHP (T*B rows by step).
void weight_grads(const Dims& d, const Inputs& in, const Saved& saved, const Array& dxp, const Array& dhp,
                  bool split_bias);

template <class Cell>
void backward_sequence(const Cell& cell, const Dims& d, const Inputs& in, const Saved& saved, const Array& g) {
  const std::size_t B = d.batch, T = d.time, H = d.units, S = d.states, GH = d.width();
  // With recurrent_kernel^T stored, the per-step GEMM runs untransposed,
  // which OpenBLAS does faster at these small shapes (~10% of backward).
  const Array rk_t = transposed(in.recurrent_kernel.value());
  std::vector<Array> d_state(S, Array(Shape{B, H}, 0.0f));
  Array dxp = Array::from_shape({B * T, GH});
  Array dhp = Array::from_shape({T * B, GH});
  for (std::size_t s = T; s-- > 0;) {
    const std::size_t t = d.time_at(s);
    over_batch_rows(d, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t b = b0; b < b1; ++b) {
        StepGradRow row{H, saved.cache.data() + (s * B + b) * Cell::cached * H, {}, {},
                        dxp.data() + (b * T + t) * GH, dhp.data() + (s * B + b) * GH};
        for (std::size_t k = 0; k < S; ++k) {
          // The output's gradient at this step joins the one from later steps.
          const float* gk = g.data() + ((b * T + s) * S + k) * H;
          float* dk = d_state[k].data() + b * H;
          for (std::size_t j = 0; j < H; ++j) dk[j] += gk[j];
          row.prev[k] = saved.states.data() + ((k * (T + 1) + s) * B + b) * H;
          row.d_state[k] = dk;
        }
        if (saved.runs(s, b, B)) {
          cell.backward(row);
        } else {  // a carried state passes its gradient straight through
          std::fill_n(row.dxp, GH, 0.0f);
          std::fill_n(row.dhp, GH, 0.0f);
        }
      }
      // dh_{t-1} += dHP_t recurrent_kernel^T, these rows
      gemm(false, false, int(b1 - b0), int(H), int(GH), 1.0f, dhp.data() + (s * B + b0) * GH, rk_t.data(), 1.0f,
           d_state[0].data() + b0 * H);
    });
  }
  for (std::size_t k = 0; k < S; ++k) accumulate_grad(in.initial[k], std::move(d_state[k]));
  weight_grads(d, in, saved, dxp, dhp, Cell::split_bias);
}

// Runs `cell` over the sequence; see the top of this file.
template <class Cell>
Tensor run_sequence(const char* op, const Cell& cell, Inputs in) {
  const Dims d = check_inputs(op, in, Cell::gates, Cell::states, Cell::split_bias);
  const std::size_t B = d.batch, T = d.time, H = d.units, S = d.states, GH = d.width();
  std::vector<Tensor> all = {in.x, in.kernel, in.recurrent_kernel, in.bias};
  all.insert(all.end(), in.initial.begin(), in.initial.end());
  const bool need_grad = should_record(all);

  auto saved = std::make_shared<Saved>();
  saved->states = initial_states(d, in);
  saved->cache = Array::from_shape({need_grad ? T : 1, B, Cell::cached * H});
  saved->active = active_steps(d, in.mask);
  saved->x_hot = one_hot_columns(in.x.value().data(), B * T, d.features);
  const Array xp = project_inputs(d, in, saved->x_hot);
  Array hp = Array::from_shape({B, GH});
  const float* rk = in.recurrent_kernel.value().data();
  auto state_row = [&](std::size_t k, std::size_t step, std::size_t b) {
    return saved->states.data() + ((k * (T + 1) + step) * B + b) * H;
  };

  for (std::size_t s = 0; s < T; ++s) {
    float* cache = saved->cache.data() + (need_grad ? s : 0) * B * Cell::cached * H;
    const std::size_t t = d.time_at(s);
    over_batch_rows(d, [&](std::size_t b0, std::size_t b1) {
      gemm(false, false, int(b1 - b0), int(GH), int(H), 1.0f, state_row(0, s, b0), rk, 0.0f, hp.data() + b0 * GH);
      for (std::size_t b = b0; b < b1; ++b) {
        if (!saved->runs(s, b, B)) {
          for (std::size_t k = 0; k < S; ++k) std::copy_n(state_row(k, s, b), H, state_row(k, s + 1, b));
          continue;
        }
        StepRow row{H, xp.data() + (b * T + t) * GH, hp.data() + b * GH, {}, {}, cache + b * Cell::cached * H};
        for (std::size_t k = 0; k < S; ++k) {
          row.prev[k] = state_row(k, s, b);
          row.next[k] = state_row(k, s + 1, b);
        }
        cell.forward(row);
      }
    });
  }

  Array out = gather_outputs(d, saved->states);
  in.mask = nullptr;  // backward reads saved->active, never the caller's array
  if (!need_grad) return Tensor(std::move(out));
  return record(std::move(out), all, [cell, d, in, saved](const Array& g) {
    backward_sequence(cell, d, in, *saved, g);
  });
}

}  // namespace kiln::recurrence
