#pragma once
// The base of Keras' element-wise merge layers (keras.layers.Add,
// Subtract, Multiply, Average, Maximum, Minimum: Keras 3's Merge), with its
// shape and mask rules:
//
// - Shapes: the batch sizes must agree; the other axes broadcast as numpy's,
//   aligned from the last (an input of lower rank gains axes of 1 right after
//   the batch axis: (batch, 4) merges with (batch, 3, 4)). An unknown (None)
//   dimension gives an unknown one.
// - Masks (Keras 3.4 and later): the output carries the OR of the inputs'
//   masks when every input has one, no mask otherwise. Add, Subtract and
//   Average compute on the values as they are; Multiply, Maximum and Minimum
//   keep masked entries out of the result (see each layer). Masks apply to
//   inputs of the output's rank; merging inputs of different ranks with
//   masks is refused.

#include <string>
#include <vector>

#include "layers/layer_config.hpp"
#include "ops/where.hpp"

namespace kiln {

class MergeLayer : public Layer {
 public:
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

 protected:
  // Takes between min_inputs and max_inputs inputs (max 0: no limit).
  MergeLayer(std::string class_name, std::string name, std::size_t min_inputs, std::size_t max_inputs);

  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shapes
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

  // The merge of inputs already of one rank. masks[i] is input i's mask
  // expanded over the last axis ((batch, time, 1) for (batch, time, features)),
  // an undefined Tensor where it has none.
  virtual Tensor merge(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks) const = 0;

  // Keras' _apply_merge_op_and_or_mask (Maximum, Minimum): folds `op` over
  // the inputs, where a masked entry of one side takes the other side's value.
  template <class Op>
  static Tensor merge_skipping_masked(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks, Op op);
  // Keras' logical_or of two 0/1 masks (constants: no gradient).
  static Tensor mask_or(const Tensor& a, const Tensor& b);

 private:
  std::size_t min_inputs_, max_inputs_;
};

template <class Op>
Tensor MergeLayer::merge_skipping_masked(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks, Op op) {
  Tensor output = inputs[0];
  Tensor output_mask = masks[0];
  for (std::size_t i = 1; i < inputs.size(); ++i) {
    Tensor x = inputs[i];
    const Tensor& mask = masks[i];
    if (mask.defined()) x = where(mask, x, output);
    if (output_mask.defined()) output = where(output_mask, output, x);
    output_mask = mask.defined() && output_mask.defined() ? mask_or(output_mask, mask) : Tensor();
    output = op(output, x);
  }
  return output;
}

}  // namespace kiln
