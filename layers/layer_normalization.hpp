#pragma once
// LayerNormalization (Keras 3): each sample normalised over the feature
// axes, then scaled by gamma and shifted by beta, both spanning those axes:
//     y = (x - mean) / sqrt(var + epsilon) * gamma + beta
// with rms_scaling, y = x / sqrt(mean(x^2) + epsilon) * gamma (no beta).
// The normalised axes must be the last ones (Keras' default, -1, or e.g.
// [1, 2] of a rank-3 input); the work is one fused op (ops/layer_norm.hpp).
// Masks pass through unchanged, as in Keras.

#include <string>
#include <vector>

#include "layers/layer_config.hpp"

namespace kiln {

struct LayerNormalizationOptions {
  std::vector<int> axis = {-1};
  float epsilon = 1e-3f;
  bool center = true;  // beta
  bool scale = true;   // gamma
  bool rms_scaling = false;
  InitializerSpec beta_initializer = "zeros";
  InitializerSpec gamma_initializer = "ones";
  std::string name = {};
  static constexpr auto fields() {
    using O = LayerNormalizationOptions;
    return std::tuple{config::field("axis", &O::axis),
                      config::field("epsilon", &O::epsilon),
                      config::field("center", &O::center),
                      config::field("scale", &O::scale),
                      config::field("rms_scaling", &O::rms_scaling),
                      config::field("beta_initializer", &O::beta_initializer),
                      config::field("gamma_initializer", &O::gamma_initializer)};
  }
};

class LayerNormalizationLayer : public KerasLayer<LayerNormalizationLayer, LayerNormalizationOptions> {
 public:
  static constexpr const char* keras_name = "LayerNormalization";
  explicit LayerNormalizationLayer(Options options);

  Tensor gamma() const { return gamma_; }  // undefined without scale (and without rms_scaling)
  Tensor beta() const { return beta_; }    // undefined without center, or with rms_scaling

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  // How many trailing axes are normalised, for an input of rank `rank`;
  // throws ShapeError unless `axis` names exactly the last ones.
  std::size_t normalized_axes(std::size_t rank) const;

  Tensor gamma_, beta_;
};

using LayerNormalization = LayerHandle<LayerNormalizationLayer>;

}  // namespace kiln
