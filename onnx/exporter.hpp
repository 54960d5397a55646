#pragma once
// The per-layer ONNX exporters and their registry, by Keras class name (as
// layers/registry.hpp keeps layer factories). An exporter is one function:
// given the layer, the ONNX names of its inputs and of their masks, it adds
// the layer's nodes and returns the names of its outputs and of their masks.
// onnx/exporters/ holds one file per built-in layer, listed in
// onnx/builtin_exporters.cpp.
//
// Masks follow kiln's contract (layers/layer.hpp): each value carries its
// own mask, as each Tensor does, so a layer receives the masks of exactly
// its own inputs (LayerInputs::masks, one per input) and says what its
// outputs carry (LayerOutputs::masks, one per output), as its class's
// Layer::compute_mask does -- an exporter whose layer passes input 0's mask
// to output 0 (set_supports_masking) returns {in.mask(0)}. An exporter
// whose layer reads a mask in call() (CallContext::mask(i)) must use
// in.mask(i) the same way, or throw an Error when it is set and cannot:
// ignoring it would write a graph that computes something else.
//
// The same registry is the hook for a custom layer: register a function that
// writes its nodes before calling export_onnx.
//
//   kiln::onnx_export::register_exporter("Scale", [](const kiln::Layer& layer,
//       const kiln::onnx_export::LayerInputs& in, kiln::onnx_export::GraphBuilder& g) {
//     const auto& scale = dynamic_cast<const Scale&>(layer);
//     std::string gamma = g.initializer(layer.name() + "/gamma", scale.gamma().value());
//     return kiln::onnx_export::LayerOutputs{{g.node1("Mul", {in.values[0], gamma}, layer.name() + "/Mul")},
//                                             {in.mask(0)}};
//   });
//
// Values are float32 unless an exporter casts; the batch axis is dynamic.
// A mask is a float32 (batch, time) value of 1s and 0s, as CallContext::masks hold.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "layers/layer.hpp"
#include "onnx/graph_builder.hpp"

namespace kiln::onnx_export {

using MaskName = std::optional<std::string>;  // the ONNX name of a mask, or none

struct LayerInputs {
  std::vector<std::string> values;   // the ONNX names of the layer's inputs
  std::vector<PartialShape> shapes;  // their kiln shapes (batch unknown)
  // Each input's mask, in input order (CallContext::masks resolved); the
  // list may be shorter: inputs past its end have none.
  std::vector<MaskName> masks = {};
  const MaskName& mask(std::size_t input) const;
};

struct LayerOutputs {
  std::vector<std::string> values;   // one name per output of the layer's call
  // Each output's mask (Layer::compute_mask); outputs past the end have none.
  std::vector<MaskName> masks = {};
  const MaskName& mask(std::size_t output) const;
};

using LayerExporter = std::function<LayerOutputs(const Layer&, const LayerInputs&, GraphBuilder&)>;

// Registers (or replaces) the exporter of a layer class.
void register_exporter(const std::string& class_name, LayerExporter exporter);
bool has_exporter(const std::string& class_name);

// Exports one layer call through its class's exporter. Throws kiln::Error
// naming the layer when its class has none, and prefixes the exporter's own
// errors with the layer's description.
LayerOutputs export_layer(const Layer& layer, const LayerInputs& inputs, GraphBuilder& graph);

// For exporters: the layer as its concrete class (an Error naming it if not).
template <class L>
const L& layer_as(const Layer& layer) {
  const L* concrete = dynamic_cast<const L*>(&layer);
  if (!concrete) throw Error(layer.describe() + ": the ONNX exporter of its class expects another layer type");
  return *concrete;
}

// Nodes every exporter needs, named "<prefix>/<Op>".
// The activation of that Keras name (layers/activation.hpp), with kiln's
// formula and constants (onnx/activation_nodes.cpp); x itself for linear.
std::string apply_activation(GraphBuilder& g, const std::string& activation, const std::string& x,
                             const std::string& prefix);
// A mask's kept steps as a bool value (mask != 0), for Where and Or.
std::string kept_steps(GraphBuilder& g, const std::string& mask, const std::string& prefix);
// x with `axes` inserted / removed (axes given as an int64 initializer).
std::string unsqueeze(GraphBuilder& g, const std::string& x, const std::vector<std::int64_t>& axes,
                      const std::string& prefix);
std::string squeeze(GraphBuilder& g, const std::string& x, const std::vector<std::int64_t>& axes,
                    const std::string& prefix);
std::string transpose(GraphBuilder& g, const std::string& x, const std::vector<std::int64_t>& perm,
                      const std::string& prefix);
// x reversed along `axis` (a Slice with step -1, for any length).
std::string reverse_axis(GraphBuilder& g, const std::string& x, std::int64_t axis, const std::string& prefix);

}  // namespace kiln::onnx_export
