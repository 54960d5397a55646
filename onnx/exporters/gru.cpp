// GRU: ONNX's GRU op. Keras' gates z, r, h are ONNX's z, r, h (same
// order), its kernel (F, 3H) is ONNX's W (1, 3H, F) transposed, and Keras'
// reset_after=True (the reset gate applied to h R + b_R) is ONNX's
// linear_before_reset=1; the (2, 3H) bias [input; recurrent] is ONNX's B
// [Wb, Rb] as it stands.

#include "layers/gru.hpp"
#include "onnx/exporters/exporters.hpp"
#include "onnx/exporters/recurrent.hpp"

namespace kiln::onnx_export {

LayerOutputs export_gru(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& gru = layer_as<GRULayer>(layer);
  const std::size_t H = gru.units();
  const std::vector<std::size_t> zrh{0, 1, 2};
  RecurrentCell cell{"GRU", "", "", "", {int_attribute("linear_before_reset", 1)}};
  const std::string p = layer.name();
  cell.W = g.initializer(p + "/W", onnx_gate_matrix(gru.kernel().value(), H, zrh));
  cell.R = g.initializer(p + "/R", onnx_gate_matrix(gru.recurrent_kernel().value(), H, zrh));
  if (gru.options().use_bias) {
    Array b = gru.bias().value();
    b.reshape({1, 6 * H});
    cell.B = g.initializer(p + "/B", b);
  }
  return export_recurrent(gru, cell, in, g);
}

}  // namespace kiln::onnx_export
