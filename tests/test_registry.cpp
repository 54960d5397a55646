// The layer registry: every built-in layer rebuilds from its own config,
// unknown classes and bad configs fail plainly, and user layers register.

#include <nlohmann/json.hpp>

#include "layers/activation_layer.hpp"
#include "layers/concatenate.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/embedding.hpp"
#include "layers/flatten.hpp"
#include "layers/registry.hpp"
#include "layers/time_distributed.hpp"
#include "ops/arithmetic.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;

namespace {

// A user layer: y = factor * x.
class ScaleLayer : public Layer {
 public:
  struct Options {
    float factor = 1.0f;
    std::string name = {};
  };
  explicit ScaleLayer(Options options) : Layer("Scale", options.name), options_(options) {}
  static Options options_from_config(const nlohmann::json& config) {
    return {.factor = config.value("factor", 1.0f), .name = config.value("name", std::string())};
  }
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override {
    return {shapes.at(0)};
  }
  nlohmann::json get_config() const override {
    nlohmann::json config = Layer::get_config();
    config["factor"] = options_.factor;
    return config;
  }
  float factor() const { return options_.factor; }

 protected:
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext&) override {
    return {inputs[0] * options_.factor};
  }

 private:
  Options options_;
};

// Rebuilds `layer` from its config and checks the config survives unchanged.
std::shared_ptr<Layer> round_trip(const Layer& layer) {
  auto rebuilt = layer_from_config(layer.class_name(), layer.get_config());
  REQUIRE(rebuilt);
  CHECK(rebuilt->class_name() == layer.class_name());
  CHECK(rebuilt->get_config() == layer.get_config());
  return rebuilt;
}

}  // namespace

TEST_CASE("every built-in layer is registered under its class name from the registry's first use") {
  for (const char* name : {"Dense", "Embedding", "Dropout", "Concatenate", "TimeDistributed", "Activation",
                           "Flatten"}) {
    INFO(name);
    CHECK(is_layer_class_registered(name));
  }
  CHECK_FALSE(is_layer_class_registered("Mystery"));
}

TEST_CASE("Dense rebuilds from its config with every option") {
  Dense dense({.units = 12, .activation = "tanh", .use_bias = false, .kernel_initializer = "orthogonal",
               .name = "proj"});
  auto rebuilt = std::dynamic_pointer_cast<DenseLayer>(round_trip(*dense));
  REQUIRE(rebuilt);
  CHECK(rebuilt->name() == "proj");
  CHECK(rebuilt->options().units == 12);
  CHECK(rebuilt->options().activation == "tanh");
  CHECK_FALSE(rebuilt->options().use_bias);
  CHECK(rebuilt->options().kernel_initializer == "orthogonal");
  CHECK_FALSE(rebuilt->built());  // config only: weights come from the first call or a load
}

TEST_CASE("a rebuilt Dense computes what the original did once given its weights") {
  Dense dense({.units = 3, .activation = "sigmoid"});
  Tensor x(random_array({2, 4}, 1));
  const Array expected = Tensor(dense(x)).value();
  auto rebuilt = round_trip(*dense);
  rebuilt->build_for({{unknown_dim, 4}});
  rebuilt->set_weights(dense->get_weights());
  CHECK(Tensor((*rebuilt)(x)).value() == expected);
}

TEST_CASE("Embedding, Dropout, Concatenate, Activation and Flatten rebuild from their configs") {
  auto embedding = std::dynamic_pointer_cast<EmbeddingLayer>(
      round_trip(*Embedding({.input_dim = 30, .output_dim = 4, .embeddings_initializer = "random_normal",
                             .mask_zero = true, .name = "source_embedding"})));
  REQUIRE(embedding);
  CHECK(embedding->options().input_dim == 30);
  CHECK(embedding->options().output_dim == 4);
  CHECK(embedding->options().embeddings_initializer == "random_normal");
  CHECK(embedding->options().mask_zero);

  auto dropout = std::dynamic_pointer_cast<DropoutLayer>(round_trip(*Dropout({.rate = 0.3f, .seed = 77})));
  REQUIRE(dropout);
  CHECK(dropout->options().rate == 0.3f);
  CHECK(dropout->options().seed == 77u);

  auto concatenate = std::dynamic_pointer_cast<ConcatenateLayer>(round_trip(*Concatenate({.axis = 1})));
  REQUIRE(concatenate);
  CHECK(concatenate->options().axis == 1);

  auto activation = std::dynamic_pointer_cast<ActivationLayer>(round_trip(*Activation({.activation = "softmax"})));
  REQUIRE(activation);
  CHECK(activation->options().activation == "softmax");

  CHECK(std::dynamic_pointer_cast<FlattenLayer>(round_trip(*Flatten({.name = "flat"}))));
}

