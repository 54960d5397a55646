#include "optimizers/optimizer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <sstream>

#include <xtensor/xbuilder.hpp>

#include "graph/error.hpp"
#include "graph/node.hpp"

namespace kiln {

namespace {

constexpr std::size_t kMaxSlots = 4;

std::string number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

Optimizer::Optimizer(std::string name, OptimizerOptions options, std::vector<std::string> slot_names)
    : name_(std::move(name)), options_(std::move(options)), slot_names_(std::move(slot_names)) {
  if (slot_names_.size() > kMaxSlots) throw Error(name_ + ": at most 4 slots per parameter are supported");
  const auto non_negative = [&](const char* option, float v) {
    if (!(v >= 0.0f) || !std::isfinite(v)) fail_option(option, "a finite number >= 0", v);
  };
  non_negative("learning_rate", options_.learning_rate);
  non_negative("weight_decay", options_.weight_decay);
  non_negative("clipnorm", options_.clipnorm);
  non_negative("global_clipnorm", options_.global_clipnorm);
  non_negative("clipvalue", options_.clipvalue);
  const int clips = int(options_.clipnorm > 0) + int(options_.global_clipnorm > 0) + int(options_.clipvalue > 0);
  if (clips > 1) {
    throw Error(name_ + ": only one of clipnorm (" + number(options_.clipnorm) + "), global_clipnorm (" +
                number(options_.global_clipnorm) + ") and clipvalue (" + number(options_.clipvalue) +
                ") can be set");
  }
}

void Optimizer::fail_option(const std::string& option, const std::string& expected, float got) const {
  throw Error(name_ + ": " + option + " must be " + expected + ", got " + number(got));
}

float Optimizer::learning_rate() const {
  return options_.learning_rate_schedule ? options_.learning_rate_schedule(iterations_) : options_.learning_rate;
}

nlohmann::json Optimizer::get_config() const {
  if (options_.learning_rate_schedule) {
    throw Error(name_ + ": its learning_rate_schedule is a C++ function, which has no config");
  }
  if (config_.is_null()) throw Error(name_ + ": this optimizer recorded no config (see Optimizer::set_config)");
  nlohmann::json config = config_;
  config["name"] = name_;
  config["learning_rate"] = options_.learning_rate;
  return config;
}

void Optimizer::set_learning_rate(float learning_rate) {
  if (options_.learning_rate_schedule) {
    throw Error(name_ + ": the learning rate comes from a schedule and cannot be set");
  }
  if (!(learning_rate >= 0.0f) || !std::isfinite(learning_rate)) {
    fail_option("learning_rate", "a finite number >= 0", learning_rate);
  }
  options_.learning_rate = learning_rate;
}

Optimizer::ParamState& Optimizer::state_for(const Tensor& param) {
  const auto found = state_index_.find(param.id());
  if (found != state_index_.end()) return states_[found->second];
  ParamState s{param, {}, 0};
  for (std::size_t i = 0; i < slot_names_.size(); ++i) s.slots.push_back(xt::zeros<float>(param.shape()));
  state_index_.emplace(param.id(), states_.size());
  states_.push_back(std::move(s));
  return states_.back();
}

// Creates missing slots, and checks everything before any weight changes.
void Optimizer::check_gradients(std::span<const Update> updates, std::size_t call) {
  std::size_t with_grad = 0;
  for (const Update& u : updates) {
    const Tensor& p = *u.param;
    ParamState& s = state_for(p);
    if (s.updated_at == call) {
      throw Error(name_ + ": apply_gradients: parameter '" + p.name() + "' " + to_string(p.shape()) +
                  " appears twice in the list");
    }
    s.updated_at = call;
    if (!u.grad) continue;
    ++with_grad;
    if (u.grad->shape() != p.shape()) {
      throw_shape_error(name_ + ": apply_gradients", "gradient and parameter '" + p.name() + "' differ in shape:",
                        u.grad->shape(), p.shape());
    }
  }
  if (with_grad == 0) {
    throw Error(name_ + ": apply_gradients: none of the " + std::to_string(updates.size()) +
                " parameters has a gradient (did backward() run on the loss?)");
  }
}

// Keras' clip_by_norm: g * max_norm / max(norm(g), max_norm).
float Optimizer::clip_scale(const float* g, std::size_t n, float max_norm) const {
  double squares = 0.0;
  for (std::size_t i = 0; i < n; ++i) squares += double(g[i]) * double(g[i]);
  const double norm = std::sqrt(squares);
  return norm > max_norm ? float(max_norm / norm) : 1.0f;
}

double Optimizer::global_norm(std::span<const Update> updates) const {
  double squares = 0.0;
  for (const Update& u : updates) {
    if (!u.grad) continue;
    const float* g = u.grad->data();
    for (std::size_t i = 0, n = u.grad->size(); i < n; ++i) squares += double(g[i]) * double(g[i]);
  }
  return std::sqrt(squares);
}

// The gradient to use: `grad` itself, or its scaled/clipped copy in scratch_
// (which grows to the largest parameter once, then is reused).
const float* Optimizer::clipped(const Array& grad, float scale) {
  const float limit = options_.clipvalue;
  if (scale == 1.0f && limit == 0.0f) return grad.data();
  const std::size_t n = grad.size();
  if (scratch_.size() < n) scratch_.resize(n);
  const float* g = grad.data();
  float* out = scratch_.data();
  for (std::size_t i = 0; i < n; ++i) out[i] = g[i] * scale;
  if (limit > 0.0f) {
    for (std::size_t i = 0; i < n; ++i) out[i] = std::clamp(out[i], -limit, limit);
  }
  return out;
}

// Decoupled weight decay, in Keras' order of operations: w - w * wd * lr.
void Optimizer::decay(float* w, std::size_t n, float lr) const {
  const float wd = options_.weight_decay;
  for (std::size_t i = 0; i < n; ++i) w[i] -= w[i] * wd * lr;
}

void Optimizer::apply_gradients(const std::vector<Tensor>& params) {
  std::vector<Update> updates;
  updates.reserve(params.size());
  for (const Tensor& p : params) updates.push_back({&p, p.has_grad() ? &p.grad() : nullptr});
  apply(updates);
}

void Optimizer::apply_gradients(const std::vector<Tensor>& grads, const std::vector<Tensor>& weights) {
  if (grads.size() != weights.size()) {
    throw Error(name_ + ": apply_gradients: " + std::to_string(grads.size()) + " gradients for " +
                std::to_string(weights.size()) + " weights; pass one gradient (or an undefined Tensor) per weight");
  }
  std::vector<Update> updates;
  updates.reserve(weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i) {
    updates.push_back({&weights[i], grads[i].defined() ? &grads[i].value() : nullptr});
  }
  apply(updates);
}

void Optimizer::apply(std::span<Update> updates) {
  NoGradGuard no_grad;
  if (reducer_) reducer_(updates);
  const Step step{learning_rate(), iterations_ + 1};
  check_gradients(updates, ++calls_);
  const float global_clip = options_.global_clipnorm;
  const float global_scale =
      global_clip > 0.0f ? float(global_clip / std::max(global_norm(updates), double(global_clip))) : 1.0f;

  std::array<float*, kMaxSlots> slots{};
  for (const Update& u : updates) {
    if (!u.grad) continue;
    ParamState& s = states_[state_index_.at(u.param->id())];
    const Array& grad = *u.grad;
    const std::size_t n = grad.size();
    const float scale = options_.clipnorm > 0.0f ? clip_scale(grad.data(), n, options_.clipnorm) : global_scale;
    const float* g = clipped(grad, scale);
    float* w = s.param.mutable_value().data();
    if (options_.weight_decay > 0.0f) decay(w, n, step.learning_rate);
    for (std::size_t i = 0; i < s.slots.size(); ++i) slots[i] = s.slots[i].data();
    update(step, w, g, std::span<float* const>(slots.data(), s.slots.size()), n);
  }
  ++iterations_;
}

std::string Optimizer::state_name(const std::string& param, const std::string& slot) const {
  return param + "/" + slot;
}

std::vector<io::NamedArray> Optimizer::state() const {
  std::vector<io::NamedArray> out;
  Array iterations = Array::from_shape(Shape{});
  iterations.data()[0] = float(iterations_);
  out.push_back({"iterations", std::move(iterations)});
  std::map<std::string, std::size_t> seen;
  for (std::size_t k = 0; k < states_.size(); ++k) {
    const Tensor& p = states_[k].param;
    if (p.name().empty()) {
      throw Error(name_ + ": state: parameter #" + std::to_string(k) + " " + to_string(p.shape()) +
                  " has no name; its slots could not be matched when loaded");
    }
    if (!slot_names_.empty() && !seen.emplace(p.name(), k).second) {
      throw Error(name_ + ": state: two parameters are named '" + p.name() + "'; their slots would collide");
    }
    for (std::size_t i = 0; i < slot_names_.size(); ++i) {
      out.push_back({state_name(p.name(), slot_names_[i]), states_[k].slots[i]});
    }
  }
  return out;
}

void Optimizer::load_state(const std::vector<io::NamedArray>& state, const std::vector<Tensor>& params) {
  const std::string where = name_ + ": load_state: ";
  std::map<std::string, const Array*> entries;
  for (const auto& e : state) {
    if (!entries.emplace(e.name, &e.value).second) throw Error(where + "entry '" + e.name + "' appears twice");
  }

  const auto it = entries.find("iterations");
  if (it == entries.end()) throw Error(where + "missing entry 'iterations'");
  const Array& count = *it->second;
  const float c = count.size() == 1 ? count.data()[0] : -1.0f;
  if (!(c >= 0.0f) || c != std::floor(c) || !std::isfinite(c)) {
    throw Error(where + "entry 'iterations' must hold one whole number >= 0, got shape " +
                to_string(count.shape()) + (count.size() == 1 ? " value " + number(c) : std::string()));
  }
  entries.erase(it);

  std::vector<ParamState> states;
  std::unordered_map<const void*, std::size_t> index;
  for (const Tensor& p : params) {
    if (!index.emplace(p.id(), states.size()).second) {
      throw Error(where + "parameter '" + p.name() + "' appears twice in the list");
    }
    ParamState s{p, {}, 0};
    for (const std::string& slot : slot_names_) {
      const std::string key = state_name(p.name(), slot);
      const auto found = entries.find(key);
      if (found == entries.end()) {
        throw Error(where + "missing entry '" + key + "' for parameter '" + p.name() + "' " + to_string(p.shape()));
      }
      if (found->second->shape() != p.shape()) {
        throw ShapeError(where + "entry '" + key + "' has shape " + to_string(found->second->shape()) +
                         " but parameter '" + p.name() + "' has " + to_string(p.shape()));
      }
      s.slots.push_back(*found->second);
      entries.erase(found);
    }
    states.push_back(std::move(s));
  }
  if (!entries.empty()) {
    throw Error(where + "unknown entry '" + entries.begin()->first +
                "': no parameter in the list has that name, or " + name_ + " has no such slot");
  }

  states_ = std::move(states);
  state_index_ = std::move(index);
  iterations_ = std::size_t(c);
}

}  // namespace kiln
