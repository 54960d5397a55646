#include "layers/base_conv.hpp"

#include <algorithm>
#include <cctype>

#include "layers/activation.hpp"
#include "layers/spatial_options.hpp"
#include "ops/arithmetic.hpp"
#include "ops/conv.hpp"

namespace kiln {

ConvOptions standardize_conv_options(ConvOptions o, std::size_t rank, const std::string& class_name) {
  const std::string who = layer_label(class_name, o.name);
  if (o.filters == 0) throw Error(who + ": filters must be positive");
  if (o.kernel_size.empty()) throw Error(who + ": kernel_size is required");
  o.kernel_size = standardize_tuple(o.kernel_size, rank, who, "kernel_size");
  o.strides = standardize_tuple(o.strides, rank, who, "strides");
  o.dilation_rate = standardize_tuple(o.dilation_rate, rank, who, "dilation_rate");
  const auto above_one = [](const std::vector<std::size_t>& v) { return *std::max_element(v.begin(), v.end()) > 1; };
  if (above_one(o.strides) && above_one(o.dilation_rate)) {
    throw Error(who + ": strides > 1 are not supported together with dilation_rate > 1 (as in Keras), got strides " +
                tuple_text(o.strides) + " and dilation_rate " + tuple_text(o.dilation_rate));
  }
  o.padding = to_string(parse_padding(o.padding, rank == 1, who));
  check_channels_last(o.data_format, who);
  if (o.groups == 0 || o.filters % o.groups != 0) {
    throw Error(who + ": filters must be a multiple of groups (as in Keras), got filters " + std::to_string(o.filters) +
                " and groups " + std::to_string(o.groups));
  }
  check_activation_name(o.activation);
  return o;
}

BaseConvLayer::BaseConvLayer(std::string class_name, std::string name, std::size_t rank)
    : Layer(std::move(class_name), std::move(name)), rank_(rank) {}

void BaseConvLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  const char* layout = rank_ == 1 ? "(batch, steps, channels)" : "(batch, height, width, channels)";
  expect_inputs(shapes, 1, rank_ + 2, layout);
  const ConvOptions& o = conv_options();
  const Padding padding = parse_padding(o.padding, rank_ == 1, class_name());
  const PartialShape& s = shapes[0];
  if (s.back() != unknown_dim && std::size_t(s.back()) % o.groups != 0) {
    fail("the input's channels must be a multiple of groups (" + std::to_string(o.groups) + "), got the input " +
         to_string(s));
  }
  for (std::size_t a = 0; a < rank_; ++a) {
    const std::int64_t n = s[a + 1];
    if (n == unknown_dim || padded_output_size(std::size_t(n), o.kernel_size[a], o.strides[a], o.dilation_rate[a],
                                               padding) > 0) {
      continue;
    }
    PartialShape kernel(o.kernel_size.begin(), o.kernel_size.end());
    kernel.push_back(s.back() == unknown_dim ? unknown_dim : s.back() / std::int64_t(o.groups));
    kernel.push_back(std::int64_t(o.filters));
    fail("the kernel " + to_string(kernel) + " (dilation_rate " + tuple_text(o.dilation_rate) +
         ") does not fit the input " + to_string(s) + " with padding '" + o.padding + "'");
  }
}

void BaseConvLayer::build(const std::vector<PartialShape>& shapes) {
  const ConvOptions& o = conv_options();
  Shape kernel_shape(o.kernel_size.begin(), o.kernel_size.end());
  kernel_shape.push_back(known_last_dim(shapes[0]) / o.groups);
  kernel_shape.push_back(o.filters);
  kernel_ = add_weight("kernel", kernel_shape, o.kernel_initializer.make());
  if (o.use_bias) bias_ = add_weight("bias", {o.filters}, o.bias_initializer.make());
}

std::vector<PartialShape> BaseConvLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const ConvOptions& o = conv_options();
  const Padding padding = parse_padding(o.padding, rank_ == 1, class_name());
  PartialShape out = shapes.at(0);
  for (std::size_t a = 0; a < rank_; ++a) {
    if (out[a + 1] == unknown_dim) continue;
    out[a + 1] = std::int64_t(
        padded_output_size(std::size_t(out[a + 1]), o.kernel_size[a], o.strides[a], o.dilation_rate[a], padding));
  }
  out.back() = std::int64_t(o.filters);
  return {out};
}

std::vector<Tensor> BaseConvLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  const ConvOptions& o = conv_options();
  const Padding padding = parse_padding(o.padding, rank_ == 1, class_name());
  Tensor y = rank_ == 1 ? conv1d(inputs[0], kernel_, {.strides = o.strides[0], .dilation_rate = o.dilation_rate[0],
                                                      .padding = padding, .groups = o.groups})
                        : conv2d(inputs[0], kernel_, {.strides = {o.strides[0], o.strides[1]},
                                                      .dilation_rate = {o.dilation_rate[0], o.dilation_rate[1]},
                                                      .padding = padding, .groups = o.groups});
  if (o.use_bias) y = y + bias_;
  return {activate(o.activation, y)};
}

}  // namespace kiln
