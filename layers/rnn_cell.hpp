#pragma once
// RNNCell: one step of a recurrence, the interface RNN (layers/rnn.hpp)
// steps through a sequence. Keras' cell contract in C++: a cell is a layer
// with a state size per carried state and a call(input, states) that returns
// (output, new_states). SimpleRNNCell, GRUCell and LSTMCell are cells; so is
// a user's own:
//
//   class MinimalCell : public RNNCell {          // h_t = tanh(x W + h U)
//    public:
//     MinimalCell(std::size_t units) : RNNCell("MinimalCell", ""), units_(units) {}
//     std::vector<std::size_t> state_sizes() const override { return {units_}; }
//     CellStep step(const Tensor& x, const std::vector<Tensor>& states, bool) override {
//       Tensor h = tanh(matmul(x, w_) + matmul(states[0], u_));
//       return {h, {h}};
//     }
//    protected:
//     void build(const std::vector<PartialShape>& shapes) override {   // shapes[0] = (batch, features)
//       w_ = add_weight("kernel", {known_last_dim(shapes[0]), units_}, initializers::glorot_uniform());
//       u_ = add_weight("recurrent_kernel", {units_, units_}, initializers::orthogonal());
//     }
//    private:
//     std::size_t units_;
//     Tensor w_, u_;
//   };
//   RNN rnn({.cell = std::make_shared<MinimalCell>(8), .return_sequences = true});
//
// state_sizes(), build() and step() are all a cell needs (tests/test_rnn_cells.cpp
// has one with two states and its own output size); a cell with dropout draws
// its masks in begin_sequence() (layers/recurrent_dropout.hpp).
//
// To be saved and loaded, a cell also needs a config and a registered class
// (layers/registry.hpp), as any user layer. Called directly as a layer, a
// cell takes [x] or [x, states...] (missing states are zeros) and returns
// [output, new states...].

#include <vector>

#include "layers/layer.hpp"

namespace kiln {

// The weights of the built-in cells, as Keras lays them out: kernel
// (features, G units), recurrent_kernel (units, G units), bias (G units) or
// (2, G units) for GRU's reset_after, undefined without use_bias.
struct CellWeights {
  Tensor kernel, recurrent_kernel, bias;
};

// Throws kiln::Error "<who>: unknown activation ..." unless `activation`
// is a Keras activation name (layers/activation.hpp).
void check_cell_activation(const std::string& who, const std::string& activation);

// What one step produced.
struct CellStep {
  Tensor output;              // (batch, output_size())
  std::vector<Tensor> states; // one per state_sizes() entry, (batch, size)
};

class RNNCell : public Layer {
 public:
  RNNCell(std::string class_name, std::string name);

  // The sizes of the carried states, in order (Keras' state_size).
  virtual std::vector<std::size_t> state_sizes() const = 0;
  // The size of a step's output (Keras' output_size): the first state's by default.
  virtual std::size_t output_size() const;

  // Called before the first step of every sequence (Keras' RNN resets the
  // cell's dropout masks there): a cell with dropout draws the sequence's
  // masks. Nothing by default.
  virtual void begin_sequence(std::size_t batch, std::size_t features, bool training);

  // One step on input (batch, features) and the states; the cell is built.
  virtual CellStep step(const Tensor& input, const std::vector<Tensor>& states, bool training) = 0;

  // [(batch, features), states...] -> [(batch, output_size()), states...]
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  // [x] or [x, one tensor per state]; x (batch, features), state k (batch, state_sizes()[k]).
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  // Only the input's feature size is fixed by the weights: a cell built on
  // [x] may later be given its states too.
  void check_compatible(const std::vector<PartialShape>& shapes) const override;
  // One sequence of one step: begin_sequence, then step.
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
};

}  // namespace kiln