TEST_CASE("TimeDistributed rebuilds its inner layer through the registry") {
  TimeDistributed td({.layer = Dense({.units = 5, .name = "proj"}), .name = "td"});
  auto rebuilt = std::dynamic_pointer_cast<TimeDistributedLayer>(round_trip(*td));
  REQUIRE(rebuilt);
  REQUIRE(rebuilt->layer());
  CHECK(rebuilt->layer()->class_name() == "Dense");
  CHECK(rebuilt->layer()->name() == "proj");
  CHECK(rebuilt->layer().get() != td->layer().get());
}

TEST_CASE("a config's trainable flag is restored") {
  Dense frozen({.units = 2});
  frozen->set_trainable(false);
  auto rebuilt = round_trip(*frozen);
  CHECK_FALSE(rebuilt->trainable());
}

TEST_CASE("serialize_layer and deserialize_layer use Keras' {class_name, config} form") {
  Dropout drop({.rate = 0.5f, .seed = 1, .name = "drop"});
  const nlohmann::json serialized = serialize_layer(*drop);
  CHECK(serialized["class_name"] == "Dropout");
  CHECK(serialized["config"]["name"] == "drop");
  CHECK(deserialize_layer(serialized)->get_config() == drop->get_config());
  CHECK_THROWS_WITH_AS(deserialize_layer({{"config", {}}}),
                       doctest::Contains("deserialize_layer: expected {\"class_name\": ..., \"config\": ...}"),
                       FormatError);
}

TEST_CASE("an unknown class is an error that names it and says to register a factory") {
  CHECK_THROWS_WITH_AS(layer_from_config("Mystery", {{"name", "m"}}),
                       doctest::Contains("unknown layer class 'Mystery': register a factory for it with "
                                         "register_layer_class() before loading (registered: "),
                       Error);
  CHECK_THROWS_WITH_AS(layer_from_config("Mystery", {{"name", "m"}}), doctest::Contains("Dense"), Error);
}

TEST_CASE("a config with a value of the wrong type is a FormatError naming the class") {
  CHECK_THROWS_WITH_AS(layer_from_config("Dense", {{"units", "ten"}}),
                       doctest::Contains("layer_from_config: bad config for a 'Dense': "), FormatError);
  CHECK_THROWS_WITH_AS(layer_from_config("Dense", nlohmann::json::array({1, 2})),
                       "layer_from_config: the config of a 'Dense' must be a JSON object, got [1,2]", FormatError);
  // Options that parse but are invalid fail as the constructor says.
  CHECK_THROWS_WITH_AS(layer_from_config("Dense", {{"units", 0}, {"name", "zero"}}),
                       "Dense 'zero': units must be positive", Error);
}

TEST_CASE("a user layer registered from outside the library is rebuilt from its config") {
  register_layer_class("Scale", [](const nlohmann::json& config) -> std::shared_ptr<Layer> {
    return std::make_shared<ScaleLayer>(ScaleLayer::options_from_config(config));
  });
  CHECK(is_layer_class_registered("Scale"));
  auto scale = std::make_shared<ScaleLayer>(ScaleLayer::Options{.factor = 2.5f, .name = "scale"});
  auto rebuilt = std::dynamic_pointer_cast<ScaleLayer>(round_trip(*scale));
  REQUIRE(rebuilt);
  CHECK(rebuilt->factor() == 2.5f);
  CHECK(Tensor((*rebuilt)(Tensor(Array{2.0f, -4.0f}))).value() == Array{5.0f, -10.0f});
}

TEST_CASE("LayerRegistration registers a class through its options_from_config") {
  const LayerRegistration<ScaleLayer> registration("ScaleByRegistration");
  auto rebuilt = layer_from_config("ScaleByRegistration", {{"factor", 3.0f}, {"name", "tripler"}});
  CHECK(rebuilt->name() == "tripler");
  CHECK(Tensor((*rebuilt)(Tensor(Array{1.0f}))).value() == Array{3.0f});
}

TEST_CASE("registering a class name again replaces its factory") {
  register_layer_class("Replaceable", [](const nlohmann::json&) -> std::shared_ptr<Layer> {
    return std::make_shared<ScaleLayer>(ScaleLayer::Options{.factor = 1.0f});
  });
  register_layer_class("Replaceable", [](const nlohmann::json&) -> std::shared_ptr<Layer> {
    return std::make_shared<ScaleLayer>(ScaleLayer::Options{.factor = 9.0f});
  });
  auto layer = std::dynamic_pointer_cast<ScaleLayer>(layer_from_config("Replaceable", nlohmann::json::object()));
  REQUIRE(layer);
  CHECK(layer->factor() == 9.0f);
}

TEST_CASE("a negative or fractional size in a config is a FormatError naming the key, not a huge allocation") {
  CHECK_THROWS_WITH_AS(layer_from_config("Dense", {{"units", -1}}),
                       doctest::Contains("'units' must be a non-negative integer, got -1"), FormatError);
  CHECK_THROWS_WITH_AS(layer_from_config("Embedding", {{"input_dim", 2.5}, {"output_dim", 3}}),
                       doctest::Contains("'input_dim'"), FormatError);
  CHECK_THROWS_WITH_AS(layer_from_config("GRU", {{"units", "many"}}), doctest::Contains("'units'"), FormatError);
}
