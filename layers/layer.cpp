#include "layers/layer.hpp"

#include <nlohmann/json.hpp>

#include "layers/naming.hpp"

namespace kiln {

Layer::Layer(std::string class_name, std::string name)
    : class_name_(std::move(class_name)),
      name_(name.empty() ? unique_layer_name(to_snake_case(class_name_)) : std::move(name)) {}

std::string Layer::describe() const { return class_name_ + " '" + name_ + "'"; }

void Layer::fail(const std::string& message) const { throw ShapeError(describe() + ": " + message); }

void Layer::expect_inputs(const std::vector<PartialShape>& shapes, std::size_t count, std::size_t rank,
                          const char* layout) const {
  if (shapes.size() != count) {
    fail("expected " + std::to_string(count) + " input" + (count == 1 ? "" : "s") + " " + layout + ", got " +
         std::to_string(shapes.size()));
  }
  for (const auto& s : shapes) {
    if (rank != 0 && s.size() != rank) fail(std::string("expected input ") + layout + ", got " + to_string(s));
  }
}

std::size_t Layer::known_last_dim(const PartialShape& shape) const {
  if (shape.empty() || shape.back() == unknown_dim) {
    fail("the last axis of the input must be known to build the weights, got " + to_string(shape));
  }
  return std::size_t(shape.back());
}

void Layer::validate_inputs(const std::vector<PartialShape>&) const {}
void Layer::build(const std::vector<PartialShape>&) {}

void Layer::build_for(const std::vector<PartialShape>& input_shapes) { ensure_built(input_shapes); }

void Layer::ensure_built(const std::vector<PartialShape>& input_shapes) {
  validate_inputs(input_shapes);  // every call: counts and ranks
  if (built_) {
    check_compatible(input_shapes);
    return;
  }
  build(input_shapes);
  built_shapes_ = input_shapes;
  built_ = true;
}

// Once built, a layer accepts any batch, sequence length or rank its
// validate_inputs() allows, but the feature sizes (last axes) its weights
// were made for must stay the same.
void Layer::check_compatible(const std::vector<PartialShape>& shapes) const {
  auto describe_all = [](const std::vector<PartialShape>& list) {
    std::string out;
    for (const auto& s : list) out += (out.empty() ? "" : ", ") + to_string(s);
    return "[" + out + "]";
  };
  bool ok = shapes.size() == built_shapes_.size();
  for (std::size_t i = 0; ok && i < shapes.size(); ++i) {
    const auto& was = built_shapes_[i];
    const auto& now = shapes[i];
    ok = was.empty() == now.empty() &&
         (was.empty() || was.back() == unknown_dim || now.back() == unknown_dim || was.back() == now.back());
  }
  if (!ok) {
    fail("was built for inputs " + describe_all(built_shapes_) + " and cannot be called on " +
         describe_all(shapes));
  }
}

std::vector<Mask> Layer::input_masks(const std::vector<Tensor>& inputs, const CallContext& context) const {
  if (context.masks.size() > inputs.size()) {
    fail("got " + std::to_string(context.masks.size()) + " masks for " + std::to_string(inputs.size()) +
         " inputs (give at most one per input, null for none)");
  }
  std::vector<Mask> masks;
  masks.reserve(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Array* given = context.mask(i);
    masks.push_back(given ? std::make_shared<const Array>(*given) : inputs[i].mask());
  }
  return masks;
}

Outputs<Tensor> Layer::operator()(const std::vector<Tensor>& inputs, const CallContext& context) {
  std::vector<PartialShape> shapes;
  shapes.reserve(inputs.size());
  for (const auto& t : inputs) shapes.push_back(partial_shape_of(t.shape()));
  ensure_built(shapes);
  const std::vector<Mask> masks = input_masks(inputs, context);
  CallContext resolved{.training = context.training, .masks = {}};
  resolved.masks.reserve(masks.size());
  for (const Mask& m : masks) resolved.masks.push_back(m.get());
  std::vector<Tensor> outputs = call(inputs, resolved);
  // As Keras' _set_mask_metadata: masks the call did not attach itself.
  const std::vector<Mask> output_masks = compute_mask(inputs, masks);
  for (std::size_t i = 0; i < outputs.size() && i < output_masks.size(); ++i) {
    if (output_masks[i] && !outputs[i].mask()) outputs[i] = outputs[i].with_mask(output_masks[i]);
  }
  return outputs;
}

Outputs<Tensor> Layer::operator()(const Tensor& input, const CallContext& context) {
  return (*this)(std::vector<Tensor>{input}, context);
}

Outputs<SymbolicTensor> Layer::operator()(const std::vector<SymbolicTensor>& inputs) {
  std::vector<PartialShape> shapes;
  for (const auto& t : inputs) shapes.push_back(t.shape());
  ensure_built(shapes);
  std::shared_ptr<Layer> self = weak_from_this().lock();
  if (!self) {
    throw Error(describe() + ": a layer used in a functional model must be owned by a handle or std::shared_ptr");
  }
  auto node = std::make_shared<SymbolicNode>();
  node->layer = std::move(self);
  node->inputs = inputs;
  node->output_shapes = compute_output_shape(shapes);
  std::vector<SymbolicTensor> outputs;
  for (std::size_t i = 0; i < node->output_shapes.size(); ++i) {
    outputs.emplace_back(node->output_shapes[i], node, i);
  }
  return outputs;
}

Outputs<SymbolicTensor> Layer::operator()(const SymbolicTensor& input) {
  return (*this)(std::vector<SymbolicTensor>{input});
}

Tensor Layer::add_weight(const std::string& name, const Shape& shape, const Initializer& initializer,
                         bool trainable) {
  for (const auto& w : weights_) {
    if (w.name == name) throw Error(describe() + ": weight '" + name + "' is added twice");
  }
  Array value = initializer(shape);
  if (value.shape() != shape) {
    fail("the initializer of weight '" + name + "' returned " + to_string(value.shape()) + " instead of " +
         to_string(shape));
  }
  Tensor t(std::move(value), trainable && trainable_, name_ + "/" + name);
  weights_.push_back({name, t, trainable});
  return t;
}

void Layer::track(std::shared_ptr<Layer> sublayer) {
  if (!trainable_) sublayer->set_trainable(false);
  sublayers_.push_back(std::move(sublayer));
}

void Layer::track_generator(std::mt19937_64& generator) { generators_.push_back(&generator); }

std::vector<std::pair<std::string, std::mt19937_64*>> Layer::named_generators() const {
  std::vector<std::pair<std::string, std::mt19937_64*>> out;
  for (std::size_t i = 0; i < generators_.size(); ++i) {
    std::string name = name_ + "/seed_generator";
    if (i > 0) name.append("_").append(std::to_string(i));
    out.emplace_back(std::move(name), generators_[i]);
  }
  for (const auto& sub : sublayers_) {
    for (auto& [path, g] : sub->named_generators()) out.emplace_back(name_ + "/" + path, g);
  }
  return out;
}

void Layer::set_trainable(bool on) {
  trainable_ = on;
  for (auto& w : weights_) {
    w.tensor.set_requires_grad(on && w.trainable);
    if (!w.tensor.requires_grad()) w.tensor.zero_grad();
  }
  for (auto& sub : sublayers_) sub->set_trainable(on);
}

std::vector<std::pair<std::string, Tensor>> Layer::named_weights() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const auto& w : weights_) out.emplace_back(name_ + "/" + w.name, w.tensor);
  for (const auto& sub : sublayers_) {
    for (auto& [path, t] : sub->named_weights()) out.emplace_back(name_ + "/" + path, t);
  }
  return out;
}

