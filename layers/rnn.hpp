#pragma once
// RNN: Keras' generic recurrent layer, stepping any cell (layers/rnn_cell.hpp)
// over a sequence: SimpleRNNCell, GRUCell, LSTMCell or a user's own.
//   RNN rnn({.cell = GRUCell({.units = 8}), .return_sequences = true, .return_state = true});
//   auto [sequence, h] = rnn(x).unpack<2>();
// Inputs:  [x] or [x, initial states...]; x is (batch, time, features), state
//          k (batch, cell.state_sizes()[k]); missing states start at zeros.
// Outputs: [output] or, with return_state, [output, final states...]; output
//          is (batch, time, output_size) with return_sequences, else the last
//          step's (batch, output_size).
// Masks, go_backwards and zero_output_for_mask as Keras (layers/step_loop.hpp):
// a masked step keeps the states and repeats the previous output; with
// go_backwards the output sequence is in processing order. The cell's
// dropout masks are drawn once per call. GRU, LSTM and SimpleRNN compute the
// same as RNN of their cells, fused.

#include <memory>
#include <string>

#include "layers/layer_config.hpp"
#include "layers/rnn_cell.hpp"

namespace kiln {

struct RNNOptions {
  std::shared_ptr<Layer> cell;  // an RNNCell
  bool return_sequences = false;
  bool return_state = false;
  bool go_backwards = false;
  bool zero_output_for_mask = false;
  std::string name = {};
  static constexpr auto fields() {
    return std::tuple{config::field("cell", &RNNOptions::cell),
                      config::field("return_sequences", &RNNOptions::return_sequences),
                      config::field("return_state", &RNNOptions::return_state),
                      config::field("go_backwards", &RNNOptions::go_backwards),
                      config::field("zero_output_for_mask", &RNNOptions::zero_output_for_mask)};
  }
};

class RNNLayer : public KerasLayer<RNNLayer, RNNOptions> {
 public:
  static constexpr const char* keras_name = "RNN";
  // Throws kiln::Error unless options.cell is an RNNCell.
  explicit RNNLayer(Options options);

  const std::shared_ptr<RNNCell>& cell() const { return cell_; }

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  // With return_sequences the sequence's mask for the output, else none.
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // the features only
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  std::shared_ptr<RNNCell> cell_;
};

using RNN = LayerHandle<RNNLayer>;

}  // namespace kiln
