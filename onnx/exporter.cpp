#include "onnx/exporter.hpp"

#include <limits>
#include <map>
#include <mutex>

namespace kiln::onnx_export {

namespace detail {
std::map<std::string, LayerExporter> builtin_exporters();  // onnx/builtin_exporters.cpp
}

namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, LayerExporter> exporters = detail::builtin_exporters();
};

Registry& registry() {
  static Registry r;
  return r;
}

const MaskName no_mask;

}  // namespace

const MaskName& LayerInputs::mask(std::size_t input) const { return input < masks.size() ? masks[input] : no_mask; }
const MaskName& LayerOutputs::mask(std::size_t output) const { return output < masks.size() ? masks[output] : no_mask; }

void register_exporter(const std::string& class_name, LayerExporter exporter) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.exporters[class_name] = std::move(exporter);
}

bool has_exporter(const std::string& class_name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return r.exporters.count(class_name) != 0;
}

LayerOutputs export_layer(const Layer& layer, const LayerInputs& inputs, GraphBuilder& graph) {
  LayerExporter exporter;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    auto it = r.exporters.find(layer.class_name());
    if (it == r.exporters.end()) {
      throw Error("ONNX export: " + layer.describe() + " has no ONNX exporter; register one for class '" +
                  layer.class_name() + "' with kiln::onnx_export::register_exporter (onnx/exporter.hpp)");
    }
    exporter = it->second;
  }
  LayerOutputs out;
  try {
    out = exporter(layer, inputs, graph);
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind("ONNX export: ", 0) == 0) throw;  // a nested layer already said where
    throw Error("ONNX export: " + layer.describe() + ": " + what);
  }
  if (inputs.masks.size() > inputs.values.size() || out.masks.size() > out.values.size()) {
    throw Error("ONNX export: " + layer.describe() + ": more masks than values (" + std::to_string(inputs.masks.size()) +
                " for " + std::to_string(inputs.values.size()) + " inputs, " + std::to_string(out.masks.size()) +
                " for " + std::to_string(out.values.size()) + " outputs); give at most one per value");
  }
  return out;
}

std::string kept_steps(GraphBuilder& g, const std::string& mask, const std::string& prefix) {
  const std::string is_zero = g.node1("Equal", {mask, g.scalar(prefix + "/zero", 0.0f)}, prefix + "/is_padding");
  return g.node1("Not", {is_zero}, prefix + "/kept");
}

std::string unsqueeze(GraphBuilder& g, const std::string& x, const std::vector<std::int64_t>& axes,
                      const std::string& prefix) {
  return g.node1("Unsqueeze", {x, g.int64s(prefix + "/axes", axes)}, prefix + "/Unsqueeze");
}

std::string squeeze(GraphBuilder& g, const std::string& x, const std::vector<std::int64_t>& axes,
                    const std::string& prefix) {
  return g.node1("Squeeze", {x, g.int64s(prefix + "/axes", axes)}, prefix + "/Squeeze");
}

std::string transpose(GraphBuilder& g, const std::string& x, const std::vector<std::int64_t>& perm,
                      const std::string& prefix) {
  return g.node1("Transpose", {x}, prefix + "/Transpose", {ints_attribute("perm", perm)});
}

std::string reverse_axis(GraphBuilder& g, const std::string& x, std::int64_t axis, const std::string& prefix) {
  const std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
  return g.node1("Slice",
                 {x, g.int64s(prefix + "/starts", {-1}), g.int64s(prefix + "/ends", {lowest}),
                  g.int64s(prefix + "/axes", {axis}), g.int64s(prefix + "/steps", {-1})},
                 prefix + "/Reverse");
}

}  // namespace kiln::onnx_export
