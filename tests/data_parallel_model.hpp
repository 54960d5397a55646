#pragma once
// The small model and data the data-parallel tests train, in-process
// (test_data_parallel.cpp, threads as ranks) and under mpirun
// (mpi/test_mpi_data_parallel.cpp): a GRU tagger, one label per time step,
// trained with Adam on a masked (padded) cross-entropy.
//
//   x (batch, 6 steps, 4 features) -> GRU(8, sequences) -> Dense(5, softmax)
//   y one-hot (batch, 6, 5); mask (batch, 6), 1 on real steps, 0 on padding

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>

#include "distributed/communicator.hpp"
#include "layers/dense.hpp"
#include "layers/gru.hpp"
#include "layers/initializers.hpp"
#include "models/functional.hpp"
#include "optimizers/adam.hpp"

namespace kiln::testing {

constexpr std::size_t tagger_steps = 6, tagger_features = 4, tagger_units = 8, tagger_classes = 5;

// Weights drawn from kiln's generator seeded with `seed`; compiled with
// `communicator` (null: one process).
inline Functional gru_tagger(std::uint64_t seed, std::shared_ptr<Communicator> communicator) {
  set_random_seed(seed);
  auto in = Input({tagger_steps, tagger_features}, "features");
  GRU gru({.units = tagger_units, .return_sequences = true});
  Dense dense({.units = tagger_classes, .activation = "softmax"});
  Functional model({in}, {dense(gru(in))}, "tagger");
  model->compile({.optimizer = std::make_shared<Adam>(Adam::Options{.learning_rate = 0.01f}),
                  .loss = "categorical_crossentropy",
                  .metrics = {"accuracy"},
                  .loss_options = {.reduction = Reduction::mean_with_sample_weight},
                  .communicator = std::move(communicator)});
  return model;
}

struct TaggerData {
  Array x, y, mask;
};

// n sequences; the label of a step is the index of its largest feature
// (class 4 when all are negative), so there is something to learn. Each
// sequence has 2..6 real steps, the rest padding (mask 0).
inline TaggerData tagger_data(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::uniform_int_distribution<std::size_t> length(2, tagger_steps);
  TaggerData d{Array::from_shape({n, tagger_steps, tagger_features}),
               Array::from_shape({n, tagger_steps, tagger_classes}), Array::from_shape({n, tagger_steps})};
  std::fill(d.y.begin(), d.y.end(), 0.0f);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t real = length(rng);
    for (std::size_t t = 0; t < tagger_steps; ++t) {
      float* f = &d.x(i, t, 0);
      for (std::size_t k = 0; k < tagger_features; ++k) f[k] = uniform(rng);
      const auto best = std::size_t(std::max_element(f, f + tagger_features) - f);
      d.y(i, t, f[best] < 0.0f ? tagger_classes - 1 : best) = 1.0f;
      d.mask(i, t) = t < real ? 1.0f : 0.0f;
    }
  }
  return d;
}

}  // namespace kiln::testing
