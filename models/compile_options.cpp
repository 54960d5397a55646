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

}  // namespace kiln
