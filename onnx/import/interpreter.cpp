#include "onnx/import/interpreter.hpp"

#include <cstring>
#include <mutex>

namespace kiln::onnx_import {

namespace detail {
std::map<std::string, OpHandler> builtin_ops();  // onnx/import/builtin_ops.cpp
}

namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, OpHandler> handlers = detail::builtin_ops();
};

Registry& registry() {
  static Registry r;
  return r;
}

OpHandler handler_of(const std::string& op) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.handlers.find(op);
  return it == r.handlers.end() ? OpHandler() : it->second;
}

std::string describe_node(const ::onnx::NodeProto& node) {
  return "ONNX node '" + (node.name().empty() ? (node.output_size() ? node.output(0) : std::string("?")) : node.name()) +
         "' (" + node.op_type() + ")";
}

template <class T, class Field>
void copy_typed(const ::onnx::TensorProto& t, std::size_t count, T* out, const Field& field) {
  if (std::size_t(field.size()) != count) {
    throw FormatError("ONNX tensor '" + t.name() + "': holds " + std::to_string(field.size()) + " values for " +
                      std::to_string(count) + " elements");
  }
  for (std::size_t i = 0; i < count; ++i) out[i] = T(field.Get(int(i)));
}

template <class Stored, class T>
void copy_raw(const ::onnx::TensorProto& t, std::size_t count, T* out) {
  if (t.raw_data().size() != count * sizeof(Stored)) {
    throw FormatError("ONNX tensor '" + t.name() + "': raw data of " + std::to_string(t.raw_data().size()) +
                      " bytes for " + std::to_string(count) + " elements");
  }
  for (std::size_t i = 0; i < count; ++i) {
    Stored v;
    std::memcpy(&v, t.raw_data().data() + i * sizeof(Stored), sizeof(Stored));
    out[i] = T(v);
  }
}

}  // namespace

const Value* Scope::find(const std::string& name) const {
  for (const Scope* s = this; s; s = s->parent_) {
    auto it = s->values_.find(name);
    if (it != s->values_.end()) return &it->second;
  }
  return nullptr;
}

OpCall::OpCall(const ::onnx::NodeProto& node, std::vector<const Value*> inputs, const Scope& scope,
               const Interpreter& interpreter, bool training)
    : node_(node), inputs_(std::move(inputs)), scope_(scope), interpreter_(interpreter), training_(training) {}

const Value& OpCall::input(std::size_t i) const {
  if (!has_input(i)) fail("input " + std::to_string(i) + " is missing");
  return *inputs_[i];
}

const Tensor& OpCall::tensor(std::size_t i) const {
  const Value& v = input(i);
  if (!v.is_float()) fail("input " + std::to_string(i) + " must be float32, got " + type_name(v.type));
  return v.tensor;
}

const ::onnx::AttributeProto* OpCall::find(const std::string& name) const {
  for (const auto& a : node_.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

std::int64_t OpCall::int_attribute(const std::string& name, std::int64_t fallback) const {
  const auto* a = find(name);
  return a ? a->i() : fallback;
}

float OpCall::float_attribute(const std::string& name, float fallback) const {
  const auto* a = find(name);
  return a ? a->f() : fallback;
}

std::string OpCall::string_attribute(const std::string& name, const std::string& fallback) const {
  const auto* a = find(name);
  return a ? a->s() : fallback;
}

std::vector<std::int64_t> OpCall::ints_attribute(const std::string& name, std::vector<std::int64_t> fallback) const {
  const auto* a = find(name);
  return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end()) : fallback;
}

std::vector<std::string> OpCall::strings_attribute(const std::string& name) const {
  const auto* a = find(name);
  return a ? std::vector<std::string>(a->strings().begin(), a->strings().end()) : std::vector<std::string>{};
}

const ::onnx::GraphProto& OpCall::graph_attribute(const std::string& name) const {
  const auto* a = find(name);
  if (!a || !a->has_g()) fail("attribute '" + name + "' (a graph) is missing");
  return a->g();
}

const ::onnx::TensorProto& OpCall::tensor_attribute(const std::string& name) const {
  const auto* a = find(name);
  if (!a || !a->has_t()) fail("attribute '" + name + "' (a tensor) is missing");
  return a->t();
}

void OpCall::fail(const std::string& message) const { throw Error(describe_node(node_) + ": " + message); }

std::size_t OpCall::axis(std::int64_t axis, std::size_t rank) const {
  const std::int64_t r = std::int64_t(rank);
  if (axis < -r || axis >= r) fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return std::size_t(axis < 0 ? axis + r : axis);
}

void register_op(const std::string& op_type, OpHandler handler) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.handlers[op_type] = std::move(handler);
}

