#pragma once
// The sample weights of a loss whose prediction carries a mask
// (Tensor::mask(): an Embedding with mask_zero or a Masking layer upstream),
// by Keras' rule (keras/src/losses/loss.py, apply_mask): masked positions
// weigh 0; with Reduction::sum_over_batch_size the kept ones weigh
// total / (kept + 1e-7), so the loss is the mean over the kept positions;
// given sample weights multiply in.

#include <optional>
#include <string>

#include "graph/tensor.hpp"
#include "training/losses.hpp"

namespace kiln {

// The weights to pass the loss of `prediction` (whose mask must cover the
// loss's positions: its shape without the last axis); `sample_weight` as the
// loss takes it ((batch) or the positions' shape), or null. Returns nothing
// when the prediction has no mask (the sample weights apply as they are).
// ShapeError naming `output` when the mask does not fit.
std::optional<Array> masked_loss_weights(const Tensor& prediction, const Array* sample_weight, Reduction reduction,
                                         const std::string& output);

}  // namespace kiln
