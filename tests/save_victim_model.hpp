#pragma once
// The model that tests/save_victim.cpp saves again and again and
// tests/test_checkpoint_kill.cpp loads back: 4 MB of weights, so that one
// save takes long enough to be killed in the middle of it.

#include <cstddef>

#include "layers/dense.hpp"
#include "models/functional.hpp"

namespace kiln::testing {

constexpr std::size_t kSaveVictimHiddenUnits = 512;
constexpr std::size_t kSaveVictimOutputUnits = 2048;

// 1 feature -> Dense(512) "hidden" -> Dense(2048) "output": four tensors,
// 1.05 million floats, nearly all in one kernel whose training step is two
// BLAS calls, so a step is short next to a save. Zero-initialised: the
// weights are set before use.
inline Functional save_victim_model() {
  auto in = Input({1}, "x");
  Dense hidden({.units = kSaveVictimHiddenUnits, .kernel_initializer = "zeros", .name = "hidden"});
  Dense output({.units = kSaveVictimOutputUnits, .kernel_initializer = "zeros", .name = "output"});
  return Functional({in}, {output(hidden(in))}, "save_victim");
}

// Sets every weight of `model` to k.
inline void fill_weights(const Model& model, float k) {
  for (auto& [name, weight] : model.named_weights()) weight.mutable_value().fill(k);
}

}  // namespace kiln::testing
