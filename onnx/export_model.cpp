// export_onnx: the model's graph through the per-layer exporters, wrapped
// in an ONNX ModelProto (opset 17) with the model's input and output names.

#include "onnx/onnx.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "io/atomic_file.hpp"
#include "models/functional.hpp"
#include "models/sequential.hpp"
#include "onnx/exporter.hpp"
#include "version.hpp"

namespace kiln {

namespace {

using onnx_export::Dim;

constexpr std::int64_t opset = 17;
constexpr std::int64_t ir_version = 8;  // what opset 17 came with (ONNX 1.12)

struct Signature {
  std::vector<std::string> input_names, output_names;
  std::vector<PartialShape> input_shapes, output_shapes;
};

Signature signature_of(const Model& model) {
  Signature s;
  if (const auto* functional = dynamic_cast<const FunctionalModel*>(&model)) {
    for (const auto& in : functional->inputs()) {
      s.input_names.push_back(in.node()->input_name);
      s.input_shapes.push_back(in.shape());
    }
    for (const auto& out : functional->outputs()) s.output_shapes.push_back(out.shape());
  } else if (const auto* sequential = dynamic_cast<const SequentialModel*>(&model)) {
    if (sequential->input_shape().empty()) {
      throw Error("ONNX export: " + model.describe() + " has no input shape yet; give Options::input_shape or call it once");
    }
    s.input_names.push_back("input");
    s.input_shapes.push_back(sequential->input_shape());
    s.output_shapes = sequential->compute_output_shape(s.input_shapes);
  } else {
    throw Error("ONNX export: " + model.describe() +
                " is a subclassed model, whose architecture is code; export a Functional or Sequential model");
  }
  s.output_names = model.output_names();
  return s;
}

// Axis 0 is the batch; other unknown sizes get a name of their own.
std::vector<Dim> dims_of(const PartialShape& shape, const std::string& name) {
  std::vector<Dim> dims;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (k == 0) {
      dims.push_back({0, "batch"});
    } else if (shape[k] == unknown_dim) {
      dims.push_back({0, name + (k == 1 ? "_time" : "_dim" + std::to_string(k))});
    } else {
      dims.push_back({shape[k], ""});
    }
  }
  return dims;
}

// The mask input of each model input (none for most), from OnnxExportOptions::masked_inputs.
std::vector<onnx_export::MaskName> mask_inputs_of(const Model& model, const Signature& s,
                                                  const OnnxExportOptions& options) {
  std::vector<onnx_export::MaskName> masks(s.input_names.size());
  for (const auto& name : options.masked_inputs) {
    const auto it = std::find(s.input_names.begin(), s.input_names.end(), name);
    if (it == s.input_names.end()) {
      std::string known;
      for (const auto& n : s.input_names) known += (known.empty() ? "'" : ", '") + n + "'";
      throw Error("ONNX export: " + model.describe() + ": masked input '" + name + "' is not one of its inputs (" +
                  known + ")");
    }
    const std::size_t i = std::size_t(it - s.input_names.begin());
    if (masks[i]) throw Error("ONNX export: " + model.describe() + ": input '" + name + "' is masked twice");
    if (s.input_shapes[i].size() < 2) {
      throw Error("ONNX export: " + model.describe() + ": input '" + name + "' of shape " +
                  to_string(s.input_shapes[i]) + " has no time axis for a (batch, time) mask");
    }
    masks[i] = name + "_mask";
  }
  return masks;
}

void reserve(onnx_export::GraphBuilder& builder, const Model& model, const std::string& name, const char* what) {
  if (builder.fresh(name) != name) {
    throw Error("ONNX export: " + model.describe() + ": the " + what + " name '" + name +
                "' is used twice, or by another input or output");
  }
}

void add_metadata(::onnx::ModelProto& proto, const std::string& key, const nlohmann::json& names) {
  if (names.empty()) return;
  auto& entry = *proto.add_metadata_props();
  entry.set_key(key);
  entry.set_value(names.dump());
}

}  // namespace

bool onnx_supported() { return true; }

void export_onnx(const Model& model, const std::filesystem::path& path, const OnnxExportOptions& options) {
  const Signature s = signature_of(model);
  const std::vector<onnx_export::MaskName> input_masks = mask_inputs_of(model, s, options);
  ::onnx::ModelProto proto;
  proto.set_ir_version(ir_version);
  proto.set_producer_name("kiln");
  proto.set_producer_version(KILN_VERSION_STRING);
  auto& opset_import = *proto.add_opset_import();
  opset_import.set_domain("");
  opset_import.set_version(opset);
  ::onnx::GraphProto& graph = *proto.mutable_graph();
  graph.set_name(model.name());
  onnx_export::GraphBuilder builder(graph);

  // The interface's names are taken first, so no inner value can claim them.
  for (const auto& name : s.input_names) reserve(builder, model, name, "input");
  for (const auto& name : s.output_names) reserve(builder, model, name, "output");
  for (const auto& mask : input_masks) {
    if (mask) reserve(builder, model, *mask, "mask input");
  }
  if (options.output_masks) {
    for (const auto& name : s.output_names) reserve(builder, model, name + "_mask", "mask output");
  }
  nlohmann::json mask_inputs = nlohmann::json::object(), mask_outputs = nlohmann::json::object();
  for (std::size_t i = 0; i < s.input_names.size(); ++i) {
    const std::vector<Dim> dims = dims_of(s.input_shapes[i], s.input_names[i]);
    onnx_export::set_float_value_info(*graph.add_input(), s.input_names[i], dims);
  }
  for (std::size_t i = 0; i < s.input_names.size(); ++i) {
    if (!input_masks[i]) continue;
    const std::vector<Dim> dims = dims_of(s.input_shapes[i], s.input_names[i]);
    onnx_export::set_float_value_info(*graph.add_input(), *input_masks[i], {dims[0], dims[1]});
    mask_inputs[s.input_names[i]] = *input_masks[i];
  }
  const onnx_export::LayerOutputs outputs =
      onnx_export::export_layer(model, {s.input_names, s.input_shapes, input_masks}, builder);
  const auto output = [&graph, &builder](const std::string& value, const std::string& name) {
    auto& node = *graph.add_node();
    node.set_op_type("Identity");
    node.set_name(builder.fresh(name + "/output"));  // unique: a layer's own value may have that name
    node.add_input(value);
    node.add_output(name);
  };
  for (std::size_t i = 0; i < s.output_names.size(); ++i) {
    output(outputs.values.at(i), s.output_names[i]);
    onnx_export::set_float_value_info(*graph.add_output(), s.output_names[i],
                                      dims_of(s.output_shapes[i], s.output_names[i]));
  }
  for (std::size_t i = 0; options.output_masks && i < s.output_names.size(); ++i) {
    const onnx_export::MaskName& mask = outputs.mask(i);
    if (!mask) continue;
    const std::string name = s.output_names[i] + "_mask";
    output(*mask, name);
    // A mask is (batch, time): the output's first two axes.
    std::vector<Dim> dims = dims_of(s.output_shapes[i], s.output_names[i]);
    dims.resize(std::min<std::size_t>(dims.size(), 2));
    onnx_export::set_float_value_info(*graph.add_output(), name, dims);
    mask_outputs[s.output_names[i]] = name;
  }
  add_metadata(proto, "kiln.mask_inputs", mask_inputs);
  add_metadata(proto, "kiln.mask_outputs", mask_outputs);
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) throw Error("ONNX export: cannot serialize " + model.describe());
  io::write_file_atomically(path, bytes);
}

}  // namespace kiln
