#include "layers/sine_position_encoding.hpp"

#include <cmath>
#include <cstring>

namespace kiln {

Array sine_position_encoding(std::size_t length, std::size_t hidden, float max_wavelength, std::size_t start) {
  Array out = Array::from_shape({length, hidden});
  const double min_freq = 1.0 / double(max_wavelength);
  for (std::size_t i = 0; i < hidden; ++i) {
    const double timescale = std::pow(min_freq, double(2 * (i / 2)) / double(hidden));
    for (std::size_t t = 0; t < length; ++t) {
      const double angle = double(start + t) * timescale;
      out(t, i) = float(i % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
  }
  return out;
}

SinePositionEncodingLayer::SinePositionEncodingLayer(Options options) : KerasLayer(std::move(options)) {
  if (!(options_.max_wavelength > 0.0f)) throw Error(describe() + ": max_wavelength must be positive");
}

void SinePositionEncodingLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 3, "(batch, sequence, hidden)");
}

void SinePositionEncodingLayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> SinePositionEncodingLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  return {shapes.at(0)};
}

std::vector<Tensor> SinePositionEncodingLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  const Shape& shape = inputs[0].shape();
  const Array table = sine_position_encoding(shape[1], shape[2], options_.max_wavelength);
  Array out = Array::from_shape(shape);
  for (std::size_t b = 0; b < shape[0]; ++b) std::memcpy(out.data() + b * table.size(), table.data(), table.size() * sizeof(float));
  return {Tensor(std::move(out))};
}

}  // namespace kiln