bool is_op_supported(const std::string& op_type) { return static_cast<bool>(handler_of(op_type)); }

Value value_of(const ::onnx::TensorProto& t) {
  Shape shape;
  std::size_t count = 1;
  for (std::int64_t d : t.dims()) {
    if (d < 0) throw FormatError("ONNX tensor '" + t.name() + "': negative dimension " + std::to_string(d));
    shape.push_back(std::size_t(d));
    count *= std::size_t(d);
  }
  if (t.data_location() == ::onnx::TensorProto::EXTERNAL) {
    throw FormatError("ONNX tensor '" + t.name() + "': external data files are not supported");
  }
  const bool raw = t.has_raw_data();
  switch (t.data_type()) {
    case ::onnx::TensorProto::FLOAT: {
      Array a = Array::from_shape(shape);
      if (raw) copy_raw<float>(t, count, a.data()); else copy_typed(t, count, a.data(), t.float_data());
      return Value::of(Tensor(std::move(a)));
    }
    case ::onnx::TensorProto::DOUBLE: {
      Array a = Array::from_shape(shape);
      if (raw) copy_raw<double>(t, count, a.data()); else copy_typed(t, count, a.data(), t.double_data());
      return Value::of(Tensor(std::move(a)));
    }
    case ::onnx::TensorProto::INT64: {
      IntArray a = IntArray::from_shape(shape);
      if (raw) copy_raw<std::int64_t>(t, count, a.data()); else copy_typed(t, count, a.data(), t.int64_data());
      return Value::int64(std::move(a));
    }
    case ::onnx::TensorProto::INT32: {
      IntArray a = IntArray::from_shape(shape);
      if (raw) copy_raw<std::int32_t>(t, count, a.data()); else copy_typed(t, count, a.data(), t.int32_data());
      return Value::int64(std::move(a));
    }
    case ::onnx::TensorProto::BOOL: {
      IntArray a = IntArray::from_shape(shape);
      if (raw) copy_raw<std::uint8_t>(t, count, a.data()); else copy_typed(t, count, a.data(), t.int32_data());
      return Value::boolean(std::move(a));
    }
    default:
      throw FormatError("ONNX tensor '" + t.name() + "': element type " + std::to_string(t.data_type()) +
                        " is not supported (float, double, int32, int64 and bool are)");
  }
}

Interpreter::Interpreter(const ::onnx::GraphProto& main) { prepare(main, true); }

void Interpreter::prepare(const ::onnx::GraphProto& graph, bool is_main) {
  for (const auto& node : graph.node()) {
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      throw Error(describe_node(node) + ": operators of domain '" + node.domain() + "' are not supported");
    }
    if (!handler_of(node.op_type())) {
      throw Error(describe_node(node) + ": operator '" + node.op_type() + "' is not supported by kiln's ONNX import");
    }
    for (const auto& a : node.attribute()) {
      if (a.has_g()) prepare(a.g(), false);
      for (const auto& g : a.graphs()) prepare(g, false);
    }
  }
  if (is_main) return;  // the model turns the main graph's initializers into weights
  auto& constants = constants_[&graph];
  for (const auto& t : graph.initializer()) constants.emplace_back(t.name(), value_of(t));
}

std::vector<Value> Interpreter::run(const ::onnx::GraphProto& graph, Scope& scope, bool training) const {
  if (auto it = constants_.find(&graph); it != constants_.end()) {
    for (const auto& [name, value] : it->second) scope.set(name, value);
  }
  for (const auto& node : graph.node()) {
    std::vector<const Value*> inputs;
    for (const auto& name : node.input()) {
      if (name.empty()) {
        inputs.push_back(nullptr);
        continue;
      }
      const Value* v = scope.find(name);
      if (!v) throw FormatError(describe_node(node) + ": input '" + name + "' is not produced before it is used");
      inputs.push_back(v);
    }
    const OpCall call(node, std::move(inputs), scope, *this, training);
    std::vector<Value> outputs = handler_of(node.op_type())(call);
    if (outputs.size() < std::size_t(node.output_size())) {
      // Handlers return every output they compute; the node may name fewer.
      call.fail("produced " + std::to_string(outputs.size()) + " outputs, the node has " +
                std::to_string(node.output_size()));
    }
    for (int k = 0; k < node.output_size(); ++k) {
      if (!node.output(k).empty()) scope.set(node.output(k), std::move(outputs[std::size_t(k)]));
    }
  }
  std::vector<Value> results;
  for (const auto& out : graph.output()) {
    const Value* v = scope.find(out.name());
    if (!v) throw FormatError("ONNX graph '" + graph.name() + "': output '" + out.name() + "' is never produced");
    results.push_back(*v);
  }
  return results;
}

}  // namespace kiln::onnx_import
