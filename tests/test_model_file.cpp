// Whole models on disk: save_model writes the architecture (model.json) beside
// the weights (weights.safetensors); load_model rebuilds the same layers,
// names, graph and weights, so the loaded model predicts exactly as the saved
// one. Damaged files, unknown classes and subclassed models fail plainly.

#include <atomic>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "io/atomic_file.hpp"
#include "layers/activation_layer.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/registry.hpp"
#include "models/model_file.hpp"
#include "models/sequential.hpp"
#include "ops/arithmetic.hpp"
#include "seed_model.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"

// Checks that `text` contains `part`, showing the whole text when not.
#define CHECK_CONTAINS(text, part)                              \
  do {                                                          \
    const std::string check_contains_text = (text);             \
    INFO("message: " << check_contains_text);                   \
    CHECK(check_contains_text.find(part) != std::string::npos); \
  } while (0)

using namespace kiln;
using kiln::testing::random_array;
using json = nlohmann::json;
using kiln::testing::ScratchDir;
namespace fs = std::filesystem;

namespace {

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

json read_json(const fs::path& path) { return json::parse(io::read_file(path)); }

void write_json(const fs::path& path, const json& value) { io::write_file_atomically(path, value.dump(2)); }

std::vector<Array> run(Layer& model, const std::vector<Array>& xs) {
  std::vector<Tensor> inputs;
  for (const auto& x : xs) inputs.emplace_back(x);
  std::vector<Array> out;
  for (const auto& t : model(inputs)) out.push_back(t.value());
  return out;
}

std::vector<std::string> weight_names(const Layer& model) {
  std::vector<std::string> names;
  for (const auto& [name, t] : model.named_weights()) names.push_back(name);
  return names;
}

// A user layer with a weight: y = x * scale, scale (features) starting at ones.
class LearnedScaleLayer : public Layer {
 public:
  struct Options {
    std::string initializer = "ones";
    std::string name = {};
  };
  explicit LearnedScaleLayer(Options options) : Layer("LearnedScale", options.name), options_(std::move(options)) {}
  static Options options_from_config(const json& config) {
    return {.initializer = config.value("initializer", std::string("ones")),
            .name = config.value("name", std::string())};
  }
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override {
    return {shapes.at(0)};
  }
  json get_config() const override {
    json config = Layer::get_config();
    config["initializer"] = options_.initializer;
    return config;
  }
  Tensor scale() const { return scale_; }

 protected:
  void build(const std::vector<PartialShape>& shapes) override {
    scale_ = add_weight("scale", {known_last_dim(shapes[0])}, initializers::by_name(options_.initializer));
  }
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext&) override {
    return {inputs[0] * scale_};
  }

 private:
  Options options_;
  Tensor scale_;
};

const LayerRegistration<LearnedScaleLayer> learned_scale_registration("LearnedScale");

// A subclassed model: its architecture is this code.
class TwoDenseNet : public Model {
 public:
  TwoDenseNet() : Model("TwoDenseNet", "two_dense_net") {
    track(first_.ptr());
    track(second_.ptr());
  }

 protected:
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext&) override {
    return {second_(first_(inputs[0]))};
  }

 private:
  Dense first_{{.units = 3}};
  Dense second_{{.units = 2}};
};

Sequential small_classifier() {
  Sequential model({.layers = {Dense({.units = 8, .activation = "relu", .name = "hidden"}),
                               Dropout({.rate = 0.5f, .seed = 11, .name = "drop"}),
                               Activation({.activation = "tanh", .name = "squash"}),
                               Dense({.units = 3, .activation = "softmax", .name = "out"})},
                    .input_shape = {5},
                    .name = "classifier"});
  return model;
}

