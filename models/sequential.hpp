#pragma once
// A linear stack of single-input, single-output layers (keras.Sequential).
// A Sequential is itself a Layer, so it can be used inside another model.

#include "models/model.hpp"

namespace kiln {

class SequentialModel : public Model {
 public:
  struct Options {
    std::vector<std::shared_ptr<Layer>> layers = {};
    // The input shape without the batch axis, as keras.Input(shape=...);
    // unknown_dim for an axis of any size. Given, every add() builds its
    // layer at once (so summary() works before any data); empty, the stack
    // builds on its first call, and keeps unknown the input dimensions its
    // layers accept at any size (an Embedding's sequence length).

    PartialShape input_shape = {};
    std::string name = {};
  };
  explicit SequentialModel(Options options);

  // Appends a layer; with a known input shape, builds it and checks it fits.
  void add(std::shared_ptr<Layer> layer);

  // Batch included, as (None, 6); empty until known.
  const PartialShape& input_shape() const { return input_shape_; }

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

  // {"name", "trainable", "input_shape", "layers"} and its inverse; see models/model_config.cpp.
  nlohmann::json get_config() const override;
  // One output, named as its last layer (Keras' rule).
  std::vector<std::string> output_names() const override;
  static Options options_from_config(const nlohmann::json& config);

 protected:
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  // Against input_shape(): the layers check the sizes their weights fix.
  void check_compatible(const std::vector<PartialShape>& shapes) const override;
  std::size_t print_layers(std::ostream& out) const override;

 private:
  // Whether every layer accepts `shape` (each checks what its weights fix).
  bool accepts(PartialShape shape) const;

  PartialShape input_shape_;  // batch included; empty until known
  bool input_shape_declared_ = false;  // given in Options, not inferred from the first call
};

using Sequential = LayerHandle<SequentialModel>;

}  // namespace kiln
