#pragma once
// Symbolic tensors: what a layer returns when called on Input()s. They carry
// a shape (batch, and maybe time, unknown) and the layer call that produces
// them, so a functional Model can replay the calls on real data later.

#include <memory>
#include <string>
#include <vector>

#include "layers/partial_shape.hpp"

namespace kiln {

class Layer;
struct SymbolicNode;

class SymbolicTensor {
 public:
  SymbolicTensor() = default;  // empty; filled by assignment (unpack)
  SymbolicTensor(PartialShape shape, std::shared_ptr<const SymbolicNode> node, std::size_t output_index);

  const PartialShape& shape() const { return shape_; }
  const std::shared_ptr<const SymbolicNode>& node() const { return node_; }
  std::size_t output_index() const { return output_index_; }
  bool same_as(const SymbolicTensor& other) const {
    return node_ == other.node_ && output_index_ == other.output_index_;
  }
  // "encoder_inputs" for an Input, "encoder_gru[0]" for a layer's output.
  std::string describe() const;

 private:
  PartialShape shape_;
  std::shared_ptr<const SymbolicNode> node_;
  std::size_t output_index_ = 0;
};

// One call of a layer on symbolic inputs: an edge of the functional graph.
// An Input is a node with no layer and no inputs.
struct SymbolicNode {
  std::shared_ptr<Layer> layer;
  std::vector<SymbolicTensor> inputs;
  std::vector<PartialShape> output_shapes;
  std::string input_name;  // set for Input nodes only
  bool is_input() const { return layer == nullptr; }
};

// A model input of the given shape, batch excluded (as in keras.Input):
// Input({20, 229}) is (None, 20, 229); Input({unknown_dim, 229}) accepts any
// sequence length. Unnamed inputs are called "input", "input_1", ...
SymbolicTensor Input(PartialShape shape, std::string name = {});

}  // namespace kiln
