#pragma once
// Bidirectional: Keras' wrapper that runs a recurrent layer forwards and a
// copy of it backwards over the same sequence and merges the two outputs.
//
//   Bidirectional bi({.layer = GRU({.units = 64, .return_sequences = true})});
//
// `layer` (a GRU or LSTM) is a template, never called itself: as Keras
// re-creates layers from their config, the wrapper makes two new layers with
// the same options, forward_<name> (same direction) and backward_<name>
// (go_backwards flipped), and tracks them, so weights are saved as
// "bidirectional/forward_gru/kernel". With return_sequences the backward
// output, produced last step first, is reversed to line up with the forward
// one before merging, and both copies zero their outputs at masked steps
// (Keras sets zero_output_for_mask for them).
//
// Inputs:  [x] or [x, forward initial states..., backward initial states...].
// Outputs: [merged] or, with return_state, [merged, forward states...,
//          backward states...]. merge_mode: "concat" (last axis, 2 units
//          wide), "sum", "mul" or "ave".

#include <memory>
#include <string>

#include "layers/layer_config.hpp"
#include "layers/recurrent.hpp"

namespace kiln {

struct BidirectionalOptions {
  std::shared_ptr<Layer> layer = nullptr;  // a GRU or LSTM (handles convert), used as a template
  std::string merge_mode = "concat";
  std::string name = {};
  static constexpr auto fields() {
    using O = BidirectionalOptions;
    return std::tuple{config::field("layer", &O::layer), config::field("merge_mode", &O::merge_mode)};
  }
};

class BidirectionalLayer : public KerasLayer<BidirectionalLayer, BidirectionalOptions> {
 public:
  static constexpr const char* keras_name = "Bidirectional";
  explicit BidirectionalLayer(Options options);
  RecurrentLayer& forward_layer() const { return *forward_; }
  RecurrentLayer& backward_layer() const { return *backward_; }

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  // With return_sequences the sequence's mask for the output, else none.
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  // The inputs of one direction: x and that direction's states, if given.
  template <class T>
  std::vector<T> direction_inputs(const std::vector<T>& inputs, bool backward) const;
  Tensor merge(const Tensor& forward, const Tensor& backward) const;
  void check_input_count(std::size_t count) const;

  std::shared_ptr<RecurrentLayer> forward_, backward_;
};

using Bidirectional = LayerHandle<BidirectionalLayer>;

}  // namespace kiln