// Two inputs, a Dense shared by both, the encoder GRU's state starting the
// decoder GRU, attention's two outputs, Concatenate and TimeDistributed(Dense):
// the seed NMT model's graph at small sizes, plus a shared layer.
Functional small_translator() {
  auto encoder_inputs = Input({5, 4}, "encoder_inputs");
  auto decoder_inputs = Input({3, 4}, "decoder_inputs");
  Dense shared({.units = 6, .activation = "tanh", .name = "shared_proj"});
  GRU encoder_gru({.units = 7, .return_sequences = true, .return_state = true, .name = "encoder_gru"});
  GRU decoder_gru({.units = 7, .return_sequences = true, .return_state = true, .name = "decoder_gru"});
  BahdanauAttention attention({.name = "attention_layer"});
  Concatenate concat({.axis = -1, .name = "concat_layer"});
  TimeDistributed head({.layer = Dense({.units = 9, .activation = "softmax", .name = "softmax_layer"}),
                        .name = "time_distributed_layer"});
  auto [encoder_out, encoder_state] = encoder_gru(shared(encoder_inputs)).unpack<2>();
  auto [decoder_out, decoder_state] = decoder_gru({shared(decoder_inputs), encoder_state}).unpack<2>();
  auto [context, weights] = attention({encoder_out, decoder_out}).unpack<2>();
  SymbolicTensor prediction = head(concat({decoder_out, context}));
  return Functional({encoder_inputs, decoder_inputs}, {prediction, weights}, "translator");
}

// Saves the classifier into `dir`, applies `damage` to its model.json and
// returns the message load_model then throws as a FormatError.
template <class F>
std::string load_error_after(const ScratchDir& dir, F damage) {
  save_model(*small_classifier(), dir.path);
  json file = read_json(dir / "model.json");
  damage(file);
  write_json(dir / "model.json", file);
  try {
    load_model(dir.path);
  } catch (const FormatError& e) {
    return e.what();
  }
  FAIL("load_model did not throw a FormatError");
  return {};
}

}  // namespace

TEST_CASE("a Sequential model saved and loaded predicts exactly what it did") {
  ScratchDir dir("model_file");
  Sequential model = small_classifier();
  model->sublayers()[0]->set_trainable(false);
  const Array x = random_array({4, 5}, 1);
  const auto expected = run(*model, {x});
  save_model(*model, dir.path);

  auto loaded = std::dynamic_pointer_cast<SequentialModel>(load_model(dir.path));
  REQUIRE(loaded);
  CHECK(loaded.get() != model.ptr().get());
  CHECK(loaded->name() == "classifier");
  CHECK(loaded->input_shape() == PartialShape{unknown_dim, 5});
  REQUIRE(loaded->sublayers().size() == 4);
  const std::vector<std::pair<std::string, std::string>> layers = {
      {"hidden", "Dense"}, {"drop", "Dropout"}, {"squash", "Activation"}, {"out", "Dense"}};
  for (std::size_t i = 0; i < layers.size(); ++i) {
    CHECK(loaded->sublayers()[i]->name() == layers[i].first);
    CHECK(loaded->sublayers()[i]->class_name() == layers[i].second);
    CHECK(loaded->sublayers()[i]->get_config() == model->sublayers()[i]->get_config());
  }
  CHECK_FALSE(loaded->sublayers()[0]->trainable());
  CHECK(weight_names(*loaded) == std::vector<std::string>{"hidden/kernel", "hidden/bias", "out/kernel", "out/bias"});
  CHECK_ARRAY_NEAR(run(*loaded, {x})[0], expected[0], 0.0);
}

TEST_CASE("model.json holds the format, the class and the Sequential config, Keras-style") {
  ScratchDir dir("model_file");
  save_model(*small_classifier(), dir.path);
  const json file = read_json(dir / "model.json");
  CHECK(file["format"] == "kiln-model");
  CHECK(file["version"] == 1);
  CHECK(file["class_name"] == "Sequential");
  const json& config = file["config"];
  CHECK(config["name"] == "classifier");
  CHECK(config["input_shape"] == json::array({5}));
  REQUIRE(config["layers"].size() == 4);
  CHECK(config["layers"][1]["class_name"] == "Dropout");
  CHECK(config["layers"][1]["config"]["name"] == "drop");
  CHECK(config["layers"][1]["config"]["rate"].get<float>() == 0.5f);
  CHECK(config["layers"][3]["config"]["units"] == 3);
}

