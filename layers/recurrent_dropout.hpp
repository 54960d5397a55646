#pragma once
// Keras' DropoutRNNCell: a recurrent cell's dropout masks, drawn once per
// sequence and reused at every step (so a dropped input feature or state
// unit stays dropped for the whole sequence), inverted (kept entries are
// 1 / (1 - rate)) and drawn only while training.
//
// Keras 3 draws one mask for the inputs and one for the state, except that
// a gated cell with recurrent_dropout runs its per-gate implementation and
// draws one mask per gate for each (GRUCell 3, LSTMCell 4;
// dropout_mask_count in keras/src/layers/rnn). `gates` is that count.

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "graph/tensor.hpp"

namespace kiln {

class RecurrentDropout {
 public:
  // Throws kiln::Error naming `owner` unless both rates are in [0, 1).
  // `seed`: none draws one from the global generator (set_random_seed).
  RecurrentDropout(const std::string& owner, float rate, float recurrent_rate, std::optional<std::uint64_t> seed,
                   std::size_t gates);

  // Whether a training call drops anything.
  bool any() const { return rate_ > 0.0f || recurrent_rate_ > 0.0f; }
  bool recurrent() const { return recurrent_rate_ > 0.0f; }

  // Draws the masks of one sequence of `batch` rows: (batch, features) for
  // the inputs when rate > 0, (batch, units) for the state when
  // recurrent_rate > 0; none at all unless `training`.
  void begin_sequence(std::size_t batch, std::size_t features, std::size_t units, bool training);

  // The current masks: empty (none), one, or one per gate.
  const std::vector<Array>& input_masks() const { return input_masks_; }
  const std::vector<Array>& recurrent_masks() const { return recurrent_masks_; }

 private:
  std::vector<Array> draw(float rate, std::size_t count, const Shape& shape);

  float rate_, recurrent_rate_;
  std::size_t gates_;
  std::mt19937_64 rng_;
  std::vector<Array> input_masks_, recurrent_masks_;
};

// The `gates` inputs of a gated step: x once per gate, multiplied by that
// gate's mask when there is one mask per gate, by the single mask when there
// is one, as is when there is none.
std::vector<Tensor> masked_per_gate(const Tensor& x, const std::vector<Array>& masks, std::size_t gates);

// The projections x_g kernel[:, g H : (g+1) H] of per-gate inputs
// (masked_per_gate), one (batch, H) tensor per gate, H = kernel columns /
// gates. When every x_g is the same tensor this is one product, split.
std::vector<Tensor> project_per_gate(const std::vector<Tensor>& xs, const Tensor& kernel);

}  // namespace kiln
