#include "layers/reshape_layer.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ops/reshape.hpp"

namespace kiln {

namespace {

std::string target_string(const std::vector<std::int64_t>& target) {
  std::string out;
  for (auto d : target) out += (out.empty() ? "" : ", ") + std::to_string(d);
  return "(" + out + (target.size() == 1 ? ",)" : ")");
}

}  // namespace

ReshapeLayer::ReshapeLayer(Options options) : KerasLayer(std::move(options)) {
  const auto& target = options_.target_shape;
  if (std::count(target.begin(), target.end(), -1) > 1) {
    throw Error(describe() + ": target_shape " + target_string(target) + " may hold at most one -1");
  }
  for (auto d : target) {
    if (d == 0 || d < -1) {
      throw Error(describe() + ": target_shape " + target_string(target) + " has an entry " + std::to_string(d) +
                  " (sizes are positive; -1 is inferred)");
    }
  }
}

ReshapeLayer::Options ReshapeLayer::options_from_config(const nlohmann::json& config) {
  nlohmann::json keras = config;
  if (keras.is_object() && keras.contains("target_shape") && keras["target_shape"].is_array()) {
    for (auto& d : keras["target_shape"]) {
      if (d.is_null()) d = -1;  // TensorFlow.js's way of writing the inferred entry
    }
  }
  return config::read_options<Options>(keras, keras_name);
}

void ReshapeLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(batch, ...)");
  if (shapes[0].empty()) fail("expected input (batch, ...), got a scalar ()");
  compute_output_shape(shapes);  // element counts
}

void ReshapeLayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> ReshapeLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const PartialShape& in = shapes.at(0);
  const auto& target = options_.target_shape;
  PartialShape out{in[0]};
  const bool unknown = std::any_of(in.begin() + 1, in.end(), [](std::int64_t d) { return d == unknown_dim; });
  if (unknown) {  // -1 stays unknown, as Keras' None
    out.insert(out.end(), target.begin(), target.end());
    return {out};
  }
  std::int64_t size = 1, known = 1;
  for (std::size_t i = 1; i < in.size(); ++i) size *= in[i];
  for (auto d : target) known *= d == -1 ? 1 : d;
  const bool inferred = std::count(target.begin(), target.end(), -1) == 1;
  if (inferred ? size % known != 0 : size != known) {
    fail("cannot reshape input " + to_string(in) + " (" + std::to_string(size) + " elements per sample) into " +
         "target_shape " + target_string(target));
  }
  for (auto d : target) out.push_back(d == -1 ? size / known : d);
  return {out};
}

std::vector<Tensor> ReshapeLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  std::vector<long> dims{long(inputs[0].shape(0))};
  for (auto d : options_.target_shape) dims.push_back(long(d));
  return {reshape(inputs[0], dims)};
}

}  // namespace kiln
