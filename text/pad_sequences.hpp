#pragma once
// pad_sequences: Keras' keras.preprocessing.sequence.pad_sequences.
//
//   Array ids = pad_sequences(tokenizer.texts_to_sequences(lines),
//                             {.maxlen = 20, .padding = "post"});

#include <cstddef>
#include <string>
#include <vector>

#include "graph/shape.hpp"
#include "text/sequence.hpp"

namespace kiln::text {

struct PadOptions {
  std::size_t maxlen = 0;          // 0: the longest sequence's length
  std::string padding = "pre";     // "pre": values before the ids; "post": after
  std::string truncating = "pre";  // "pre": drop the first ids of long sequences; "post": the last
  float value = 0.0f;              // the padding value
};

// (sequences.size(), maxlen) float32 ids. Throws kiln::Error for a padding
// or truncating other than "pre"/"post", and for ids float32 cannot hold
// exactly (|id| > 2^24).
Array pad_sequences(const std::vector<Sequence>& sequences, const PadOptions& options = {});

}  // namespace kiln::text
