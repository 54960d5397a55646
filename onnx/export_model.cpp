// export_onnx: the model's graph through the per-layer exporters, wrapped
// in an ONNX ModelProto (opset 17) with the model's input and output names.

#include "onnx/onnx.hpp"

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

}  // namespace

bool onnx_supported() { return true; }

void export_onnx(const Model& model, const std::filesystem::path& path) {
  const Signature s = signature_of(model);
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
  for (const auto& name : s.input_names) {
    if (builder.fresh(name) != name) throw Error("ONNX export: " + model.describe() + " has two inputs named '" + name + "'");
  }
  for (const auto& name : s.output_names) {
    if (builder.fresh(name) != name) {
      throw Error("ONNX export: " + model.describe() + ": output name '" + name + "' is used twice or by an input");
    }
  }
  for (std::size_t i = 0; i < s.input_names.size(); ++i) {
    onnx_export::set_float_value_info(*graph.add_input(), s.input_names[i], dims_of(s.input_shapes[i], s.input_names[i]));
  }
  const onnx_export::LayerOutputs outputs =
      onnx_export::export_layer(model, {s.input_names, s.input_shapes, {}}, builder);
  for (std::size_t i = 0; i < s.output_names.size(); ++i) {
    auto& node = *graph.add_node();
    node.set_op_type("Identity");
    node.set_name(s.output_names[i] + "/output");
    node.add_input(outputs.values.at(i));
    node.add_output(s.output_names[i]);
    onnx_export::set_float_value_info(*graph.add_output(), s.output_names[i],
                                      dims_of(s.output_shapes[i], s.output_names[i]));
  }
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) throw Error("ONNX export: cannot serialize " + model.describe());
  io::write_file_atomically(path, bytes);
}

}  // namespace kiln
