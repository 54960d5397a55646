#include "layers/registry.hpp"

#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "layers/builtin_layers.hpp"

namespace kiln {

namespace {

struct LayerRegistry {
  std::mutex mutex;
  std::map<std::string, LayerFactory> factories = detail::builtin_layer_factories();
};

// A function-local static, so registrations made by other files' static
// initialisers never run before the map exists, and the built-in classes
// are in it before any program's own (which may then replace them).
LayerRegistry& layer_registry() {
  static LayerRegistry instance;
  return instance;
}

std::string joined_class_names() {
  std::string out;
  for (const auto& name : registered_layer_classes()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

void register_layer_class(const std::string& class_name, LayerFactory factory) {
  if (class_name.empty() || !factory) throw Error("register_layer_class: needs a class name and a factory");
  LayerRegistry& r = layer_registry();
  std::lock_guard lock(r.mutex);
  r.factories[class_name] = std::move(factory);
}

bool is_layer_class_registered(const std::string& class_name) {
  LayerRegistry& r = layer_registry();
  std::lock_guard lock(r.mutex);
  return r.factories.count(class_name) != 0;
}

std::vector<std::string> registered_layer_classes() {
  LayerRegistry& r = layer_registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& [name, factory] : r.factories) names.push_back(name);
  return names;
}

std::shared_ptr<Layer> layer_from_config(const std::string& class_name, const nlohmann::json& config) {
  LayerFactory factory;
  {
    LayerRegistry& r = layer_registry();
    std::lock_guard lock(r.mutex);
    auto it = r.factories.find(class_name);
    if (it != r.factories.end()) factory = it->second;
  }
  if (!factory) {
    throw Error("unknown layer class '" + class_name +
                "': register a factory for it with register_layer_class() before loading (registered: " +
                joined_class_names() + ")");
  }
  if (!config.is_object()) {
    throw FormatError("layer_from_config: the config of a '" + class_name + "' must be a JSON object, got " +
                      config.dump());
  }
  try {
    std::shared_ptr<Layer> layer = factory(config);
    // Only a freeze is applied: set_trainable(true) would recurse and thaw
    // sublayers that their own configs froze.
    if (config.contains("trainable") && !config.at("trainable").get<bool>()) layer->set_trainable(false);
    return layer;
  } catch (const nlohmann::json::exception& e) {
    throw FormatError("layer_from_config: bad config for a '" + class_name + "': " + e.what());
  } catch (const FormatError& e) {
    throw FormatError("layer_from_config: bad config for a '" + class_name + "': " + e.what());
  }
}

nlohmann::json serialize_layer(const Layer& layer) {
  return {{"class_name", layer.class_name()}, {"config", layer.get_config()}};
}

std::shared_ptr<Layer> deserialize_layer(const nlohmann::json& serialized) {
  if (!serialized.is_object() || !serialized.contains("class_name") || !serialized.contains("config") ||
      !serialized.at("class_name").is_string()) {
    throw FormatError("deserialize_layer: expected {\"class_name\": ..., \"config\": ...}, got " +
                      serialized.dump());
  }
  return layer_from_config(serialized.at("class_name").get<std::string>(), serialized.at("config"));
}

std::size_t config_size(const nlohmann::json& config, const char* key, std::size_t fallback) {
  const auto found = config.find(key);
  if (found == config.end()) return fallback;
  // nlohmann keeps a C++ 0 as a signed integer: accept any integer >= 0.
  if (!found->is_number_integer() || (!found->is_number_unsigned() && found->get<std::int64_t>() < 0)) {
    throw FormatError(std::string("'") + key + "' must be a non-negative integer, got " + found->dump());
  }
  return found->get<std::size_t>();
}

}  // namespace kiln
