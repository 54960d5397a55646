#include "layers/zero_padding2d.hpp"

#include "layers/spatial_options.hpp"
#include "ops/zero_pad.hpp"

namespace kiln {

namespace {

// Keras' forms: ((n)) from a lone number, ((a), (b)) from (a, b), or
// ((top, bottom), (left, right)).
std::vector<std::vector<std::size_t>> standardize_padding(std::vector<std::vector<std::size_t>> p,
                                                          const std::string& who) {
  if (p.size() == 1 && p[0].size() == 1) p = {p[0], p[0]};
  if (p.size() != 2) throw Error(who + ": padding must have two entries (rows, columns), got " + std::to_string(p.size()));
  p[0] = standardize_tuple(p[0], 2, who, "padding[0]", true);
  p[1] = standardize_tuple(p[1], 2, who, "padding[1]", true);
  return p;
}

}  // namespace

ZeroPadding2DLayer::ZeroPadding2DLayer(Options options) : KerasLayer(std::move(options)) {
  options_.padding = standardize_padding(options_.padding, describe());
  check_channels_last(options_.data_format, describe());
}

void ZeroPadding2DLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 4, "(batch, height, width, channels)");
}

std::vector<PartialShape> ZeroPadding2DLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  PartialShape out = shapes.at(0);
  for (std::size_t a = 0; a < 2; ++a) {
    if (out[a + 1] != unknown_dim) out[a + 1] += std::int64_t(options_.padding[a][0] + options_.padding[a][1]);
  }
  return {out};
}

std::vector<Tensor> ZeroPadding2DLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  const auto& p = options_.padding;
  return {zero_pad2d(inputs[0], {{{p[0][0], p[0][1]}, {p[1][0], p[1][1]}}})};
}

}  // namespace kiln
