// TransformerEncoder (keras_hub): its sublayers' own exports in kiln's
// order -- self-attention (with the input's padding mask as the query's and
// the value's, and the attention_mask input when given), the residual add
// (dropout is inference's identity), the feedforward Dense pair and its
// residual, each LayerNormalization before (normalize_first) or after its
// block. The output carries the input's mask; the scores are an output when
// the layer returns them.

#include "layers/transformer_encoder.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

namespace {

const Layer& sublayer(const Layer& layer, const std::string& name) {
  for (const auto& sub : layer.sublayers()) {
    if (sub->name() == name) return *sub;
  }
  throw Error("has no sublayer '" + name + "' (is it built?)");
}

std::string through(GraphBuilder& g, const Layer& layer, const std::string& x, const PartialShape& shape) {
  return export_layer(layer, {{x}, {shape}, {}}, g).values.at(0);
}

}  // namespace

LayerOutputs export_transformer_encoder(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& encoder = layer_as<TransformerEncoderLayer>(layer);
  const std::string p = layer.name();
  const bool pre_norm = encoder.options().normalize_first;
  const PartialShape& shape = in.shapes[0];
  const MaskName& padding = in.mask(0);
  const Layer& attention_norm = sublayer(layer, "self_attention_layer_norm");
  const Layer& feedforward_norm = sublayer(layer, "feedforward_layer_norm");

  const std::string input = in.values[0];
  std::string x = pre_norm ? through(g, attention_norm, input, shape) : input;
  LayerInputs attention_inputs{{x, x}, {shape, shape}, {padding, padding}};
  if (in.values.size() == 2) {
    attention_inputs.values = {x, x, x, in.values[1]};
    attention_inputs.shapes = {shape, shape, shape, in.shapes[1]};
  }
  const LayerOutputs attended = export_layer(sublayer(layer, "self_attention_layer"), attention_inputs, g);
  x = g.node1("Add", {attended.values[0], input}, p + "/attention_residual");
  if (!pre_norm) x = through(g, attention_norm, x, shape);

  const std::string residual = x;
  std::string y = pre_norm ? through(g, feedforward_norm, x, shape) : x;
  const Layer& intermediate = sublayer(layer, "feedforward_intermediate_dense");
  PartialShape wide = shape;
  wide.back() = std::int64_t(encoder.options().intermediate_dim);
  y = through(g, sublayer(layer, "feedforward_output_dense"), through(g, intermediate, y, shape), wide);
  x = g.node1("Add", {y, residual}, p + "/feedforward_residual");
  if (!pre_norm) x = through(g, feedforward_norm, x, shape);
  LayerOutputs out{{x}, {padding}};
  if (encoder.options().return_attention_scores) out.values.push_back(attended.values.at(1));
  return out;
}

}  // namespace kiln::onnx_export
