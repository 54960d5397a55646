#pragma once
// Runs an ONNX graph with kiln's ops: each node's operator has a handler
// (registered by op_type, onnx/import/builtin_ops.cpp), which turns its
// input Values into output Values. Float results are kiln Tensors, so a
// loss on the outputs differentiates back to the graph's initializers.
// Subgraphs (Scan's body) run through the same interpreter in a scope that
// sees the enclosing graph's values.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "onnx/import/value.hpp"
#include "onnx/proto.hpp"

namespace kiln::onnx_import {

// Values by name; a lookup that misses goes on to the enclosing scope.
class Scope {
 public:
  explicit Scope(const Scope* parent = nullptr) : parent_(parent) {}
  const Value* find(const std::string& name) const;
  void set(const std::string& name, Value value) { values_[name] = std::move(value); }

 private:
  const Scope* parent_;
  std::unordered_map<std::string, Value> values_;
};

class Interpreter;

// What a handler sees of one node.
class OpCall {
 public:
  OpCall(const ::onnx::NodeProto& node, std::vector<const Value*> inputs, const Scope& scope,
         const Interpreter& interpreter, bool training);

  const ::onnx::NodeProto& node() const { return node_; }
  const Scope& scope() const { return scope_; }
  const Interpreter& interpreter() const { return interpreter_; }
  bool training() const { return training_; }

  std::size_t input_count() const { return inputs_.size(); }
  bool has_input(std::size_t i) const { return i < inputs_.size() && inputs_[i]; }
  const Value& input(std::size_t i) const;   // an error naming the node if omitted
  const Tensor& tensor(std::size_t i) const;  // a float32 input
  std::vector<std::int64_t> list(std::size_t i) const { return as_list(input(i)); }

  bool has_attribute(const std::string& name) const { return find(name) != nullptr; }
  std::int64_t int_attribute(const std::string& name, std::int64_t fallback) const;
  float float_attribute(const std::string& name, float fallback) const;
  std::string string_attribute(const std::string& name, const std::string& fallback) const;
  std::vector<std::int64_t> ints_attribute(const std::string& name, std::vector<std::int64_t> fallback) const;
  std::vector<std::string> strings_attribute(const std::string& name) const;
  const ::onnx::GraphProto& graph_attribute(const std::string& name) const;
  const ::onnx::TensorProto& tensor_attribute(const std::string& name) const;

  // Throws kiln::Error("ONNX node '<name>' (<op>): <message>").
  [[noreturn]] void fail(const std::string& message) const;
  // An axis attribute or input in [-rank, rank) made non-negative.
  std::size_t axis(std::int64_t axis, std::size_t rank) const;

 private:
  const ::onnx::AttributeProto* find(const std::string& name) const;

  const ::onnx::NodeProto& node_;
  std::vector<const Value*> inputs_;
  const Scope& scope_;
  const Interpreter& interpreter_;
  bool training_;
};

using OpHandler = std::function<std::vector<Value>(const OpCall&)>;

// Registers (or replaces) the handler of an operator of the default domain.
void register_op(const std::string& op_type, OpHandler handler);
bool is_op_supported(const std::string& op_type);

// A TensorProto's data (raw or typed fields) as a Value; FormatError
// naming the tensor for a type or size kiln cannot read.
Value value_of(const ::onnx::TensorProto& tensor);

class Interpreter {
 public:
  // Checks that every node (in subgraphs too) has a handler, and converts
  // the subgraphs' constant initializers once. kiln::Error naming the first
  // node whose operator is missing.
  explicit Interpreter(const ::onnx::GraphProto& main);

  // Runs `graph`'s nodes in `scope` (which already holds its inputs) and
  // returns its outputs, in order. Subgraph initializers are added first.
  std::vector<Value> run(const ::onnx::GraphProto& graph, Scope& scope, bool training) const;

 private:
  void prepare(const ::onnx::GraphProto& graph, bool is_main);

  std::map<const ::onnx::GraphProto*, std::vector<std::pair<std::string, Value>>> constants_;
};

}  // namespace kiln::onnx_import
