#pragma once
// SinePositionEncoding (keras_hub): the fixed sinusoidal encoding of
// "Attention Is All You Need" for an input (batch, T, hidden), in its shape
// (the input's values are not used). keras_hub's formula exactly:
//     timescale[i] = (1 / max_wavelength) ^ (2 * floor(i / 2) / hidden)
//     out[b, t, i] = sin(t * timescale[i]) for even i, cos(t * timescale[i]) for odd i
// with positions t counted from a start index (0 in a call; encoding() takes
// one, for decoding step by step). No weights; masks are dropped.

#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct SinePositionEncodingOptions {
  float max_wavelength = 10000.0f;
  std::string name = {};
  static constexpr auto fields() {
    return std::tuple{config::field("max_wavelength", &SinePositionEncodingOptions::max_wavelength)};
  }
};

// The (length, hidden) encoding of positions start .. start + length - 1.
Array sine_position_encoding(std::size_t length, std::size_t hidden, float max_wavelength, std::size_t start = 0);

class SinePositionEncodingLayer : public KerasLayer<SinePositionEncodingLayer, SinePositionEncodingOptions> {
 public:
  static constexpr const char* keras_name = "SinePositionEncoding";
  explicit SinePositionEncodingLayer(Options options);

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any width
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
};

using SinePositionEncoding = LayerHandle<SinePositionEncodingLayer>;

}  // namespace kiln
