// The architecture of Functional and Sequential models as JSON, in Keras'
// layout (get_config / from_config), and their entries in the layer
// registry, so a model used as a layer inside another is saved and rebuilt
// like any other layer.
//
// A Functional config names every tensor by [layer name, call index, output
// index]: "the second output of the first call of encoder_gru" is
// ["encoder_gru", 0, 1]. A layer appears once, with one inbound node (the
// list of its inputs) per call, so a shared layer keeps its shared weights.

#include <map>

#include "layers/registry.hpp"
#include "models/config_fields.hpp"
#include "models/functional.hpp"
#include "models/sequential.hpp"

namespace kiln {

namespace {

using json = nlohmann::json;
using namespace config_fields;

// Statics, unlike the built-in layers (layers/builtin_layers.cpp), and safe
// in a static link too: this file holds both models' get_config and
// from_config, which their vtables and load_model reference, so any program
// that has a model links this file and runs these.
const LayerRegistration<SequentialModel> sequential_registration("Sequential");

const struct FunctionalRegistration {
  FunctionalRegistration() {
    register_layer_class("Functional", [](const json& config) -> std::shared_ptr<Layer> {
      return FunctionalModel::from_config(config);
    });
  }
} functional_registration;

// Runs f(); a kiln error escaping it gets `where` in front. Shape errors
// become FormatErrors: while loading, they mean the file describes layers
// that do not fit together.
template <class F>
auto with_context(const std::string& where, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const FormatError& e) {
    throw FormatError(where + ": " + e.what());
  } catch (const ShapeError& e) {
    throw FormatError(where + ": " + e.what());
  } catch (const Error& e) {
    throw Error(where + ": " + e.what());
  }
}

// Layer names key the saved weights, so two layers of one model may not share one.
class NameClaims {
 public:
  explicit NameClaims(const Layer& model) : model_(model) {}
  // False when this owner already claimed the name.
  bool claim(const std::string& name, const void* owner) {
    const auto [it, fresh] = owners_.emplace(name, owner);
    if (!fresh && it->second != owner) {
      throw Error("save: " + model_.describe() + " has two layers named '" + name +
                  "'; the saved weights are keyed by layer name, so give them distinct names");
    }
    return fresh;
  }

 private:
  const Layer& model_;
  std::map<std::string, const void*> owners_;
};

// {"class_name", "config"}; a subclassed model inside this one has no
// config to rebuild it from unless its class was registered.
json serialize_sublayer(const Layer& layer, const Layer& model) {
  const bool graph_model = dynamic_cast<const FunctionalModel*>(&layer) || dynamic_cast<const SequentialModel*>(&layer);
  if (!graph_model && dynamic_cast<const Model*>(&layer) && !is_layer_class_registered(layer.class_name())) {
    throw Error("save: " + model.describe() + " contains the subclassed model " + layer.describe() +
                ", whose architecture is code, not config: register a factory for '" + layer.class_name() +
                "' with register_layer_class(), or save weights only (save_weights)");
  }
  return serialize_layer(layer);
}

std::string layer_where(std::size_t index, const std::string& name) {
  return "layer " + std::to_string(index) + " ('" + name + "')";
}

// --- Functional: reading the graph back ---

// [layer name, call index, output index], resolved to an entry.
struct TensorRef {
  std::size_t entry;
  std::size_t call;
  std::size_t output;
};

struct GraphEntry {
  std::string name;
  std::shared_ptr<Layer> layer;                // null for an InputLayer
  std::vector<std::vector<TensorRef>> nodes;   // the inputs of each call
  std::vector<std::vector<SymbolicTensor>> calls;  // outputs of the calls replayed so far
  std::size_t call_count = 1;                  // as the file declares them (an Input: 1)
};

class GraphReader {
 public:
  explicit GraphReader(const json& config) : config_(config) {}

  std::shared_ptr<FunctionalModel> read() {
    const std::string name = string_field(config_, "name", "the Functional config");
    const json& layers = array_field(config_, "layers", "the Functional config");
    for (std::size_t i = 0; i < layers.size(); ++i) read_entry(i, layers[i]);
    for (std::size_t i = 0; i < layers.size(); ++i) read_nodes(i, layers[i]);
    replay();
    std::vector<SymbolicTensor> inputs, outputs;
    const json& input_refs = array_field(config_, "input_layers", "the Functional config");
    for (std::size_t i = 0; i < input_refs.size(); ++i) {
      const std::string where = "input_layers[" + std::to_string(i) + "]";
      const TensorRef ref = read_ref(input_refs[i], where);
      if (entries_[ref.entry].layer) {
        throw FormatError(where + " names '" + entries_[ref.entry].name + "', which is not an InputLayer");
      }
      inputs.push_back(tensor(ref, where));
    }
    const json& output_refs = array_field(config_, "output_layers", "the Functional config");
    for (std::size_t i = 0; i < output_refs.size(); ++i) {
      const std::string where = "output_layers[" + std::to_string(i) + "]";
      outputs.push_back(tensor(read_ref(output_refs[i], where), where));
    }
    try {
      return std::make_shared<FunctionalModel>(std::move(inputs), std::move(outputs), name);
    } catch (const Error& e) {  // e.g. an output that needs an input not listed in input_layers
      throw FormatError(e.what());
    }
  }

