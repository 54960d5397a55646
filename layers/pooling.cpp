#include "layers/pooling.hpp"

#include <algorithm>

#include "layers/spatial_options.hpp"
#include "ops/pooling.hpp"

namespace kiln {

PoolingOptions standardize_pooling_options(PoolingOptions o, std::size_t rank, const std::string& class_name) {
  const std::string who = layer_label(class_name, o.name);
  o.pool_size = standardize_tuple(o.pool_size, rank, who, "pool_size");
  o.strides = standardize_tuple(o.strides.value_or(o.pool_size), rank, who, "strides");
  o.padding = to_string(parse_padding(o.padding, false, who));
  check_channels_last(o.data_format, who);
  return o;
}

BasePoolingLayer::BasePoolingLayer(std::string class_name, std::string name, std::size_t rank, bool max)
    : Layer(std::move(class_name), std::move(name)), rank_(rank), max_(max) {}

void BasePoolingLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, rank_ + 2, rank_ == 1 ? "(batch, steps, channels)" : "(batch, height, width, channels)");
  const PoolingOptions& o = pooling_options();
  for (std::size_t a = 0; a < rank_; ++a) {
    const std::int64_t n = shapes[0][a + 1];
    if (n != unknown_dim && o.padding == "valid" && std::size_t(n) < o.pool_size[a]) {
      PartialShape pool(o.pool_size.begin(), o.pool_size.end());
      fail("the pool " + to_string(pool) + " does not fit the input " + to_string(shapes[0]) + " with padding 'valid'");
    }
  }
}

std::vector<PartialShape> BasePoolingLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const PoolingOptions& o = pooling_options();
  const Padding padding = parse_padding(o.padding, false, class_name());
  PartialShape out = shapes.at(0);
  for (std::size_t a = 0; a < rank_; ++a) {
    if (out[a + 1] == unknown_dim) continue;
    out[a + 1] = std::int64_t(padded_output_size(std::size_t(out[a + 1]), o.pool_size[a], (*o.strides)[a], 1, padding));
  }
  return {out};
}

std::vector<Tensor> BasePoolingLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  const PoolingOptions& o = pooling_options();
  const Padding padding = parse_padding(o.padding, false, class_name());
  const std::vector<std::size_t>& s = *o.strides;
  if (rank_ == 1) {
    const Pool1DOptions p{.pool_size = o.pool_size[0], .strides = s[0], .padding = padding};
    return {max_ ? max_pool1d(inputs[0], p) : average_pool1d(inputs[0], p)};
  }
  const Pool2DOptions p{.pool_size = {o.pool_size[0], o.pool_size[1]}, .strides = {s[0], s[1]}, .padding = padding};
  return {max_ ? max_pool2d(inputs[0], p) : average_pool2d(inputs[0], p)};
}

}  // namespace kiln
