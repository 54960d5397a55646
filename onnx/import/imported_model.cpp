#include "onnx/import/imported_model.hpp"

#include <cmath>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

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

// A kiln export's metadata entry `key`: value name -> its mask's name.
std::map<std::string, std::string> mask_names(const ::onnx::ModelProto& proto, const std::string& key,
                                              const std::string& origin) {
  std::map<std::string, std::string> names;
  for (const auto& entry : proto.metadata_props()) {
    if (entry.key() != key) continue;
    try {
      names = nlohmann::json::parse(entry.value()).get<std::map<std::string, std::string>>();
    } catch (const nlohmann::json::exception&) {
      throw FormatError(origin + ": metadata '" + key + "' is not a JSON object of names: " + entry.value());
    }
  }
  return names;
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
  const auto mask_inputs = mask_names(*proto_, "kiln.mask_inputs", origin);
  std::set<std::string> mask_input_names, graph_inputs;
  for (const auto& [input, mask] : mask_inputs) mask_input_names.insert(mask);
  for (const auto& in : graph.input()) {
    graph_inputs.insert(in.name());
    if (initialized.count(in.name()) || mask_input_names.count(in.name())) continue;  // a weight, or a mask
    input_names_.push_back(in.name());
    input_types_.push_back(element_type(in, origin));
    input_ranks_.push_back(std::size_t(in.type().tensor_type().shape().dim_size()));
    const auto mask = mask_inputs.find(in.name());
    input_mask_names_.push_back(mask == mask_inputs.end() ? "" : mask->second);
  }
  for (const auto& [input, mask] : mask_inputs) {
    if (!graph_inputs.count(input) || !graph_inputs.count(mask)) {
      throw FormatError(origin + ": metadata 'kiln.mask_inputs' pairs '" + input + "' with '" + mask +
                        "', which are not both inputs of the graph");
    }
  }

  const auto mask_outputs = mask_names(*proto_, "kiln.mask_outputs", origin);
  std::map<std::string, std::size_t> output_position;
  for (int k = 0; k < graph.output_size(); ++k) output_position[graph.output(k).name()] = std::size_t(k);
  std::set<std::string> mask_output_names;
  for (const auto& [output, mask] : mask_outputs) {
    if (!output_position.count(output) || !output_position.count(mask)) {
      throw FormatError(origin + ": metadata 'kiln.mask_outputs' pairs '" + output + "' with '" + mask +
                        "', which are not both outputs of the graph");
    }
    mask_output_names.insert(mask);
  }
  for (int k = 0; k < graph.output_size(); ++k) {
    const std::string& name = graph.output(k).name();
    if (mask_output_names.count(name)) continue;
    output_names_.push_back(name);
    output_positions_.push_back(std::size_t(k));
    const auto mask = mask_outputs.find(name);
    output_mask_positions_.push_back(mask == mask_outputs.end() ? std::nullopt
                                                                : std::optional(output_position.at(mask->second)));
  }
  if (input_names_.empty() || output_names_.empty()) {
    throw FormatError(origin + ": the graph needs at least one input and one output");
  }
  build_for(std::vector<PartialShape>(input_names_.size()));  // nothing to build: the weights exist
}

std::vector<std::string> ImportedModel::output_names() const { return output_names_; }

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

// The (batch, time) mask the call gives input i, or ones: no mask.
Array ImportedModel::mask_for(const Tensor& input, std::size_t i, const CallContext& context) const {
  const Shape batch_time{input.shape(0), input.ndim() > 1 ? input.shape(1) : 1};
  const Array* given = context.mask(i);
  if (!given) return Array(batch_time, 1.0f);
  if (given->shape() != batch_time) {
    fail("the mask of input '" + input_names_[i] + "' must be (batch, time) = " + to_string(batch_time) + ", got " +
         to_string(given->shape()));
  }
  return *given;
}

std::vector<Tensor> ImportedModel::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  Scope scope;
  for (const auto& [name, t] : weights_) scope.set(name, Value::of(t));
  for (const auto& [name, v] : constants_) scope.set(name, v);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    scope.set(input_names_[i], input_value(inputs[i], input_types_[i], input_names_[i]));
    if (!input_mask_names_[i].empty()) scope.set(input_mask_names_[i], Value::of(Tensor(mask_for(inputs[i], i, context))));
  }
  const std::vector<Value> results = interpreter_->run(proto_->graph(), scope, context.training);
  std::vector<Tensor> outputs;
  for (std::size_t k = 0; k < output_positions_.size(); ++k) {
    Tensor out = as_tensor(results.at(output_positions_[k]));
    if (const auto mask = output_mask_positions_[k]) {
      out = out.with_mask(std::make_shared<const Array>(as_tensor(results.at(*mask)).value()));
    }
    outputs.push_back(std::move(out));
  }
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