TEST_CASE("save_model leaves exactly model.json and weights.safetensors, even when overwriting") {
  ScratchDir dir("model_file");
  const fs::path target = dir / "nested/deeper";  // created as needed
  save_model(*small_classifier(), target);
  save_model(*small_classifier(), target);  // replaces both files
  CHECK(files_in(target) == std::set<std::string>{"model.json", "weights.safetensors"});
  CHECK(load_model(target)->count_params() == 5 * 8 + 8 + 8 * 3 + 3);
}

TEST_CASE("a Functional model with two inputs, a shared layer, GRU states and attention round-trips exactly") {
  ScratchDir dir("model_file");
  Functional model = small_translator();
  const std::vector<Array> x = {random_array({2, 5, 4}, 2), random_array({2, 3, 4}, 3)};
  const auto expected = run(*model, x);
  save_model(*model, dir.path);

  auto loaded = std::dynamic_pointer_cast<FunctionalModel>(load_model(dir.path));
  REQUIRE(loaded);
  CHECK(loaded->name() == "translator");
  REQUIRE(loaded->inputs().size() == 2);
  CHECK(loaded->inputs()[0].describe() == "encoder_inputs");
  CHECK(loaded->inputs()[1].shape() == PartialShape{unknown_dim, 3, 4});
  CHECK(loaded->nodes().size() == model->nodes().size());
  // The shared Dense is one layer called twice, so one set of weights.
  CHECK(loaded->sublayers().size() == 6);
  CHECK(weight_names(*loaded) == weight_names(*model));
  const auto got = run(*loaded, x);
  REQUIRE(got.size() == 2);
  CHECK_ARRAY_NEAR(got[0], expected[0], 0.0);  // predictions (2, 3, 9)
  CHECK_ARRAY_NEAR(got[1], expected[1], 0.0);  // attention weights (2, 3, 5)
}

TEST_CASE("a Functional config lists each layer once, with one inbound node per call") {
  ScratchDir dir("model_file");
  save_model(*small_translator(), dir.path);
  const json file = read_json(dir / "model.json");
  CHECK(file["class_name"] == "Functional");
  const json& config = file["config"];
  std::map<std::string, json> by_name;
  for (const auto& layer : config["layers"]) by_name[layer["name"].get<std::string>()] = layer;
  CHECK(by_name.size() == config["layers"].size());
  CHECK(by_name.size() == 8);  // 2 inputs + 6 layers

  CHECK(by_name["encoder_inputs"]["class_name"] == "InputLayer");
  CHECK(by_name["encoder_inputs"]["config"]["batch_shape"] == json::parse("[null, 5, 4]"));
  CHECK(by_name["encoder_inputs"]["inbound_nodes"] == json::array());
  // Calls are numbered in the model's execution order, which visits the
  // decoder's branch first.
  CHECK(by_name["shared_proj"]["inbound_nodes"] ==
        json::parse(R"([[["decoder_inputs", 0, 0]], [["encoder_inputs", 0, 0]]])"));
  CHECK(by_name["encoder_gru"]["inbound_nodes"] == json::parse(R"([[["shared_proj", 1, 0]]])"));
  // The decoder starts from the encoder's state: output 1 of its only call.
  CHECK(by_name["decoder_gru"]["inbound_nodes"] == json::parse(R"([[["shared_proj", 0, 0], ["encoder_gru", 0, 1]]])"));
  CHECK(by_name["attention_layer"]["inbound_nodes"] ==
        json::parse(R"([[["encoder_gru", 0, 0], ["decoder_gru", 0, 0]]])"));
  CHECK(by_name["time_distributed_layer"]["config"]["layer"]["class_name"] == "Dense");
  CHECK(config["input_layers"] == json::parse(R"([["encoder_inputs", 0, 0], ["decoder_inputs", 0, 0]])"));
  CHECK(config["output_layers"] == json::parse(R"([["time_distributed_layer", 0, 0], ["attention_layer", 0, 1]])"));
}

