#pragma once
// What every score-based attention layer's export shares (kiln's
// BaseAttentionLayer): the encoder's mask (input 0's) lowers masked scores
// by 1e9, a softmax over the encoder steps gives the weights, and one
// batched MatMul the context, which carries the decoder's mask (input 1's).

#include "onnx/exporter.hpp"

namespace kiln::onnx_export {

// scores (B, Td, Te), encoder_out (B, Te, E) -> [context, weights].
LayerOutputs finish_attention(GraphBuilder& g, const std::string& scores, const LayerInputs& in,
                              const std::string& prefix);

}  // namespace kiln::onnx_export
