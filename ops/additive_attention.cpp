#include "ops/additive_attention.hpp"

#include <cmath>
#include <vector>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/kernels.hpp"
#include "ops/parallel.hpp"

namespace kiln {

namespace {

constexpr const char* scores_op = "additive_attention_scores";

struct ScoreDims {
  std::size_t batch, te, td, width;
};

ScoreDims check_shapes(const Shape& keys, const Shape& queries, const Shape& v) {
  if (keys.size() != 3 || queries.size() != 3) {
    throw_shape_error(scores_op,
                      "expects keys (batch, encoder_time, width) and queries (batch, decoder_time, width), got", keys,
                      queries);
  }
  if (keys[0] != queries[0]) throw_shape_error(scores_op, "keys and queries have different batch sizes:", keys, queries);
  if (keys[2] != queries[2]) throw_shape_error(scores_op, "keys and queries have different widths:", keys, queries);
  const bool v_ok = (v.size() == 2 && v[0] == keys[2] && v[1] == 1) || (v.size() == 1 && v[0] == keys[2]);
  if (!v_ok) {
    throw ShapeError(std::string(scores_op) + ": v must be (" + std::to_string(keys[2]) + ", 1) for keys " + to_string(keys) +
                     ", got " + to_string(v));
  }
  return {keys[0], keys[1], queries[1], keys[2]};
}

// Roughly: an add, a tanh (about 20) and a multiply-add per hidden element.
std::size_t flops(const ScoreDims& d) { return 24 * d.batch * d.td * d.te * d.width; }

// scores[b,i,j] = tanh(queries[b,i,:] + keys[b,j,:]) . v, one (b, i) at a
// time (ops/kernels.hpp's additive_scores). The hidden activations are not
// kept: backward recomputes each block, which is cheaper than writing and
// re-reading B * Td * Te * E floats (9 MB for the seed model). (A GEMM with
// one output column is far slower than these dots.)
void scores_forward(const float* keys, const float* queries, const float* v, float* scores, const ScoreDims& d) {
  // Batch rows are independent: two halves at once (ops/parallel.hpp).
  parallel_halves(d.batch, flops(d), [&](std::size_t first, std::size_t last) {
    std::vector<float> block(d.te * d.width);
    const kernels::Table& table = kernels::active();
    for (std::size_t b = first; b < last; ++b) {
      for (std::size_t i = 0; i < d.td; ++i) {
        table.additive_scores({d.te, d.width, queries + (b * d.td + i) * d.width, keys + b * d.te * d.width, v,
                                 block.data(), scores + (b * d.td + i) * d.te});
      }
    }
  });
}

// With h = hidden[b,i,j,:] (recomputed) and g = grad[b,i,j]:
//   dpre = g * v * (1 - h^2);  dkeys[b,j] += dpre;  dqueries[b,i] += dpre;  dv += g * h
// The batch in two fixed halves, at once when two threads are set: each
// writes its own rows of dkeys and dqueries; the first sums into dv, the
// second into its own dv, added after, so one thread or two give the same bits.
void scores_backward(const float* grad, const float* keys, const float* queries, const float* v, float* dkeys,
                     float* dqueries, float* dv, const ScoreDims& d) {
  std::vector<float> second_dv(d.width, 0.0f);
  fixed_halves(d.batch, 2 * flops(d), [&](std::size_t half, std::size_t first, std::size_t last) {
    std::vector<float> block(d.te * d.width);
    const kernels::Table& table = kernels::active();
    float* dv_sum = half == 0 ? dv : second_dv.data();
    for (std::size_t b = first; b < last; ++b) {
      for (std::size_t i = 0; i < d.td; ++i) {
        const std::size_t row = b * d.td + i;
        table.additive_grad({d.te, d.width, queries + row * d.width, keys + b * d.te * d.width, v, grad + row * d.te,
                             block.data(), dqueries + row * d.width, dkeys + b * d.te * d.width, dv_sum});
      }
    }
  });
  for (std::size_t c = 0; c < d.width; ++c) dv[c] += second_dv[c];
}

}  // namespace

// d scores, with h = tanh(queries[b,i] + keys[b,j]) recomputed in blocks (scores_backward):
//   dkeys[b,j] = sum_i g v (1 - h^2),  dqueries[b,i] = sum_j g v (1 - h^2),  dv = sum_{b,i,j} g h
Tensor additive_attention_scores(const Tensor& keys, const Tensor& queries, const Tensor& v) {
  const ScoreDims d = check_shapes(keys.shape(), queries.shape(), v.shape());
  Array scores = Array::from_shape({d.batch, d.td, d.te});
  if (scores.size() == 0) return Tensor(std::move(scores));
  scores_forward(keys.value().data(), queries.value().data(), v.value().data(), scores.data(), d);

  return record(std::move(scores), {keys, queries, v}, [keys, queries, v, d](const Array& g) {
                  Array dkeys = xt::zeros<float>(keys.shape());
                  Array dqueries = xt::zeros<float>(queries.shape());
                  Array dv = xt::zeros<float>(v.shape());
                  scores_backward(g.data(), keys.value().data(), queries.value().data(), v.value().data(),
                                  dkeys.data(), dqueries.data(), dv.data(), d);
                  accumulate_grad(keys, std::move(dkeys));
                  accumulate_grad(queries, std::move(dqueries));
                  accumulate_grad(v, std::move(dv));
                });
}

}  // namespace kiln
