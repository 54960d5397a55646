// SimpleRNN: ONNX's RNN op. Keras' kernel (F, H) is ONNX's W (1, H, F)
// transposed, its recurrent kernel likewise R (1, H, H); Keras' one bias is
// ONNX's Wb, with Rb zero. ONNX's RNN takes the activation by name: Keras'
// tanh, relu and sigmoid are ONNX's Tanh, Relu and Sigmoid.

#include "layers/simple_rnn.hpp"
#include "onnx/exporters/exporters.hpp"
#include "onnx/exporters/recurrent.hpp"

namespace kiln::onnx_export {

namespace {

std::string onnx_activation(const SimpleRNNLayer& layer) {
  const std::string& a = layer.options().activation;
  if (a == "tanh") return "Tanh";
  if (a == "relu") return "Relu";
  if (a == "sigmoid") return "Sigmoid";
  throw Error("export_onnx: " + layer.describe() + ": activation '" + a +
              "' has no ONNX RNN equivalent here (tanh, relu or sigmoid)");
}

}  // namespace

LayerOutputs export_simple_rnn(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& rnn = layer_as<SimpleRNNLayer>(layer);
  const std::size_t H = rnn.units();
  RecurrentCell cell{"RNN", "", "", "", {strings_attribute("activations", {onnx_activation(rnn)})}};
  const std::string p = layer.name();
  cell.W = g.initializer(p + "/W", onnx_gate_matrix(rnn.kernel().value(), H, {0}));
  cell.R = g.initializer(p + "/R", onnx_gate_matrix(rnn.recurrent_kernel().value(), H, {0}));
  if (rnn.options().use_bias) {
    Array b = Array(Shape{1, 2 * H}, 0.0f);
    std::copy(rnn.bias().value().begin(), rnn.bias().value().end(), b.begin());
    cell.B = g.initializer(p + "/B", b);
  }
  return export_recurrent(rnn, cell, in, g);
}

}  // namespace kiln::onnx_export
