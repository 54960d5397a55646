#include "optimizers/make_optimizer.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "graph/error.hpp"
#include "optimizers/adam.hpp"
#include "optimizers/adamw.hpp"
#include "optimizers/rmsprop.hpp"
#include "optimizers/sgd.hpp"

namespace kiln {

std::shared_ptr<Optimizer> make_optimizer(const std::string& name) {
  std::string key = name;
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (key == "adam") return std::make_shared<Adam>();
  if (key == "adamw") return std::make_shared<AdamW>();
  if (key == "sgd") return std::make_shared<SGD>();
  if (key == "rmsprop") return std::make_shared<RMSprop>();
  throw Error("make_optimizer: unknown optimizer '" + name + "' (known: adam, adamw, rmsprop, sgd)");
}

namespace {

using json = nlohmann::json;

// Keras' class name of each built-in optimizer, by kiln's name.
const std::map<std::string, std::string>& keras_class_names() {
  static const std::map<std::string, std::string> names = {
      {"adam", "Adam"}, {"adamw", "AdamW"}, {"sgd", "SGD"}, {"rmsprop", "RMSprop"}};
  return names;
}

// Keras 3's base-optimizer keys for what kiln does not have, at the values
// that mean "off".
bool is_inert_optimizer_key(const std::string& key, const json& value) {
  if (key == "use_ema" || key == "amsgrad" || key == "is_legacy_optimizer" || key == "jit_compile") {
    return value == false;
  }
  if (key == "ema_momentum" || key == "ema_overwrite_frequency") return true;  // unused without use_ema
  return (key == "loss_scale_factor" || key == "gradient_accumulation_steps") && value.is_null();
}

template <class O>
std::shared_ptr<Optimizer> read_optimizer(const std::string& class_name, const json& config) {
  typename O::Options options;
  json present = json::object();
  for (const auto& [key, value] : config.items()) {
    if (!value.is_null()) present[key] = value;  // Keras' null: the option is off, kiln's 0
  }
  std::vector<std::string> known = {"name"};
  config::read_fields(present, options, class_name, known);
  for (const auto& [key, value] : config.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end() || is_inert_optimizer_key(key, value)) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw FormatError(class_name + ": '" + key + "' = " + value.dump() + " is not an option kiln supports (its options: " +
                      list + ")");
  }
  return std::make_shared<O>(std::move(options));
}

}  // namespace

json serialize_optimizer(const Optimizer& optimizer) {
  const auto found = keras_class_names().find(optimizer.name());
  const std::string class_name = found != keras_class_names().end() ? found->second : optimizer.name();
  return {{"class_name", class_name}, {"config", optimizer.get_config()}};
}

std::shared_ptr<Optimizer> optimizer_from_config(const json& serialized) {
  if (!serialized.is_object() || !serialized.contains("class_name") || !serialized.at("class_name").is_string() ||
      !serialized.contains("config") || !serialized.at("config").is_object()) {
    throw FormatError("an optimizer must be {\"class_name\": ..., \"config\": {...}}, got " + serialized.dump());
  }
  const std::string class_name = serialized.at("class_name").get<std::string>();
  const json& config = serialized.at("config");
  if (class_name == "Adam") return read_optimizer<Adam>(class_name, config);
  if (class_name == "AdamW") return read_optimizer<AdamW>(class_name, config);
  if (class_name == "SGD") return read_optimizer<SGD>(class_name, config);
  if (class_name == "RMSprop") return read_optimizer<RMSprop>(class_name, config);
  throw FormatError("unknown optimizer class '" + class_name + "' (known: Adam, AdamW, RMSprop, SGD)");
}

}  // namespace kiln