 private:
  // Creates the layer (or the Input) of entry i; its calls come later.
  void read_entry(std::size_t i, const json& item) {
    std::string where = "layer " + std::to_string(i);
    expect_object(item, where);
    GraphEntry entry;
    entry.name = string_field(item, "name", where);
    where = layer_where(i, entry.name);
    const std::string class_name = string_field(item, "class_name", where);
    const json& config = object_field(item, "config", where);
    const std::size_t declared_calls = array_field(item, "inbound_nodes", where).size();
    if (index_.count(entry.name)) throw FormatError(where + ": a second layer named '" + entry.name + "'");
    if (class_name == "InputLayer") {
      PartialShape shape = shape_from_json(field(config, "batch_shape", where + " config"), where + " batch_shape");
      if (shape.empty()) throw FormatError(where + ": batch_shape needs at least the batch axis");
      shape.erase(shape.begin());  // Input() adds the (always unknown) batch axis itself
      entry.calls.push_back({Input(shape, entry.name)});
    } else {
      entry.layer = with_context(where, [&] { return layer_from_config(class_name, config); });
      entry.call_count = declared_calls;
      if (entry.layer->name() != entry.name) {
        throw FormatError(where + ": its config rebuilt a layer named '" + entry.layer->name() +
                          "' (a get_config() must keep the base Layer's \"name\")");
      }
    }
    index_.emplace(entry.name, entries_.size());
    entries_.push_back(std::move(entry));
  }

  void read_nodes(std::size_t i, const json& item) {
    GraphEntry& entry = entries_[i];
    const std::string where = layer_where(i, entry.name);
    const json& nodes = item.at("inbound_nodes");
    if (!entry.layer) {
      if (!nodes.empty()) throw FormatError(where + ": an InputLayer has no inbound nodes");
      return;
    }
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      const std::string node_where = where + " call " + std::to_string(n);
      if (!nodes[n].is_array() || nodes[n].empty()) {
        throw FormatError(node_where + ": an inbound node must be a non-empty list of [layer, call, output], got " +
                          nodes[n].dump());
      }
      std::vector<TensorRef> refs;
      for (const auto& r : nodes[n]) refs.push_back(read_ref(r, node_where));
      entry.nodes.push_back(std::move(refs));
    }
  }

  TensorRef read_ref(const json& r, const std::string& where) const {
    if (!r.is_array() || r.size() != 3 || !r[0].is_string()) {
      throw FormatError(where + ": a tensor is named [layer name, call index, output index], got " + r.dump());
    }
    const std::string name = r[0].get<std::string>();
    const auto found = index_.find(name);
    if (found == index_.end()) throw FormatError(where + ": refers to layer '" + name + "', which is not in the model");
    const TensorRef ref{found->second, index_value(r[1], where + ": call index"),
                        index_value(r[2], where + ": output index")};
    const std::size_t calls = entries_[ref.entry].call_count;
    if (ref.call >= calls) {
      throw FormatError(where + ": refers to call " + std::to_string(ref.call) + " of '" + name + "', which has " +
                        std::to_string(calls) + " call" + (calls == 1 ? "" : "s"));
    }
    return ref;
  }

  bool available(const TensorRef& ref) const { return ref.call < entries_[ref.entry].calls.size(); }

  SymbolicTensor tensor(const TensorRef& ref, const std::string& where) const {
    const GraphEntry& from = entries_[ref.entry];
    const auto& outputs = from.calls.at(ref.call);
    if (ref.output >= outputs.size()) {
      throw FormatError(where + ": takes output " + std::to_string(ref.output) + " of '" + from.name + "' call " +
                        std::to_string(ref.call) + ", which returns " + std::to_string(outputs.size()));
    }
    return outputs[ref.output];
  }

