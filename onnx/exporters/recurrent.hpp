#pragma once
// What the GRU, LSTM and SimpleRNN exporters share: kiln's RecurrentLayer contract
// (initial states, go_backwards, return_sequences / return_state, masks) in
// ONNX. A cell supplies its weights in ONNX's layout and the attributes of
// its ONNX op; everything else is here.
//
// Without a mask the layer is one ONNX GRU / LSTM / RNN node on the time-major
// input. ONNX's sequence_lens only describes padding at the end, while a
// kiln mask may skip any step, so with a mask the recurrence is a Scan over
// time whose body runs the same ONNX op for one step and keeps the carried
// state where the mask is 0, exactly as kiln's fused ops do (see
// layers/recurrent.hpp for the outputs at masked steps).

#include "layers/recurrent.hpp"
#include "onnx/exporter.hpp"

namespace kiln::onnx_export {

struct RecurrentCell {
  std::string op;                   // "GRU", "LSTM" or "RNN"
  std::string W, R, B;              // initializers in ONNX's layout; B may be "" (no bias)
  std::vector<Attribute> attributes;  // besides hidden_size and direction
};

LayerOutputs export_recurrent(const RecurrentLayer& layer, const RecurrentCell& cell, const LayerInputs& in,
                              GraphBuilder& g);

// kiln's (features, gates * units) kernel as ONNX's (1, gates * units,
// features), its gate blocks taken in `order` (Keras' block indices).
Array onnx_gate_matrix(const Array& kernel, std::size_t units, const std::vector<std::size_t>& order);
// A (gates * units) bias vector with its blocks taken in `order`.
Array onnx_gate_vector(const Array& bias, std::size_t units, const std::vector<std::size_t>& order);

}  // namespace kiln::onnx_export
