#pragma once
// GraphBuilder: adds nodes, initializers and constants to an ONNX graph
// under names that never collide. Exporters (onnx/exporter.hpp) write their
// layer's nodes through it; value names start with the layer's name
// ("encoder_gru/W", "dense/MatMul"), so a graph viewer shows where each node
// came from.

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "graph/shape.hpp"
#include "onnx/proto.hpp"

namespace kiln::onnx_export {

using Attribute = ::onnx::AttributeProto;
Attribute int_attribute(const std::string& name, std::int64_t value);
Attribute float_attribute(const std::string& name, float value);
Attribute string_attribute(const std::string& name, const std::string& value);
Attribute ints_attribute(const std::string& name, const std::vector<std::int64_t>& values);
// The same from sizes (kernel sizes, strides, dilations).
Attribute sizes_attribute(const std::string& name, const std::vector<std::size_t>& values);
Attribute strings_attribute(const std::string& name, const std::vector<std::string>& values);
Attribute graph_attribute(const std::string& name, const ::onnx::GraphProto& graph);
// A one-element float32 tensor (ConstantOfShape's fill value).
Attribute float_tensor_attribute(const std::string& name, float value);

class GraphBuilder {
 public:
  explicit GraphBuilder(::onnx::GraphProto& graph);
  // A builder for a subgraph (a Scan body) of `outer`'s graph: names stay
  // unique across both, as ONNX requires of nested scopes.
  GraphBuilder(::onnx::GraphProto& subgraph, const GraphBuilder& outer);

  ::onnx::GraphProto& graph() { return graph_; }

  // `hint` if unused, else hint_1, hint_2, ...; the name is then taken.
  std::string fresh(const std::string& hint);

  // A node of type `op` on `inputs` ("" for an omitted optional input) with
  // `outputs` fresh output names made from `hint`. Returns those names.
  std::vector<std::string> node(const std::string& op, const std::vector<std::string>& inputs, std::size_t outputs,
                                const std::string& hint, const std::vector<Attribute>& attributes = {});
  // A node whose outputs are named from `output_hints`; an empty hint
  // leaves that optional output out (ONNX's "" name), and "" is returned for it.
  std::vector<std::string> node_outputs(const std::string& op, const std::vector<std::string>& inputs,
                                        const std::vector<std::string>& output_hints,
                                        const std::vector<Attribute>& attributes = {});
  // The same for the usual single output.
  std::string node1(const std::string& op, const std::vector<std::string>& inputs, const std::string& hint,
                    const std::vector<Attribute>& attributes = {});

  // A float32 initializer holding `value` (row-major, with its shape).
  std::string initializer(const std::string& name, const Array& value);
  // A 1-D int64 initializer (axes, shapes, slice bounds).
  std::string int64s(const std::string& hint, const std::vector<std::int64_t>& values);
  // A float32 scalar (0-D) constant, as a Constant node (an importer would
  // make an initializer a trainable weight).
  std::string scalar(const std::string& hint, float value);

 private:
  ::onnx::GraphProto& graph_;
  std::shared_ptr<std::set<std::string>> names_;
};

// A float32 value_info with this shape: a positive entry is a fixed size,
// a dim name is a symbolic (dynamic) one.
struct Dim {
  std::int64_t size = 0;   // > 0: fixed
  std::string symbol;      // otherwise: dynamic, named
};
void set_float_value_info(::onnx::ValueInfoProto& info, const std::string& name, const std::vector<Dim>& dims);
// A value_info of this element type and unknown shape (a Scan body's inputs
// and outputs, whose shapes the runtime infers).
void set_value_info(::onnx::ValueInfoProto& info, const std::string& name, ::onnx::TensorProto::DataType type);

}  // namespace kiln::onnx_export
