#include "onnx/import/imported_model.hpp"

#include <cmath>
#include <set>

#include "io/atomic_file.hpp"
#include "onnx/onnx.hpp"

namespace kiln::onnx_import {

namespace {

constexpr std::int64_t oldest_opset = 13;  // Squeeze/Unsqueeze axes as inputs, Softmax on one axis

ElementType element_type(const ::onnx::ValueInfoProto& info, const std::string& origin) {
  switch (info.type().tensor_type().elem_type()) {
    case ::onnx::TensorProto::FLOAT:
    case ::onnx::TensorProto::DOUBLE: return ElementType::float32;
    case ::onnx::TensorProto::INT64:
    case ::onnx::TensorProto::INT32: return ElementType::int64;
    case ::onnx::TensorProto::BOOL: return ElementType::boolean;
    default:
      throw FormatError(origin + ": input '" + info.name() + "' has an element type kiln cannot feed");
  }
}

Value input_value(const Tensor& x, ElementType type, const std::string& name) {
  if (type == ElementType::float32) return Value::of(x);
  for (float v : x.value()) {
    if (v != std::floor(v)) {
      throw Error("ONNX model input '" + name + "' is integer-typed; got the non-integer value " + std::to_string(v));
    }
  }
  IntArray ints = as_ints(Value::of(x));
  return type == ElementType::int64 ? Value::int64(std::move(ints)) : Value::boolean(std::move(ints));
}

}  // namespace

ImportedModel::ImportedModel(std::shared_ptr<const ::onnx::ModelProto> proto, const std::string& origin)
    : Model("OnnxModel", {}), proto_(std::move(proto)) {
  bool default_domain = false;
  for (const auto& opset : proto_->opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx") {
      default_domain = true;
      if (opset.version() < oldest_opset) {
        throw FormatError(origin + ": opset " + std::to_string(opset.version()) + " is older than " +
                          std::to_string(oldest_opset) + ", the oldest kiln imports");
      }
    }
  }
  if (!default_domain) throw FormatError(origin + ": the model imports no version of the default ONNX domain");
  const ::onnx::GraphProto& graph = proto_->graph();
  interpreter_ = std::make_unique<Interpreter>(graph);

  std::set<std::string> initialized;
  for (const auto& t : graph.initializer()) {
    initialized.insert(t.name());
    Value v = value_of(t);
    if (!v.is_float()) {
      constants_.emplace_back(t.name(), std::move(v));
      continue;
    }
    const Array data = v.tensor.value();
    weights_.emplace_back(t.name(), add_weight(t.name(), data.shape(), [data](const Shape&) { return data; }));
  }
  for (const auto& in : graph.input()) {
    if (initialized.count(in.name())) continue;  // an old-style input that is really a weight
    input_names_.push_back(in.name());
    input_types_.push_back(element_type(in, origin));
    input_ranks_.push_back(std::size_t(in.type().tensor_type().shape().dim_size()));
  }
  if (input_names_.empty() || graph.output_size() == 0) {
    throw FormatError(origin + ": the graph needs at least one input and one output");
  }
  build_for(std::vector<PartialShape>(input_names_.size()));  // nothing to build: the weights exist
}

std::vector<std::string> ImportedModel::output_names() const {
  std::vector<std::string> names;
  for (const auto& out : proto_->graph().output()) names.push_back(out.name());
  return names;
}

std::vector<std::pair<std::string, Tensor>> ImportedModel::named_weights() const { return weights_; }

void ImportedModel::validate_inputs(const std::vector<PartialShape>& shapes) const {
  if (shapes.size() != input_names_.size()) {
    fail("expected " + std::to_string(input_names_.size()) + " inputs, got " + std::to_string(shapes.size()));
  }
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (!shapes[i].empty() && input_ranks_[i] && shapes[i].size() != input_ranks_[i]) {
      fail("input '" + input_names_[i] + "' has rank " + std::to_string(input_ranks_[i]) + ", got " +
           to_string(shapes[i]));
    }
  }
}

std::vector<Tensor> ImportedModel::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  Scope scope;
  for (const auto& [name, t] : weights_) scope.set(name, Value::of(t));
  for (const auto& [name, v] : constants_) scope.set(name, v);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    scope.set(input_names_[i], input_value(inputs[i], input_types_[i], input_names_[i]));
  }
  std::vector<Tensor> outputs;
  for (const Value& v : interpreter_->run(proto_->graph(), scope, context.training)) outputs.push_back(as_tensor(v));
  return outputs;
}

}  // namespace kiln::onnx_import

namespace kiln {

std::shared_ptr<Model> import_onnx(const std::filesystem::path& path) {
  const std::string bytes = io::read_file(path);
  auto proto = std::make_shared<::onnx::ModelProto>();
  if (!proto->ParseFromString(bytes)) throw FormatError(path.string() + ": not an ONNX model (protobuf parse failed)");
  if (!proto->has_graph()) throw FormatError(path.string() + ": the ONNX model has no graph");
  return std::make_shared<onnx_import::ImportedModel>(std::move(proto), path.string());
}

}  // namespace kiln
