#include "models/model.hpp"

#include <iostream>

#include "models/summary_table.hpp"

namespace kiln {

namespace {

// 1234567 -> "1,234,567", as Keras prints parameter counts.
std::string with_thousands(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::size_t count(const std::vector<Tensor>& tensors) {
  std::size_t n = 0;
  for (const auto& t : tensors) n += t.size();
  return n;
}

}  // namespace

Model::Model(std::string class_name, std::string name) : Layer(std::move(class_name), std::move(name)) {}

std::vector<std::pair<std::string, Tensor>> Model::named_weights() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const auto& layer : layers()) {
    // A model nested in this one keeps its name, as Keras groups its weights
    // under it: two nested blocks with same-named layers do not collide.
    const std::string prefix = dynamic_cast<const Model*>(layer.get()) ? layer->name() + "/" : "";
    for (auto& [path, t] : layer->named_weights()) out.emplace_back(prefix + path, t);
  }
  return out;
}

std::vector<std::pair<std::string, std::mt19937_64*>> Model::named_generators() const {
  std::vector<std::pair<std::string, std::mt19937_64*>> out;
  for (const auto& layer : layers()) {
    const std::string prefix = dynamic_cast<const Model*>(layer.get()) ? layer->name() + "/" : "";  // as named_weights
    for (auto& [path, g] : layer->named_generators()) out.emplace_back(prefix + path, g);
  }
  return out;
}

std::vector<PartialShape> Model::compute_output_shape(const std::vector<PartialShape>&) const {
  fail("a subclassed model has no symbolic output shape; call it on tensors instead");
}

std::size_t Model::print_layers(std::ostream& out) const {
  SummaryTable table({"Layer (type)", "Output Shape", "Param #"}, {33, 27, 12});
  for (const auto& layer : layers()) {
    std::string shape = "?";
    if (layer->built() && !layer->built_input_shapes().empty()) {
      auto in = layer->built_input_shapes();
      for (auto& s : in) {
        if (!s.empty()) s[0] = unknown_dim;
      }
      try {
        std::vector<std::string> shapes;
        for (const auto& s : layer->compute_output_shape(in)) shapes.push_back(to_string(s));
        shape = shapes.size() == 1 ? shapes[0] : "[" + join_cells(shapes) + "]";
      } catch (const Error&) {
        shape = "multiple";
      }
    }
    table.add_row({layer->name() + " (" + layer->class_name() + ")", shape, std::to_string(layer->count_params())});
  }
  return table.print(out);
}

void Model::summary(std::ostream& out) const {
  out << "Model: \"" << name() << "\"\n";
  const std::size_t width = print_layers(out);
  const std::size_t total = count_params();
  const std::size_t trainable = count(trainable_weights());
  out << std::string(width, '=') << "\n";
  out << "Total params: " << with_thousands(total) << "\n";
  out << "Trainable params: " << with_thousands(trainable) << "\n";
  out << "Non-trainable params: " << with_thousands(total - trainable) << "\n";
  out << std::string(width, '_') << "\n";
}

void Model::summary() const { summary(std::cout); }

}  // namespace kiln
