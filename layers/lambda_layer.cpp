#include "layers/lambda_layer.hpp"

#include <map>
#include <mutex>

#include <nlohmann/json.hpp>
#include <xtensor/xbuilder.hpp>

#include "graph/grad_mode.hpp"

namespace kiln {

namespace {

using json = nlohmann::json;

template <class T>
struct Registry {
  std::mutex mutex;
  std::map<std::string, T> entries;
};

Registry<LambdaFunction>& functions() {
  static Registry<LambdaFunction> registry;
  return registry;
}

Registry<LambdaOutputShape>& output_shapes() {
  static Registry<LambdaOutputShape> registry;
  return registry;
}

template <class T>
T find(Registry<T>& registry, const std::string& name, const char* what, const char* how) {
  const std::lock_guard<std::mutex> lock(registry.mutex);
  const auto found = registry.entries.find(name);
  if (found == registry.entries.end()) {
    throw Error(std::string("Lambda: no ") + what + " is registered as '" + name + "'; register it with " + how +
                "(\"" + name + "\", ...) before loading the model");
  }
  return found->second;
}

// Keras' serialized form of a registered function.
json function_config(const std::string& name) {
  return {{"module", "kiln"}, {"class_name", "function"}, {"config", name}, {"registered_name", name}};
}

// The name in a serialized function: a plain string, or Keras' object.
std::string function_name(const json& j, const std::string& where) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.value("class_name", std::string()) == "__lambda__") {
    throw FormatError(where + " is Python bytecode (a Keras lambda), which kiln cannot run: register a C++ function "
                      "with register_lambda_function() and save the model from kiln");
  }
  if (j.is_object() && j.value("class_name", std::string()) == "function" && j.contains("config") &&
      j.at("config").is_string()) {
    return j.at("config").get<std::string>();
  }
  throw FormatError(where + " must name a registered function, got " + j.dump());
}

// A fixed output shape as Keras writes a tuple: unknown dimensions as null.
json output_shape_to_json(const PartialShape& shape) {
  json out = json::array();
  for (auto d : shape) out.push_back(d == unknown_dim ? json(nullptr) : json(d));
  return out;
}

PartialShape output_shape_from_json(const json& j, const std::string& where) {
  PartialShape out;
  for (const auto& d : j) {
    if (d.is_null()) {
      out.push_back(unknown_dim);
    } else if (d.is_number_integer() && d.get<std::int64_t>() >= 0) {
      out.push_back(d.get<std::int64_t>());
    } else {
      throw FormatError(where + " must list sizes (or null for unknown), got " + j.dump());
    }
  }
  return out;
}

// `shape` with every unknown dimension set to `size`.
Shape probe_shape(const PartialShape& shape, std::size_t size) {
  Shape out;
  for (auto d : shape) out.push_back(d == unknown_dim ? size : std::size_t(d));
  return out;
}

}  // namespace

LambdaFunction register_lambda_function(const std::string& name, LambdaFunction function) {
  if (name.empty() || !function) throw Error("register_lambda_function: needs a name and a function");
  LambdaFunction named([function](const std::vector<Tensor>& in, const CallContext& c) { return function(in, c); }, name);
  auto& registry = functions();
  const std::lock_guard<std::mutex> lock(registry.mutex);
  registry.entries.insert_or_assign(name, named);
  return named;
}

LambdaOutputShape register_lambda_output_shape(const std::string& name, LambdaShapeCallable function) {
  if (name.empty() || !function) throw Error("register_lambda_output_shape: needs a name and a function");
  LambdaOutputShape named(std::move(function), name);
  auto& registry = output_shapes();
  const std::lock_guard<std::mutex> lock(registry.mutex);
  registry.entries.insert_or_assign(name, named);
  return named;
}

LambdaFunction registered_lambda_function(const std::string& name) {
  return find(functions(), name, "function", "register_lambda_function");
}

LambdaOutputShape registered_lambda_output_shape(const std::string& name) {
  return find(output_shapes(), name, "output-shape function", "register_lambda_output_shape");
}

LambdaLayer::LambdaLayer(Options options) : Layer(keras_name, options.name), options_(std::move(options)) {
  if (!options_.function) throw Error(describe() + ": needs a function");
}

void LambdaLayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> LambdaLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const LambdaOutputShape& given = options_.output_shape;
  if (given.fixed()) {
    PartialShape out{shapes.empty() || shapes[0].empty() ? unknown_dim : shapes[0][0]};
    out.insert(out.end(), given.fixed()->begin(), given.fixed()->end());
    return {out};
  }
  if (given.function()) return given.function()(shapes);
  // Keras traces the function; kiln runs it on zeros with the unknown sizes as 2, then as 3.
  const NoGradGuard no_grad;
  std::vector<std::vector<Shape>> runs;
  for (std::size_t size : {2, 3}) {
    std::vector<Tensor> zeros;
    for (const auto& s : shapes) zeros.emplace_back(Array(xt::zeros<float>(probe_shape(s, size))));
    std::vector<Shape> outputs;
    try {
      for (const Tensor& y : options_.function(zeros, CallContext{})) outputs.push_back(y.shape());
    } catch (const Error& e) {
      fail(std::string("could not infer the output shape by running the function (") + e.what() +
           "); give output_shape");
    }
    runs.push_back(std::move(outputs));
  }
  std::vector<PartialShape> out;
  for (std::size_t i = 0; i < runs[0].size(); ++i) {
    const Shape& a = runs[0][i];
    const Shape& b = runs[1].at(i);
    if (a.size() != b.size()) fail("the output's rank depends on the input's sizes; give output_shape");
    PartialShape shape;
    for (std::size_t k = 0; k < a.size(); ++k) shape.push_back(a[k] == b[k] ? std::int64_t(a[k]) : unknown_dim);
    out.push_back(std::move(shape));
  }
  return out;
}

std::vector<Tensor> LambdaLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  try {
    return options_.function(inputs, context);
  } catch (const ShapeError& e) {
    fail(e.what());
  }
}

json LambdaLayer::get_config() const {
  json config = Layer::get_config();
  if (options_.function.name().empty()) {
    throw Error(describe() + ": its function has no name, so the layer cannot be saved; create it with "
                "register_lambda_function(name, function)");
  }
  config["function"] = function_config(options_.function.name());
  const LambdaOutputShape& shape = options_.output_shape;
  if (shape.fixed()) {
    config["output_shape"] = output_shape_to_json(*shape.fixed());
  } else if (shape.function()) {
    if (shape.name().empty()) {
      throw Error(describe() + ": its output_shape function has no name, so the layer cannot be saved; create it "
                  "with register_lambda_output_shape(name, function)");
    }
    config["output_shape"] = function_config(shape.name());
  }
  config["arguments"] = json::object();
  return config;
}

LambdaLayer::Options LambdaLayer::options_from_config(const json& config) {
  if (!config.is_object()) throw FormatError("Lambda: the config must be a JSON object, got " + config.dump());
  Options options;
  for (const auto& [key, value] : config.items()) {
    if (key == "name") {
      options.name = config::Value<std::string>::read(value, "Lambda: 'name'");
    } else if (key == "function") {
      options.function = registered_lambda_function(function_name(value, "Lambda: 'function'"));
    } else if (key == "output_shape") {
      if (value.is_array()) {
        options.output_shape = LambdaOutputShape(output_shape_from_json(value, "Lambda: 'output_shape'"));
      } else if (!value.is_null()) {
        options.output_shape = registered_lambda_output_shape(function_name(value, "Lambda: 'output_shape'"));
      }
    } else if (key == "arguments") {
      if (!(value.is_null() || (value.is_object() && value.empty()))) {
        throw FormatError("Lambda: 'arguments' are not supported by kiln (bind them in the C++ function), got " +
                          value.dump());
      }
    } else if (key == "mask") {
      if (!value.is_null()) throw FormatError("Lambda: 'mask' is not supported by kiln (only null), got " + value.dump());
    } else if (key != "trainable" && !config::is_inert_keras_key(key, value)) {
      config::fail_unknown_key("Lambda", key, value, {"name", "trainable", "function", "output_shape", "arguments", "mask"});
    }
  }
  if (!options.function) throw FormatError("Lambda: the config has no 'function'");
  return options;
}

}  // namespace kiln