TEST_CASE("the seed NMT model round-trips with the seed's layer and weight names") {
  ScratchDir dir("model_file");
  kiln::testing::SeedLayers layers(6, 7);
  Functional model = kiln::testing::seed_model(layers, 5, 8, 4, 7);
  const std::vector<Array> x = {random_array({3, 5, 8}, 4), random_array({3, 4, 7}, 5)};
  const auto expected = run(*model, x);
  save_model(*model, dir.path);
  auto loaded = load_model(dir.path);
  CHECK(weight_names(*loaded) == weight_names(*model));
  const auto got = run(*loaded, x);
  CHECK_ARRAY_NEAR(got[0], expected[0], 0.0);
  CHECK_ARRAY_NEAR(got[1], expected[1], 0.0);
}

TEST_CASE("models nested as layers (Sequential and Functional) are saved and rebuilt recursively") {
  ScratchDir dir("model_file");
  Sequential block({.layers = {Dense({.units = 4, .activation = "tanh", .name = "block_dense"})},
                    .input_shape = {3},
                    .name = "block"});
  auto inner_in = Input({4}, "inner_in");
  Dense inner_dense({.units = 2, .name = "inner_dense"});
  Functional inner({inner_in}, {inner_dense(inner_in)}, "inner");
  auto in = Input({3}, "features");
  Functional outer({in}, {inner(block(in))}, "outer");
  const Array x = random_array({5, 3}, 6);
  const auto expected = run(*outer, {x});
  save_model(*outer, dir.path);

  const json config = read_json(dir / "model.json")["config"];
  CHECK(config["layers"][1]["class_name"] == "Sequential");
  CHECK(config["layers"][1]["config"]["layers"][0]["config"]["name"] == "block_dense");
  CHECK(config["layers"][2]["class_name"] == "Functional");
  CHECK(config["layers"][2]["config"]["output_layers"] == json::parse(R"([["inner_dense", 0, 0]])"));

  auto loaded = std::dynamic_pointer_cast<FunctionalModel>(load_model(dir.path));
  REQUIRE(loaded);
  REQUIRE(loaded->sublayers().size() == 2);
  CHECK(std::dynamic_pointer_cast<SequentialModel>(loaded->sublayers()[0]));
  CHECK(std::dynamic_pointer_cast<FunctionalModel>(loaded->sublayers()[1]));
  CHECK(weight_names(*loaded) == weight_names(*outer));
  CHECK_ARRAY_NEAR(run(*loaded, {x})[0], expected[0], 0.0);
}

TEST_CASE("a registered user layer is saved and loaded back with its weights") {
  ScratchDir dir("model_file");
  auto in = Input({3}, "x");
  auto scale = std::make_shared<LearnedScaleLayer>(LearnedScaleLayer::Options{.name = "gain"});
  Dense dense({.units = 2, .name = "proj"});
  Functional model({in}, {dense((*scale)(in))}, "scaled");
  scale->scale().mutable_value() = Array{2.0f, -1.0f, 0.5f};
  const Array x = random_array({4, 3}, 7);
  const auto expected = run(*model, {x});
  save_model(*model, dir.path);

  auto loaded = load_model(dir.path);
  auto loaded_scale = std::dynamic_pointer_cast<LearnedScaleLayer>(loaded->sublayers().at(0));
  REQUIRE(loaded_scale);
  CHECK(loaded_scale->name() == "gain");
  CHECK(loaded_scale->scale().value() == Array{2.0f, -1.0f, 0.5f});
  CHECK_ARRAY_NEAR(run(*loaded, {x})[0], expected[0], 0.0);
}

