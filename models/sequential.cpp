#include "models/sequential.hpp"

#include "models/summary_table.hpp"

namespace kiln {

SequentialModel::SequentialModel(Options options) : Model("Sequential", options.name) {
  if (!options.input_shape.empty()) {
    input_shape_ = {unknown_dim};
    input_shape_.insert(input_shape_.end(), options.input_shape.begin(), options.input_shape.end());
    input_shape_declared_ = true;
  }
  for (auto& layer : options.layers) add(std::move(layer));
}

void SequentialModel::add(std::shared_ptr<Layer> layer) {
  if (!layer) throw Error(describe() + ": add() got a null layer");
  if (!input_shape_.empty()) {
    const PartialShape in = compute_output_shape({input_shape_}).front();
    layer->build_for({in});
    const auto out = layer->compute_output_shape({in});
    if (out.size() != 1) {
      fail("layer '" + layer->name() + "' returns " + std::to_string(out.size()) +
           " outputs; every layer of a Sequential model must return one");
    }
  }
  track(std::move(layer));
}

void SequentialModel::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(a Sequential model takes one input)");
  // A declared shape is a contract. One inferred from the first call is not:
  // later calls may change the other axes (a longer sequence), as Keras
  // relaxes it, and the layers still check the feature sizes they were built for.
  if (input_shape_declared_ && !compatible(input_shape_, shapes[0])) {
    fail("expected input " + to_string(input_shape_) + ", got " + to_string(shapes[0]));
  }
}

void SequentialModel::build(const std::vector<PartialShape>& shapes) {
  const bool inferred = input_shape_.empty();
  if (inferred) {
    input_shape_ = shapes[0];
    input_shape_[0] = unknown_dim;
  }
  // Building the stack builds every layer, as in Keras, so its weights exist
  // as soon as the stack is built (e.g. called symbolically in a functional
  // model), before any data: get_weights, set_weights and summary see them.
  PartialShape shape = input_shape_;
  for (const auto& layer : layers()) {
    layer->build_for({shape});
    shape = layer->compute_output_shape({shape}).at(0);
  }
  if (!inferred) return;
  // The first call's sizes are not a contract: a dimension the layers accept
  // one larger (the time axis of an Embedding or an LSTM) becomes unknown;
  // one they refuse so (a Dense's features, the steps a Flatten feeds to a
  // Dense) stays. So summary() and a saved model state what the model needs.
  const PartialShape seen = input_shape_;
  for (std::size_t d = 1; d < seen.size(); ++d) {
    if (seen[d] == unknown_dim) continue;
    PartialShape larger = seen;
    larger[d] += 1;
    if (accepts(larger)) input_shape_[d] = unknown_dim;
  }
}

bool SequentialModel::accepts(PartialShape shape) const {
  try {
    for (const auto& layer : layers()) {
      layer->build_for({shape});  // built already: only validates and checks compatibility
      shape = layer->compute_output_shape({shape}).at(0);
    }
  } catch (const Error&) {
    return false;
  }
  return true;
}

void SequentialModel::check_compatible(const std::vector<PartialShape>& shapes) const {
  if (!compatible(input_shape_, shapes.at(0))) {
    fail("expected input " + to_string(input_shape_) + ", got " + to_string(shapes[0]));
  }
}

std::vector<PartialShape> SequentialModel::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  PartialShape shape = shapes.at(0);
  for (const auto& layer : layers()) shape = layer->compute_output_shape({shape}).at(0);
  return {shape};
}

std::vector<Tensor> SequentialModel::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  if (layers().empty()) fail("has no layers; add() some before calling it");
  // Masks travel with the tensors (Tensor::mask()): each layer's call
  // attaches its output's.
  Tensor x = context.mask(0) ? inputs[0].with_mask(std::make_shared<const Array>(*context.mask(0))) : inputs[0];
  for (const auto& layer : layers()) {
    auto outputs = (*layer)(std::vector<Tensor>{x}, CallContext{.training = context.training});
    if (outputs.size() != 1) {
      fail("layer '" + layer->name() + "' returned " + std::to_string(outputs.size()) +
           " outputs; every layer of a Sequential model must return one");
    }
    x = outputs[0];
  }
  return {x};
}

std::size_t SequentialModel::print_layers(std::ostream& out) const {
  SummaryTable table({"Layer (type)", "Output Shape", "Param #"}, {33, 27, 12});
  PartialShape shape = input_shape_;
  for (const auto& layer : layers()) {
    std::string shown = "?";
    if (!shape.empty()) {
      shape = layer->compute_output_shape({shape}).at(0);
      shown = to_string(shape);
    }
    table.add_row({layer->name() + " (" + layer->class_name() + ")", shown, std::to_string(layer->count_params())});
  }
  return table.print(out);
}

std::vector<std::string> SequentialModel::output_names() const {
  return {layers().empty() ? std::string("output_1") : layers().back()->name()};
}

}  // namespace kiln
