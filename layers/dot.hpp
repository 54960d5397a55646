#pragma once
// Dot: the per-sample dot product of two inputs along one axis of each, as
// keras.layers.Dot (Keras' batch_dot). axes is one axis for both inputs or
// one per input ({.axes = {1, 2}}), counted with the batch axis as 0 (which
// cannot be reduced; negative counts from the end). The result has the
// first input's other axes, then the second's (batch excluded): (b, 3, 4)
// and (b, 5, 4) over axes 2 give (b, 3, 5); a result of rank 1 becomes
// (b, 1). With normalize, both inputs are first L2-normalised along their
// axis (x * min(1 / |x|, 1e7), Keras' normalize), giving cosine
// similarities. Outputs no mask (Keras' Dot neither).

#include <array>
#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct DotOptions {
  IntOrList axes = -1;
  bool normalize = false;
  std::string name = {};
  static constexpr auto fields() {
    return std::tuple{config::field("axes", &DotOptions::axes), config::field("normalize", &DotOptions::normalize)};
  }
};

class DotLayer : public KerasLayer<DotLayer, DotOptions> {
 public:
  static constexpr const char* keras_name = "Dot";
  // Throws kiln::Error unless axes holds one or two integers.
  explicit DotLayer(Options options);

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shapes
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  // The reduced axis of each input, in [1, rank).
  std::array<std::size_t, 2> axes_for(const std::vector<PartialShape>& shapes) const;
};

using Dot = LayerHandle<DotLayer>;

}  // namespace kiln