TEST_CASE("loading a layer whose class is not registered names it and says to register a factory") {
  ScratchDir dir("model_file");
  auto in = Input({3}, "x");
  auto odd = std::make_shared<LearnedScaleLayer>(LearnedScaleLayer::Options{.name = "odd"});
  Functional model({in}, {(*odd)(in)}, "mystery");
  save_model(*model, dir.path);
  // As if saved by a program that had a class this one never registers.
  json file = read_json(dir / "model.json");
  file["config"]["layers"][1]["class_name"] = "NotRegisteredAnywhere";
  write_json(dir / "model.json", file);
  CHECK_THROWS_WITH_AS(load_model(dir.path),
                       doctest::Contains("model.json: layer 1 ('odd'): unknown layer class 'NotRegisteredAnywhere': "
                                         "register a factory for it with register_layer_class()"),
                       Error);
}

TEST_CASE("a missing, truncated or non-JSON model.json is a FormatError naming the file") {
  ScratchDir dir("model_file");
  CHECK_THROWS_WITH_AS(load_model(dir.path), doctest::Contains("model.json"), FormatError);
  CHECK_THROWS_WITH_AS(load_model(dir.path), doctest::Contains("cannot open"), FormatError);

  save_model(*small_classifier(), dir.path);
  const std::string text = io::read_file(dir / "model.json");
  io::write_file_atomically(dir / "model.json", text.substr(0, text.size() / 2));
  CHECK_THROWS_WITH_AS(load_model(dir.path), doctest::Contains("model.json: not valid JSON"), FormatError);
  io::write_file_atomically(dir / "model.json", "[1, 2, 3]");
  CHECK_THROWS_WITH_AS(load_model(dir.path),
                       doctest::Contains("model.json: the file must be a JSON object, got [1,2,3]"), FormatError);
}

TEST_CASE("a model.json with a wrong header is a FormatError saying which field") {
  ScratchDir dir("model_file");
  CHECK_CONTAINS(load_error_after(dir, [](json& f) { f["format"] = "keras"; }),
                 "model.json: not a kiln model file (format is 'keras', expected 'kiln-model')");
  CHECK_CONTAINS(load_error_after(dir, [](json& f) { f["version"] = 2; }),
                 "model.json: version 2 is not one this kiln reads (1)");
  CHECK_CONTAINS(load_error_after(dir, [](json& f) { f.erase("config"); }),
                 "model.json: the file has no config");
  CHECK_CONTAINS(load_error_after(dir, [](json& f) { f["class_name"] = "Dense"; }),
                 "\"class_name\" must be \"Functional\" or \"Sequential\", got 'Dense'");
  CHECK_CONTAINS(load_error_after(dir, [](json& f) { f["config"]["trainable"] = "yes"; }),
                 "the model's \"trainable\" must be true or false, got \"yes\"");
}

TEST_CASE("a damaged Sequential config is a FormatError naming the layer and the fault") {
  ScratchDir dir("model_file");
  CHECK_CONTAINS(load_error_after(dir, [](json& f) { f["config"]["layers"][3].erase("class_name"); }),
                 "model.json: layer 3 has no class_name");
  CHECK_CONTAINS(load_error_after(dir, [](json& f) { f["config"].erase("layers"); }),
                 "model.json: the Sequential config has no layers");
  CHECK_CONTAINS(load_error_after(dir, [](json& f) { f["config"]["layers"][0]["config"]["units"] = "eight"; }),
                 "model.json: layer 0 ('hidden'): layer_from_config: bad config for a 'Dense'");
  CHECK_CONTAINS(load_error_after(dir, [](json& f) { f["config"]["input_shape"] = "five"; }),
                 "model.json: the Sequential config: input_shape must be an array of sizes (null for unknown), "
            "got \"five\"");
}

