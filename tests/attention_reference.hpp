#pragma once
// Attention written out in plain loops over floats (accumulated in double),
// independent of kiln's ops: the tests of every attention layer compare
// against it. Scores come from a function of (b, i, j) so each layer's test
// states its own formula.

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "graph/shape.hpp"

namespace kiln::testing {

struct AttentionReference {
  Array context;  // (B, Td, E)
  Array weights;  // (B, Td, Te)
};

// weights[b,i,:] = softmax over the kept j of score(b,i,j), zero where
// mask(b,j) == 0; context[b,i] = sum_j weights[b,i,j] encoder_out[b,j].
inline AttentionReference attend_in_loops(const Array& encoder_out, std::size_t decoder_time,
                                          const std::function<double(std::size_t, std::size_t, std::size_t)>& score,
                                          const Array* mask = nullptr) {
  const std::size_t batch = encoder_out.shape()[0], te = encoder_out.shape()[1], width = encoder_out.shape()[2];
  AttentionReference out{Array::from_shape({batch, decoder_time, width}),
                         Array::from_shape({batch, decoder_time, te})};
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t i = 0; i < decoder_time; ++i) {
      std::vector<double> e(te);
      double top = -std::numeric_limits<double>::infinity();
      for (std::size_t j = 0; j < te; ++j) {
        const bool kept = mask == nullptr || (*mask)(b, j) != 0.0f;
        e[j] = kept ? score(b, i, j) : -std::numeric_limits<double>::infinity();
        top = std::max(top, e[j]);
      }
      double total = 0.0;
      for (std::size_t j = 0; j < te; ++j) total += std::exp(e[j] - top);
      for (std::size_t j = 0; j < te; ++j) out.weights(b, i, j) = float(std::exp(e[j] - top) / total);
      for (std::size_t k = 0; k < width; ++k) {
        double c = 0.0;
        for (std::size_t j = 0; j < te; ++j) c += double(out.weights(b, i, j)) * encoder_out(b, j, k);
        out.context(b, i, k) = float(c);
      }
    }
  }
  return out;
}

}  // namespace kiln::testing
