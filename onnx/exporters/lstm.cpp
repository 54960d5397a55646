// LSTM: ONNX's LSTM op. Keras' gate blocks i, f, c, o become ONNX's
// i, o, f, c; kernels are transposed into W (1, 4H, F) and R (1, 4H, H);
// Keras' one bias is ONNX's Wb, with Rb zero.

#include "layers/lstm.hpp"
#include "onnx/exporters/exporters.hpp"
#include "onnx/exporters/recurrent.hpp"

namespace kiln::onnx_export {

LayerOutputs export_lstm(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& lstm = layer_as<LSTMLayer>(layer);
  const std::size_t H = lstm.units();
  const std::vector<std::size_t> iofc{0, 3, 1, 2};  // Keras' block index of ONNX's i, o, f, c
  RecurrentCell cell{"LSTM", "", "", "", {}};
  const std::string p = layer.name();
  cell.W = g.initializer(p + "/W", onnx_gate_matrix(lstm.kernel().value(), H, iofc));
  cell.R = g.initializer(p + "/R", onnx_gate_matrix(lstm.recurrent_kernel().value(), H, iofc));
  if (lstm.options().use_bias) {
    Array b = Array(Shape{1, 8 * H}, 0.0f);
    const Array wb = onnx_gate_vector(lstm.bias().value(), H, iofc);
    std::copy(wb.begin(), wb.end(), b.begin());
    cell.B = g.initializer(p + "/B", b);
  }
  return export_recurrent(lstm, cell, in, g);
}

}  // namespace kiln::onnx_export