TEST_CASE("a damaged Functional graph is a FormatError naming the layer, the call and the fault") {
  ScratchDir dir("model_file");
  // Layer 3 of the translator is encoder_gru; layer 4 decoder_gru.
  auto damaged = [&](auto damage) {
    save_model(*small_translator(), dir.path);
    json file = read_json(dir / "model.json");
    damage(file["config"]);
    write_json(dir / "model.json", file);
    try {
      load_model(dir.path);
    } catch (const FormatError& e) {
      return std::string(e.what());
    }
    FAIL("load_model did not throw a FormatError");
    return std::string();
  };
  auto layer = [](json& config, const std::string& name) -> json& {
    for (auto& l : config["layers"]) {
      if (l["name"] == name) return l;
    }
    throw std::runtime_error("no layer " + name);
  };
  const std::vector<std::pair<std::function<void(json&)>, std::string>> cases = {
      {[&](json& c) { layer(c, "encoder_gru").erase("class_name"); },
       "model.json: layer 3 ('encoder_gru') has no class_name"},
      {[&](json& c) { layer(c, "encoder_gru")["inbound_nodes"] = 7; },
       "layer 3 ('encoder_gru'): \"inbound_nodes\" must be an array, got 7"},
      {[&](json& c) { layer(c, "decoder_gru")["inbound_nodes"][0][1] = json::parse(R"(["ghost", 0, 0])"); },
       "layer 4 ('decoder_gru') call 0: refers to layer 'ghost', which is not in the model"},
      {[&](json& c) { layer(c, "decoder_gru")["inbound_nodes"][0][1] = json::parse(R"(["encoder_gru", 2, 1])"); },
       "layer 4 ('decoder_gru') call 0: refers to call 2 of 'encoder_gru', which has 1 call"},
      {[&](json& c) { layer(c, "decoder_gru")["inbound_nodes"][0][1] = json::parse(R"(["encoder_gru", 0])"); },
       "a tensor is named [layer name, call index, output index], got [\"encoder_gru\",0]"},
      {[&](json& c) { layer(c, "decoder_gru")["inbound_nodes"][0][1] = json::parse(R"(["encoder_gru", -1, 0])"); },
       "layer 4 ('decoder_gru') call 0: call index must be a non-negative integer, got -1"},
      {[&](json& c) { c["output_layers"][1] = json::parse(R"(["attention_layer", 0, 5])"); },
       "output_layers[1]: takes output 5 of 'attention_layer' call 0, which returns 2"},
      {[&](json& c) { c["input_layers"][0] = json::parse(R"(["encoder_gru", 0, 0])"); },
       "input_layers[0] names 'encoder_gru', which is not an InputLayer"},
      {[&](json& c) { layer(c, "encoder_inputs")["config"]["batch_shape"] = "abc"; },
       "layer 0 ('encoder_inputs') batch_shape must be an array of sizes (null for unknown), got \"abc\""},
      {[&](json& c) { layer(c, "concat_layer")["name"] = "decoder_gru"; }, "a second layer named 'decoder_gru'"},
      {[&](json& c) { layer(c, "concat_layer")["config"]["name"] = "renamed"; },
       "its config rebuilt a layer named 'renamed'"},
      // The encoder waits for the decoder and the decoder for the encoder.
      {[&](json& c) { layer(c, "encoder_gru")["inbound_nodes"][0][0] = json::parse(R"(["decoder_gru", 0, 0])"); },
       "waits for inputs that no call produces (the graph has a cycle)"},
      // Shapes that do not fit: attention over the (batch, units) final state.
      {[&](json& c) { layer(c, "attention_layer")["inbound_nodes"][0][0] = json::parse(R"(["encoder_gru", 0, 1])"); },
       "layer 5 ('attention_layer') call 0: BahdanauAttention 'attention_layer': "},
      {[&](json& c) { c.erase("output_layers"); }, "the Functional config has no output_layers"},
  };
  for (const auto& [damage, message] : cases) {
    const std::string got = damaged(damage);
    CHECK_CONTAINS(got, message);
  }
}

