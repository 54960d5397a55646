#pragma once
// Keras' class_weight, turned into sample weights batch by batch: a sample
// (or time step) whose target is class c weighs class_weight[c] (1 for a
// class not listed) times its sample weight. Targets are class ids, (N) or
// (..., 1), or one-hot (..., C) whose class is the largest entry's
// position, as Keras reads them.

#include <map>

#include "data/batch.hpp"

namespace kiln {

// Sets batch.sample_weight to the class weights of batch.y[0], multiplied
// by the sample weights the batch had: equal shapes multiply elementwise,
// and per-sample (N) weights and per-step (N, T) ones broadcast over the
// steps. Throws kiln::Error for a model of several targets (Keras allows
// class_weight only with one output), a class id that is negative or not
// whole, or weights whose shape fits neither way.
void apply_class_weight(Batch& batch, const std::map<std::size_t, float>& class_weight);

}  // namespace kiln
