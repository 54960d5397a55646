#pragma once
// TimeDistributed: applies one inner layer to every time step of a
// (batch, time, ...) input, as keras.layers.TimeDistributed. The steps are
// folded into the batch, (batch * time, ...), so the inner layer runs once:
// TimeDistributed(Dense) equals Dense on the 3-D input (one GEMM either way).
// The inner layer is a sublayer: its weights are saved as
// "<this>/<inner>/kernel" and it is built for (None, ...).

#include <memory>
#include <string>

#include "layers/layer_config.hpp"

namespace kiln {

struct TimeDistributedOptions {
  std::shared_ptr<Layer> layer = nullptr;  // applied to each (batch, ...) slice
  std::string name = {};
  // "layer": {"class_name": ..., "config": ...}, as Keras writes it, rebuilt through the registry.
  static constexpr auto fields() { return std::tuple{config::field("layer", &TimeDistributedOptions::layer)}; }
};

class TimeDistributedLayer : public KerasLayer<TimeDistributedLayer, TimeDistributedOptions> {
 public:
  static constexpr const char* keras_name = "TimeDistributed";
  explicit TimeDistributedLayer(Options options);

  const std::shared_ptr<Layer>& layer() const { return options_.layer; }

  // (batch, time) followed by the inner layer's output shape without its batch.
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
};

using TimeDistributed = LayerHandle<TimeDistributedLayer>;

}  // namespace kiln