TEST_CASE("weights that do not fit the architecture are load_weights' FormatError naming weights.safetensors") {
  ScratchDir dir("model_file");
  // A wider input gives 'hidden' a (7, 8) kernel where the file holds (5, 8).
  CHECK_CONTAINS(load_error_after(dir, [](json& f) { f["config"]["input_shape"] = json::array({7}); }),
                 "weights.safetensors: weight 'hidden/kernel' has shape (5, 8) in the file but (7, 8)");
  fs::remove(dir / "weights.safetensors");
  CHECK_THROWS_WITH_AS(load_model(dir.path), doctest::Contains("weights.safetensors"), FormatError);
}

TEST_CASE("a model without weights saves and loads (an empty weights file)") {
  ScratchDir dir("model_file");
  Sequential model(
      {.layers = {Activation({.activation = "tanh", .name = "only"})}, .input_shape = {2}, .name = "plain"});
  save_model(*model, dir.path);
  auto loaded = load_model(dir.path);
  CHECK(loaded->count_params() == 0);
  CHECK_ARRAY_NEAR(run(*loaded, {Array{{0.5f, -1.0f}}})[0], (Array{{std::tanh(0.5f), std::tanh(-1.0f)}}), 1e-7);
}

TEST_CASE("save_model refuses a subclassed model and says to save its weights instead") {
  ScratchDir dir("model_file");
  TwoDenseNet net;
  net(Tensor(random_array({2, 4}, 8)));  // built, so save_weights would work
  CHECK_THROWS_WITH_AS(save_model(net, dir / "net"),
                       doctest::Contains("save_model: TwoDenseNet 'two_dense_net' is a subclassed model"), Error);
  CHECK_THROWS_WITH_AS(save_model(net, dir / "net"), doctest::Contains("save_weights()"), Error);
  CHECK_FALSE(fs::exists(dir / "net"));  // nothing written
}

TEST_CASE("save_model refuses two layers with one name, since names key the weights") {
  ScratchDir dir("model_file");
  auto in = Input({2}, "x");
  Dense a({.units = 2, .name = "twin"});
  Dense b({.units = 2, .name = "twin"});
  Functional model({in}, {b(a(in))}, "twins");
  CHECK_THROWS_WITH_AS(save_model(*model, dir / "twins"),
                       doctest::Contains("Functional 'twins' has two layers named 'twin'"), Error);
  CHECK_FALSE(fs::exists(dir / "twins"));
}

TEST_CASE("save_model reports a target it cannot create as a directory and leaves no temporary file") {
  ScratchDir dir("model_file");
  io::write_file_atomically(dir / "occupied", "a file, not a directory");
  CHECK_THROWS_WITH_AS(save_model(*small_classifier(), dir / "occupied"),
                       doctest::Contains("save_model: cannot create the directory"), Error);
  CHECK(files_in(dir.path) == std::set<std::string>{"occupied"});
}

TEST_CASE("Sequential and Functional are registered: their configs rebuild them like any layer's") {
  CHECK(is_layer_class_registered("Sequential"));
  CHECK(is_layer_class_registered("Functional"));
  Sequential stack = small_classifier();
  auto rebuilt_stack = layer_from_config("Sequential", stack->get_config());
  CHECK(std::dynamic_pointer_cast<SequentialModel>(rebuilt_stack));
  CHECK(rebuilt_stack->get_config() == stack->get_config());

  Functional graph = small_translator();
  auto rebuilt_graph = layer_from_config("Functional", graph->get_config());
  CHECK(std::dynamic_pointer_cast<FunctionalModel>(rebuilt_graph));
  CHECK(rebuilt_graph->get_config() == graph->get_config());
  CHECK(rebuilt_graph->count_params() == graph->count_params());
}

TEST_CASE("a model.json nested deeper than any saved model is a FormatError, not a stack overflow") {
  ScratchDir dir("model_file");
  save_model(*small_classifier(), dir.path);
  io::write_file_atomically(dir / "model.json", std::string(100000, '[') + std::string(100000, ']'));
  CHECK_THROWS_WITH_AS(load_model(dir.path), doctest::Contains("model.json: JSON nests deeper than 64 levels"),
                       FormatError);
}
