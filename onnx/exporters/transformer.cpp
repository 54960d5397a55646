// keras_hub's TransformerEncoder and TransformerDecoder: their sublayers'
// own exports in kiln's order -- self-attention (the input's padding mask
// as the query's and the value's; the encoder's attention_mask input, the
// decoder's causal mask), for the decoder with an encoder sequence a cross
// attention (the decoder's padding for queries, the encoder's for keys),
// each with its residual add (dropout is inference's identity), then the
// feedforward Dense pair and its residual; each LayerNormalization before
// (normalize_first) or after its block. The output carries the input's
// mask; the scores are an output when the layer returns them (the
// decoder's are the cross attention's when it has one).

#include "layers/transformer_decoder.hpp"
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

// x + block(x), the block's LayerNormalization before or after it.
template <class Block>
std::string residual_block(GraphBuilder& g, const Layer& norm, bool pre_norm, const std::string& x, const PartialShape& shape,
                           const std::string& hint, Block block) {
  const std::string y = block(pre_norm ? through(g, norm, x, shape) : x);
  const std::string sum = g.node1("Add", {y, x}, hint);
  return pre_norm ? sum : through(g, norm, sum, shape);
}

std::string feedforward(GraphBuilder& g, const Layer& layer, std::size_t intermediate_dim, const std::string& x,
                        const PartialShape& shape) {
  PartialShape wide = shape;
  wide.back() = std::int64_t(intermediate_dim);
  const std::string hidden = through(g, sublayer(layer, "feedforward_intermediate_dense"), x, shape);
  return through(g, sublayer(layer, "feedforward_output_dense"), hidden, wide);
}

}  // namespace

LayerOutputs export_transformer_decoder(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& o = layer_as<TransformerDecoderLayer>(layer).options();
  const std::string p = layer.name();
  const PartialShape& shape = in.shapes[0];
  const MaskName& padding = in.mask(0);
  std::string scores;
  std::string x = residual_block(g, sublayer(layer, "self_attention_layer_norm"), o.normalize_first, in.values[0], shape,
                                 p + "/self_attention_residual", [&](const std::string& y) {
                                   const LayerOutputs a = export_layer(sublayer(layer, "self_attention"), {{y, y}, {shape, shape}, {padding, padding}}, g);
                                   if (a.values.size() == 2) scores = a.values[1];
                                   return a.values[0];
                                 });
  if (in.values.size() == 2) {
    x = residual_block(g, sublayer(layer, "cross_attention_layer_norm"), o.normalize_first, x, shape, p + "/cross_attention_residual",
                       [&](const std::string& y) {
                         const LayerOutputs a = export_layer(sublayer(layer, "cross_attention"),
                                                             {{y, in.values[1]}, {shape, in.shapes[1]}, {padding, in.mask(1)}}, g);
                         if (a.values.size() == 2) scores = a.values[1];
                         return a.values[0];
                       });
  }
  x = residual_block(g, sublayer(layer, "feedforward_layer_norm"), o.normalize_first, x, shape, p + "/feedforward_residual",
                     [&](const std::string& y) { return feedforward(g, layer, o.intermediate_dim, y, shape); });
  LayerOutputs out{{x}, {padding}};
  if (o.return_attention_scores) out.values.push_back(scores);
  return out;
}

LayerOutputs export_transformer_encoder(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& o = layer_as<TransformerEncoderLayer>(layer).options();
  const std::string p = layer.name();
  const PartialShape& shape = in.shapes[0];
  const MaskName& padding = in.mask(0);
  std::string scores;
  std::string x = residual_block(g, sublayer(layer, "self_attention_layer_norm"), o.normalize_first, in.values[0], shape,
                                 p + "/attention_residual", [&](const std::string& y) {
                                   LayerInputs a{{y, y}, {shape, shape}, {padding, padding}};
                                   if (in.values.size() == 2) {  // [x, attention_mask]
                                     a.values = {y, y, y, in.values[1]};
                                     a.shapes = {shape, shape, shape, in.shapes[1]};
                                   }
                                   const LayerOutputs attended = export_layer(sublayer(layer, "self_attention_layer"), a, g);
                                   if (attended.values.size() == 2) scores = attended.values[1];
                                   return attended.values[0];
                                 });
  x = residual_block(g, sublayer(layer, "feedforward_layer_norm"), o.normalize_first, x, shape, p + "/feedforward_residual",
                     [&](const std::string& y) { return feedforward(g, layer, o.intermediate_dim, y, shape); });
  LayerOutputs out{{x}, {padding}};
  if (o.return_attention_scores) out.values.push_back(scores);
  return out;
}

}  // namespace kiln::onnx_export
