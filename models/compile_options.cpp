#include "models/compile_options.hpp"

#include <algorithm>

#include "graph/error.hpp"

namespace kiln {

namespace {

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

// A list given per output must have one entry per output; a map may only
// name outputs the model has.
template <class T>
void check_per_output(const char* what, const std::vector<T>& list, const std::vector<std::string>& names) {
  if (!list.empty() && list.size() != names.size()) {
    throw Error(std::string("compile: ") + what + " lists " + std::to_string(list.size()) + " entries for a model with " +
                std::to_string(names.size()) + " outputs (" + listed(names) + ")");
  }
}

template <class T>
void check_by_name(const char* what, const std::map<std::string, T>& map, const std::vector<std::string>& names) {
  for (const auto& [key, value] : map) {
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      throw Error(std::string("compile: ") + what + " names an output '" + key + "' the model does not have (" +
                  listed(names) + ")");
    }
  }
}

}  // namespace

std::optional<LossChoice> Losses::for_output(std::size_t index, const std::vector<std::string>& names) const {
  if (all_) return all_;
  check_per_output("loss", per_output_, names);
  check_by_name("loss", by_name_, names);
  if (!per_output_.empty()) return per_output_[index];
  const auto found = by_name_.find(names[index]);
  if (found == by_name_.end()) return std::nullopt;
  return found->second;
}

std::shared_ptr<PredictionMetric> MetricChoice::make(const std::string& loss_name) const {
  return metric_ ? metric_ : metric_by_name(name_, loss_name);
}

std::vector<MetricChoice> Metrics::for_output(std::size_t index, const std::vector<std::string>& names) const {
  if (!all_.empty()) {
    for (const auto& m : all_) {
      if (m.object() && names.size() > 1) {
        throw Error("compile: metric object '" + m.object()->name() + "' would serve all " +
                    std::to_string(names.size()) + " outputs; give each output its own (metrics per output)");
      }
    }
    return all_;
  }
  check_per_output("metrics", per_output_, names);
  check_by_name("metrics", by_name_, names);
  if (listed_) return per_output_.empty() ? std::vector<MetricChoice>{} : per_output_[index];
  const auto found = by_name_.find(names[index]);
  return found == by_name_.end() ? std::vector<MetricChoice>{} : found->second;
}

float LossWeights::for_output(std::size_t index, const std::vector<std::string>& names) const {
  check_per_output("loss_weights", per_output_, names);
  check_by_name("loss_weights", by_name_, names);
  if (!per_output_.empty()) return per_output_[index];
  const auto found = by_name_.find(names[index]);
  return found == by_name_.end() ? 1.0f : found->second;
}

// --- compile_config (what save_model writes; see models/compile_config.hpp) ---

namespace {

using json = nlohmann::json;

std::string string_in(const json& value, const char* what) {
  if (!value.is_string()) throw FormatError(std::string("compile_config: ") + what + " must be a name, got " + value.dump());
  return value.get<std::string>();
}

json names_of(const std::vector<MetricChoice>& list, bool& ok) {
  json out = json::array();
  for (const auto& m : list) {
    ok = ok && !m.object();
    out.push_back(m.name());
  }
  return out;
}

std::vector<MetricChoice> metric_list(const json& value) {
  if (!value.is_array()) throw FormatError("compile_config: metrics must be lists of names, got " + value.dump());
  std::vector<MetricChoice> out;
  for (const auto& v : value) out.emplace_back(string_in(v, "a metric"));
  return out;
}

}  // namespace

std::optional<json> Losses::to_config() const {
  if (all_) return all_->is_named() ? std::optional<json>(all_->name()) : std::nullopt;
  if (!per_output_.empty()) {
    json out = json::array();
    for (const auto& l : per_output_) {
      if (!l.is_named()) return std::nullopt;
      out.push_back(l.name());
    }
    return out;
  }
  json out = json::object();
  for (const auto& [name, l] : by_name_) {
    if (!l.is_named()) return std::nullopt;
    out[name] = l.name();
  }
  return out;
}

Losses Losses::from_config(const json& config) {
  if (config.is_string()) return Losses(config.get<std::string>());
  Losses out;
  if (config.is_array()) {
    for (const auto& v : config) out.per_output_.emplace_back(string_in(v, "a loss"));
    return out;
  }
  if (config.is_object()) {
    for (const auto& [name, v] : config.items()) out.by_name_.emplace(name, LossChoice(string_in(v, "a loss")));
    return out;
  }
  throw FormatError("compile_config: loss must be a name, a list or a map of names, got " + config.dump());
}

std::optional<json> Metrics::to_config() const {
  bool ok = true;
  json out;
  if (!by_name_.empty()) {
    out = json::object();
    for (const auto& [name, list] : by_name_) out[name] = names_of(list, ok);
  } else if (listed_) {
    out = json::array();
    for (const auto& list : per_output_) out.push_back(names_of(list, ok));
  } else {
    out = names_of(all_, ok);
  }
  return ok ? std::optional<json>(out) : std::nullopt;
}

Metrics Metrics::from_config(const json& config) {
  if (config.is_null()) return Metrics();
  if (config.is_object()) {
    std::map<std::string, std::vector<MetricChoice>> by_name;
    for (const auto& [name, v] : config.items()) by_name.emplace(name, metric_list(v));
    return Metrics(std::move(by_name));
  }
  if (config.is_array() && !config.empty() && config.front().is_array()) {
    std::vector<std::vector<MetricChoice>> per_output;
    for (const auto& v : config) per_output.push_back(metric_list(v));
    return Metrics(std::move(per_output));
  }
  return Metrics(metric_list(config));
}

json LossWeights::to_config() const {
  if (!per_output_.empty()) return per_output_;
  if (!by_name_.empty()) return by_name_;
  return nullptr;
}

LossWeights LossWeights::from_config(const json& config) {
  if (config.is_null()) return LossWeights();
  auto weight = [](const json& v) {
    if (!v.is_number()) throw FormatError("compile_config: loss weights must be numbers, got " + v.dump());
    return v.get<float>();
  };
  if (config.is_array()) {
    std::vector<float> list;
    for (const auto& v : config) list.push_back(weight(v));
    return LossWeights(std::move(list));
  }
  if (config.is_object()) {
    std::map<std::string, float> map;
    for (const auto& [name, v] : config.items()) map.emplace(name, weight(v));
    return LossWeights(std::move(map));
  }
  throw FormatError("compile_config: loss_weights must be null, a list or a map, got " + config.dump());
}

}  // namespace kiln
