#include "onnx/graph_builder.hpp"

#include <cstring>

namespace kiln::onnx_export {

Attribute int_attribute(const std::string& name, std::int64_t value) {
  Attribute a;
  a.set_name(name);
  a.set_type(::onnx::AttributeProto::INT);
  a.set_i(value);
  return a;
}

Attribute float_attribute(const std::string& name, float value) {
  Attribute a;
  a.set_name(name);
  a.set_type(::onnx::AttributeProto::FLOAT);
  a.set_f(value);
  return a;
}

Attribute string_attribute(const std::string& name, const std::string& value) {
  Attribute a;
  a.set_name(name);
  a.set_type(::onnx::AttributeProto::STRING);
  a.set_s(value);
  return a;
}

Attribute ints_attribute(const std::string& name, const std::vector<std::int64_t>& values) {
  Attribute a;
  a.set_name(name);
  a.set_type(::onnx::AttributeProto::INTS);
  for (std::int64_t v : values) a.add_ints(v);
  return a;
}

Attribute sizes_attribute(const std::string& name, const std::vector<std::size_t>& values) {
  return ints_attribute(name, std::vector<std::int64_t>(values.begin(), values.end()));
}

Attribute strings_attribute(const std::string& name, const std::vector<std::string>& values) {
  Attribute a;
  a.set_name(name);
  a.set_type(::onnx::AttributeProto::STRINGS);
  for (const std::string& v : values) a.add_strings(v);
  return a;
}

Attribute graph_attribute(const std::string& name, const ::onnx::GraphProto& graph) {
  Attribute a;
  a.set_name(name);
  a.set_type(::onnx::AttributeProto::GRAPH);
  *a.mutable_g() = graph;
  return a;
}

Attribute float_tensor_attribute(const std::string& name, float value) {
  Attribute a;
  a.set_name(name);
  a.set_type(::onnx::AttributeProto::TENSOR);
  a.mutable_t()->set_data_type(::onnx::TensorProto::FLOAT);
  a.mutable_t()->add_dims(1);
  a.mutable_t()->add_float_data(value);
  return a;
}

GraphBuilder::GraphBuilder(::onnx::GraphProto& graph)
    : graph_(graph), names_(std::make_shared<std::set<std::string>>()) {}

GraphBuilder::GraphBuilder(::onnx::GraphProto& subgraph, const GraphBuilder& outer)
    : graph_(subgraph), names_(outer.names_) {}

std::string GraphBuilder::fresh(const std::string& hint) {
  std::string name = hint;
  for (std::size_t k = 1; names_->count(name); ++k) name = hint + "_" + std::to_string(k);
  names_->insert(name);
  return name;
}

std::vector<std::string> GraphBuilder::node(const std::string& op, const std::vector<std::string>& inputs,
                                            std::size_t outputs, const std::string& hint,
                                            const std::vector<Attribute>& attributes) {
  ::onnx::NodeProto& n = *graph_.add_node();
  n.set_op_type(op);
  for (const auto& in : inputs) n.add_input(in);
  std::vector<std::string> names;
  for (std::size_t k = 0; k < outputs; ++k) {
    names.push_back(fresh(outputs == 1 ? hint : hint + "_" + std::to_string(k)));
    n.add_output(names.back());
  }
  n.set_name(names.empty() ? fresh(hint) : names.front());
  for (const auto& a : attributes) *n.add_attribute() = a;
  return names;
}

std::vector<std::string> GraphBuilder::node_outputs(const std::string& op, const std::vector<std::string>& inputs,
                                                    const std::vector<std::string>& output_hints,
                                                    const std::vector<Attribute>& attributes) {
  ::onnx::NodeProto& n = *graph_.add_node();
  n.set_op_type(op);
  for (const auto& in : inputs) n.add_input(in);
  std::vector<std::string> names;
  for (const auto& hint : output_hints) {
    names.push_back(hint.empty() ? std::string() : fresh(hint));
    n.add_output(names.back());
  }
  std::string node_name;
  for (const auto& name : names) {
    if (!name.empty() && node_name.empty()) node_name = name;
  }
  n.set_name(node_name.empty() ? fresh(op) : node_name);
  for (const auto& a : attributes) *n.add_attribute() = a;
  return names;
}

std::string GraphBuilder::node1(const std::string& op, const std::vector<std::string>& inputs,
                                const std::string& hint, const std::vector<Attribute>& attributes) {
  return node(op, inputs, 1, hint, attributes).front();
}

std::string GraphBuilder::initializer(const std::string& name, const Array& value) {
  ::onnx::TensorProto& t = *graph_.add_initializer();
  t.set_name(fresh(name));
  t.set_data_type(::onnx::TensorProto::FLOAT);
  for (std::size_t d : value.shape()) t.add_dims(std::int64_t(d));
  // raw_data is little-endian float32, which is this machine's layout.
  t.set_raw_data(std::string(reinterpret_cast<const char*>(value.data()), value.size() * sizeof(float)));
  return t.name();
}

std::string GraphBuilder::int64s(const std::string& hint, const std::vector<std::int64_t>& values) {
  ::onnx::TensorProto& t = *graph_.add_initializer();
  t.set_name(fresh(hint));
  t.set_data_type(::onnx::TensorProto::INT64);
  t.add_dims(std::int64_t(values.size()));
  for (std::int64_t v : values) t.add_int64_data(v);
  return t.name();
}

std::string GraphBuilder::scalar(const std::string& hint, float value) {
  // A Constant node, not an initializer: an importer makes initializers
  // trainable weights, and a formula's constants are not weights.
  Attribute a;
  a.set_name("value");
  a.set_type(::onnx::AttributeProto::TENSOR);
  a.mutable_t()->set_data_type(::onnx::TensorProto::FLOAT);
  a.mutable_t()->add_float_data(value);
  return node1("Constant", {}, hint, {a});
}

void set_float_value_info(::onnx::ValueInfoProto& info, const std::string& name, const std::vector<Dim>& dims) {
  info.set_name(name);
  auto& tensor = *info.mutable_type()->mutable_tensor_type();
  tensor.set_elem_type(::onnx::TensorProto::FLOAT);
  auto& shape = *tensor.mutable_shape();
  for (const Dim& d : dims) {
    auto& dim = *shape.add_dim();
    if (d.size > 0) {
      dim.set_dim_value(d.size);
    } else {
      dim.set_dim_param(d.symbol);
    }
  }
}

void set_value_info(::onnx::ValueInfoProto& info, const std::string& name, ::onnx::TensorProto::DataType type) {
  info.set_name(name);
  info.mutable_type()->mutable_tensor_type()->set_elem_type(type);
}

}  // namespace kiln::onnx_export