  // Calls each layer on its inputs as soon as they exist, a layer's calls in
  // their order (the first call builds it, as it built the saved one).
  void replay() {
    for (bool progress = true; progress;) {
      progress = false;
      for (std::size_t i = 0; i < entries_.size(); ++i) {
        GraphEntry& entry = entries_[i];
        while (entry.layer && entry.calls.size() < entry.nodes.size() && ready(entry.nodes[entry.calls.size()])) {
          const std::string where = layer_where(i, entry.name) + " call " + std::to_string(entry.calls.size());
          std::vector<SymbolicTensor> args;
          for (const auto& ref : entry.nodes[entry.calls.size()]) args.push_back(tensor(ref, where));
          entry.calls.push_back(with_context(where, [&] { return std::vector<SymbolicTensor>((*entry.layer)(args)); }));
          progress = true;
        }
      }
    }
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      const GraphEntry& entry = entries_[i];
      if (entry.layer && entry.calls.size() < entry.nodes.size()) {
        throw FormatError(layer_where(i, entry.name) + " call " + std::to_string(entry.calls.size()) +
                          " waits for inputs that no call produces (the graph has a cycle)");
      }
    }
  }

  bool ready(const std::vector<TensorRef>& refs) const {
    for (const auto& ref : refs) {
      if (!available(ref)) return false;
    }
    return true;
  }

  const json& config_;
  std::vector<GraphEntry> entries_;
  std::map<std::string, std::size_t> index_;
};

}  // namespace

// --- Functional ---

json FunctionalModel::get_config() const {
  // Each node is named by its layer and which of that layer's calls it is.
  std::map<const SymbolicNode*, std::pair<std::string, std::size_t>> node_ids;
  std::map<const Layer*, std::size_t> call_counts;
  for (const auto& in : inputs_) node_ids[in.node().get()] = {in.node()->input_name, 0};
  for (const auto& node : nodes_) node_ids[node.get()] = {node->layer->name(), call_counts[node->layer.get()]++};
  const auto ref = [&](const SymbolicTensor& t) {
    const auto& [name, call] = node_ids.at(t.node().get());
    return json::array({name, call, t.output_index()});
  };

  NameClaims names(*this);
  json layers = json::array(), input_layers = json::array(), output_layers = json::array();
  for (const auto& in : inputs_) {
    input_layers.push_back(ref(in));
    const std::string& name = in.node()->input_name;
    if (!names.claim(name, in.node().get())) continue;  // the same Input listed twice
    layers.push_back({{"class_name", "InputLayer"},
                      {"config", {{"batch_shape", shape_to_json(in.shape())}, {"name", name}}},
                      {"name", name},
                      {"inbound_nodes", json::array()}});
  }
  std::map<const Layer*, std::size_t> entry_of;  // a shared layer: one entry, one node per call
  for (const auto& node : nodes_) {
    const Layer& layer = *node->layer;
    auto entry = entry_of.find(&layer);
    if (entry == entry_of.end()) {
      names.claim(layer.name(), &layer);
      json item = serialize_sublayer(layer, *this);
      item["name"] = layer.name();
      item["inbound_nodes"] = json::array();
      entry = entry_of.emplace(&layer, layers.size()).first;
      layers.push_back(std::move(item));
    }
    json inbound = json::array();
    for (const auto& t : node->inputs) inbound.push_back(ref(t));
    layers[entry->second]["inbound_nodes"].push_back(std::move(inbound));
  }
  for (const auto& out : outputs_) output_layers.push_back(ref(out));

  json config = Layer::get_config();
  config["layers"] = std::move(layers);
  config["input_layers"] = std::move(input_layers);
  config["output_layers"] = std::move(output_layers);
  return config;
}

std::shared_ptr<FunctionalModel> FunctionalModel::from_config(const json& config) {
  expect_object(config, "the Functional config");
  return GraphReader(config).read();
}

// --- Sequential ---

json SequentialModel::get_config() const {
  NameClaims names(*this);
  json layers = json::array();
  for (const auto& layer : this->layers()) {
    names.claim(layer->name(), layer.get());
    layers.push_back(serialize_sublayer(*layer, *this));
  }
  json config = Layer::get_config();
  if (!input_shape_.empty()) {  // without the batch axis, as Options::input_shape takes it
    config["input_shape"] = shape_to_json(PartialShape(input_shape_.begin() + 1, input_shape_.end()));
  }
  config["layers"] = std::move(layers);
  return config;
}

SequentialModel::Options SequentialModel::options_from_config(const json& config) {
  const std::string where = "the Sequential config";
  Options o;
  o.name = string_field(config, "name", where);
  if (config.contains("input_shape")) {
    o.input_shape = shape_from_json(config.at("input_shape"), where + ": input_shape");
  }
  const json& layers = array_field(config, "layers", where);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::string at = "layer " + std::to_string(i);
    expect_object(layers[i], at);
    const std::string class_name = string_field(layers[i], "class_name", at);
    const json& layer_config = object_field(layers[i], "config", at);
    if (layer_config.contains("name") && layer_config.at("name").is_string()) {
      at = layer_where(i, layer_config.at("name").get<std::string>());
    }
    o.layers.push_back(with_context(at, [&] { return layer_from_config(class_name, layer_config); }));
  }
  return o;
}

}  // namespace kiln
