#include "models/functional.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "models/summary_table.hpp"

namespace kiln {

namespace {

using NodePtr = std::shared_ptr<const SymbolicNode>;

// Post-order walk from the outputs: every node comes after the nodes that
// feed it. Iterative, so a long unrolled graph cannot overflow the stack.
std::vector<NodePtr> topological_order(const std::vector<SymbolicTensor>& outputs) {
  std::vector<NodePtr> order;
  std::set<const SymbolicNode*> done, entered;
  std::vector<std::pair<NodePtr, bool>> stack;  // (node, children pushed)
  for (auto it = outputs.rbegin(); it != outputs.rend(); ++it) stack.emplace_back(it->node(), false);
  while (!stack.empty()) {
    auto [node, expanded] = stack.back();
    stack.pop_back();
    if (done.count(node.get())) continue;
    if (expanded) {
      done.insert(node.get());
      order.push_back(node);
      continue;
    }
    if (entered.count(node.get())) throw Error("functional model: the graph of layer calls has a cycle");
    entered.insert(node.get());
    stack.emplace_back(node, true);
    for (auto in = node->inputs.rbegin(); in != node->inputs.rend(); ++in) {
      if (!done.count(in->node().get())) stack.emplace_back(in->node(), false);
    }
  }
  return order;
}

}  // namespace

std::vector<std::string> FunctionalModel::output_names() const {
  std::vector<std::string> names;
  for (const SymbolicTensor& out : outputs_) {
    const auto& node = *out.node();
    std::string name = node.is_input() ? node.input_name : node.layer->name();
    std::size_t produced = node.is_input() ? 1 : node.output_shapes.size();
    if (produced > 1) name += "_" + std::to_string(out.output_index());
    names.push_back(std::move(name));
  }
  return names;
}

FunctionalModel::FunctionalModel(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs,
                                 std::string name)
    : Model("Functional", name.empty() ? std::string() : std::move(name)),
      inputs_(std::move(inputs)),
      outputs_(std::move(outputs)) {
  if (inputs_.empty() || outputs_.empty()) throw Error(describe() + ": needs at least one input and one output");
  for (const auto& in : inputs_) {
    if (!in.node() || !in.node()->is_input()) {
      throw Error(describe() + ": every input must come from Input(); '" + (in.node() ? in.describe() : "?") +
                  "' is a layer output");
    }
  }
  for (const auto& node : topological_order(outputs_)) {
    if (node->is_input()) {
      const bool declared = std::any_of(inputs_.begin(), inputs_.end(),
                                        [&](const SymbolicTensor& in) { return in.node() == node; });
      if (!declared) {
        throw Error(describe() + ": the outputs depend on input '" + node->input_name +
                    "', which is not among the model's inputs");
      }
      continue;
    }
    nodes_.push_back(node);
    const bool seen = std::any_of(layers().begin(), layers().end(),
                                  [&](const std::shared_ptr<Layer>& l) { return l == node->layer; });
    if (!seen) track(node->layer);  // a shared layer is tracked (and saved) once
  }
  std::vector<PartialShape> shapes;
  for (const auto& in : inputs_) shapes.push_back(in.shape());
  build_for(shapes);
}

void FunctionalModel::validate_inputs(const std::vector<PartialShape>& shapes) const {
  if (shapes.size() != inputs_.size()) {
    fail("expected " + std::to_string(inputs_.size()) + " inputs, got " + std::to_string(shapes.size()));
  }
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const auto& want = inputs_[i].shape();
    if (!compatible(want, shapes[i])) {
      fail("input '" + inputs_[i].describe() + "' expects " + to_string(want) + ", got " + to_string(shapes[i]));
    }
  }
}

std::vector<Tensor> FunctionalModel::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  std::vector<PartialShape> shapes;
  for (const auto& t : inputs) shapes.push_back(partial_shape_of(t.shape()));
  validate_inputs(shapes);  // every call: a built model still checks time/feature sizes

  // Each (node, output index) holds its tensor, and the tensor its own mask
  // (Tensor::mask()), as each layer call attached it: every layer receives
  // the masks of exactly the tensors it is called on.
  std::map<const SymbolicNode*, std::vector<Tensor>> values;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Array* given = context.mask(i);
    values[inputs_[i].node().get()] = {given ? inputs[i].with_mask(std::make_shared<const Array>(*given)) : inputs[i]};
  }
  for (const auto& node : nodes_) {
    std::vector<Tensor> args;
    for (const auto& in : node->inputs) args.push_back(values.at(in.node().get()).at(in.output_index()));
    values[node.get()] = (*node->layer)(args, CallContext{.training = context.training});
  }
  std::vector<Tensor> results;
  for (const auto& o : outputs_) results.push_back(values.at(o.node().get()).at(o.output_index()));
  return results;
}

std::vector<PartialShape> FunctionalModel::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  std::map<const SymbolicNode*, std::vector<PartialShape>> known;
  for (std::size_t i = 0; i < inputs_.size(); ++i) known[inputs_[i].node().get()] = {shapes.at(i)};
  for (const auto& node : nodes_) {
    std::vector<PartialShape> in;
    for (const auto& t : node->inputs) in.push_back(known.at(t.node().get()).at(t.output_index()));
    known[node.get()] = node->layer->compute_output_shape(in);
  }
  std::vector<PartialShape> out;
  for (const auto& o : outputs_) out.push_back(known.at(o.node().get()).at(o.output_index()));
  return out;
}

std::size_t FunctionalModel::print_layers(std::ostream& out) const {
  SummaryTable table({"Layer (type)", "Output Shape", "Param #", "Connected to"}, {31, 26, 11, 30});
  for (const auto& in : inputs_) {
    table.add_row({in.describe() + " (InputLayer)", "[" + to_string(in.shape()) + "]", "0", "[]"});
  }
  // One row per layer; a shared layer lists the inputs of all its calls.
  std::vector<const Layer*> printed;
  for (const auto& node : nodes_) {
    const Layer* layer = node->layer.get();
    if (std::find(printed.begin(), printed.end(), layer) != printed.end()) continue;
    printed.push_back(layer);
    std::vector<std::string> shapes, inbound;
    for (const auto& s : node->output_shapes) shapes.push_back(to_string(s));
    for (const auto& other : nodes_) {
      if (other->layer.get() != layer) continue;
      for (const auto& in : other->inputs) {
        inbound.push_back("'" + (in.node()->is_input() ? in.node()->input_name : in.node()->layer->name()) + "[0][" +
                          std::to_string(in.output_index()) + "]'");
      }
    }
    table.add_row({layer->name() + " (" + layer->class_name() + ")", "[" + join_cells(shapes) + "]",
                          std::to_string(layer->count_params()), "[" + join_cells(inbound) + "]"});
  }
  return table.print(out);
}

}  // namespace kiln
