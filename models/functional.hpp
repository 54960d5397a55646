#pragma once
// A model defined by calling layers on symbolic Input()s, as
// keras.Model(inputs, outputs). The graph of layer calls is recorded when
// the layers are called; the model replays it on real tensors.

#include "models/model.hpp"

namespace kiln {

class FunctionalModel : public Model {
 public:
  FunctionalModel(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs, std::string name = {});

  const std::vector<SymbolicTensor>& inputs() const { return inputs_; }
  const std::vector<SymbolicTensor>& outputs() const { return outputs_; }
  // The output layers' names; a layer giving several outputs adds "_<index>".
  std::vector<std::string> output_names() const override;
  // The layer calls in execution order.
  const std::vector<std::shared_ptr<const SymbolicNode>>& nodes() const { return nodes_; }

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

  // The graph as Keras writes it (layers with their inbound nodes, input and
  // output layers), and the model rebuilt from it; see models/model_config.cpp.
  nlohmann::json get_config() const override;
  static std::shared_ptr<FunctionalModel> from_config(const nlohmann::json& config);

 protected:
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  std::size_t print_layers(std::ostream& out) const override;

 private:
  std::vector<SymbolicTensor> inputs_, outputs_;
  std::vector<std::shared_ptr<const SymbolicNode>> nodes_;
};

// The handle users hold: Functional model({encoder_inputs, decoder_inputs}, {predictions}, "seq2seq");
class Functional {
 public:
  Functional(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs, std::string name = {})
      : model_(std::make_shared<FunctionalModel>(std::move(inputs), std::move(outputs), std::move(name))) {}
  FunctionalModel* operator->() const { return model_.get(); }
  FunctionalModel& operator*() const { return *model_; }
  const std::shared_ptr<FunctionalModel>& ptr() const { return model_; }
  operator std::shared_ptr<Layer>() const { return model_; }

  Outputs<Tensor> operator()(const std::vector<Tensor>& xs, const CallContext& c = {}) const { return (*model_)(xs, c); }
  Outputs<Tensor> operator()(const Tensor& x, const CallContext& c = {}) const { return (*model_)(x, c); }
  Outputs<SymbolicTensor> operator()(const std::vector<SymbolicTensor>& xs) const { return (*model_)(xs); }
  Outputs<SymbolicTensor> operator()(const SymbolicTensor& x) const { return (*model_)(x); }

 private:
  std::shared_ptr<FunctionalModel> model_;
};

}  // namespace kiln
