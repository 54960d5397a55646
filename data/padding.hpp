#pragma once
// Samples of different lengths made into one batch: every array with a
// second axis (a sequence: (1, T, ...)) padded along it to the longest of
// the batch, then the samples stacked along the first axis. Used by
// padded_batch and bucket_by_length.

#include <optional>
#include <vector>

#include "data/batch.hpp"

namespace kiln {

enum class PadSide { post, pre };

struct SequencePadding {
  float value = 0.0f;
  PadSide side = PadSide::post;
  // Per input array, overriding `side` (English pre-padded, French post-padded).
  std::vector<PadSide> x_sides = {};
  // Pad every sequence to this length instead of the batch's longest
  // (kiln::ShapeError for a longer one).
  std::optional<std::size_t> length = std::nullopt;
};

// The samples (each a batch of any number of rows) as one batch. Throws
// kiln::ShapeError naming the array when samples disagree on the number of
// arrays or on an axis other than the second.
Batch pad_and_stack(const std::vector<Batch>& samples, const SequencePadding& padding);

// The length of a sample's first input's second axis (its sequence length).
std::size_t sequence_length(const Batch& sample);

}  // namespace kiln