std::vector<Tensor> Layer::weights() const {
  std::vector<Tensor> out;
  for (auto& [path, t] : named_weights()) out.push_back(t);
  return out;
}

// A weight trains when it was added as trainable and neither its layer nor
// any layer above it is frozen.
std::vector<Tensor> Layer::trainable_weights() const {
  std::vector<Tensor> out;
  if (!trainable_) return out;
  for (const auto& w : weights_) {
    if (w.trainable) out.push_back(w.tensor);
  }
  for (const auto& sub : sublayers_) {
    for (auto& t : sub->trainable_weights()) out.push_back(t);
  }
  return out;
}

std::vector<Tensor> Layer::non_trainable_weights() const {
  std::vector<Tensor> out;
  const auto trainable = trainable_weights();
  for (auto& t : weights()) {
    bool found = false;
    for (auto& u : trainable) found = found || u.same_as(t);
    if (!found) out.push_back(t);
  }
  return out;
}

std::vector<Array> Layer::get_weights() const {
  std::vector<Array> out;
  for (auto& t : weights()) out.push_back(t.value());
  return out;
}

void Layer::set_weights(const std::vector<Array>& values) {
  auto named = named_weights();
  if (!built_ && named.empty()) throw Error(describe() + ": set_weights before the layer is built (call it or build_for first)");
  if (values.size() != named.size()) {
    throw Error(describe() + ": set_weights got " + std::to_string(values.size()) + " arrays, the layer has " +
                std::to_string(named.size()) + " weights");
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].shape() != named[i].second.shape()) {
      fail("set_weights: weight '" + named[i].first + "' has shape " + to_string(named[i].second.shape()) +
           ", got " + to_string(values[i].shape()));
    }
  }
  for (std::size_t i = 0; i < values.size(); ++i) named[i].second.mutable_value() = values[i];
}

std::size_t Layer::count_params() const {
  std::size_t n = 0;
  for (auto& t : weights()) n += t.size();
  return n;
}

std::vector<Mask> Layer::compute_mask(const std::vector<Tensor>&, const std::vector<Mask>& masks) const {
  if (supports_masking_ && !masks.empty() && masks[0]) return {masks[0]};
  return {};
}

nlohmann::json Layer::get_config() const { return {{"name", name_}, {"trainable", trainable_}}; }

}  // namespace kiln
