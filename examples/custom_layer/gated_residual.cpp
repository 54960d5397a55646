// Writing your own layer, outside the library: a gated residual block
//
//     y = x + sigmoid(x Wg + bg) * tanh(x Wh + bh)
//
// on the last axis of a (batch, features) or (batch, time, features) input;
// Wg and Wh are (features, features), so y has x's shape. The gate decides,
// per feature, how much of the candidate tanh(x Wh + bh) is added to x.
//
// The steps every layer takes (layers/dense.cpp is the library's model):
//   1. an Options struct: its options, the name, and the list of its config
//      fields (KerasLayer derives get_config and options_from_config from
//      it, so a saved model that uses the layer can be loaded again);
//   2. validate_inputs: say what inputs the layer takes, in the error;
//   3. build: create the weights from the first input's shape (add_weight);
//   4. call: the forward pass with kiln's ops; the graph records it, so
//      the backward pass comes for free;
//   5. compute_output_shape, for use in functional models;
//   6. a registration under its class name (load_model finds it by name).
// Then check its gradients with kiln::check_gradients before trusting it.
//
//   gated_residual [--epochs N] [--seed S]

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>
#include <xtensor/xrandom.hpp>

#include "graph/gradcheck.hpp"
#include "layers/dense.hpp"
#include "layers/layer.hpp"
#include "layers/layer_config.hpp"
#include "layers/registry.hpp"
#include "models/functional.hpp"
#include "models/model_file.hpp"
#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "ops/matmul.hpp"
#include "optimizers/adam.hpp"

using namespace kiln;

struct GatedResidualOptions {
  InitializerSpec kernel_initializer = "glorot_uniform";
  std::string name = {};
  static constexpr auto fields() {
    return std::tuple{config::field("kernel_initializer", &GatedResidualOptions::kernel_initializer)};
  }
};

class GatedResidualLayer : public KerasLayer<GatedResidualLayer, GatedResidualOptions> {
 public:
  static constexpr const char* keras_name = "GatedResidual";
  explicit GatedResidualLayer(Options options) : KerasLayer(std::move(options)) {}

  // The output has the input's shape.
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override {
    return {shapes.at(0)};
  }

  Tensor gate_kernel() const { return Wg_; }
  Tensor gate_bias() const { return bg_; }
  Tensor kernel() const { return Wh_; }
  Tensor bias() const { return bh_; }

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override {
    expect_inputs(shapes, 1, 0, "(batch, features) or (batch, time, features)");
    if (shapes[0].size() != 2 && shapes[0].size() != 3) {
      fail("expected input (batch, features) or (batch, time, features), got " + to_string(shapes[0]));
    }
  }

  void build(const std::vector<PartialShape>& shapes) override {
    const std::size_t features = known_last_dim(shapes[0]);
    const auto kernel_init = options_.kernel_initializer.make();
    Wg_ = add_weight("gate_kernel", {features, features}, kernel_init);
    bg_ = add_weight("gate_bias", {features}, initializers::zeros());
    Wh_ = add_weight("kernel", {features, features}, kernel_init);
    bh_ = add_weight("bias", {features}, initializers::zeros());
  }

  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext&) override {
    const Tensor& x = inputs[0];
    Tensor gate = sigmoid(matmul(x, Wg_) + bg_);
    Tensor candidate = tanh(matmul(x, Wh_) + bh_);
    return {x + gate * candidate};
  }

 private:
  Tensor Wg_, bg_, Wh_, bh_;
};

using GatedResidual = LayerHandle<GatedResidualLayer>;

// Registered at program start, as the library's own layers are, so that
// layer_from_config("GatedResidual", ...) (and loading a saved model that
// uses it) can make one.
namespace {
const LayerRegistration<GatedResidualLayer> registration(GatedResidualLayer::keras_name);
}  // namespace

namespace {

struct Options {
  std::size_t epochs = 40;
  std::uint64_t seed = 1;
};

int usage_error(const char* program, const std::string& message) {
  std::cerr << program << ": " << message << " (see --help)\n";
  return 2;
}

// Compares the tape's gradients with finite differences, on a 3-D input
// (the batch and time axes share the weights), for the input and every weight.
bool check_layer_gradients() {
  GatedResidual layer({.name = "checked"});
  Tensor x = Tensor::parameter(Array(xt::random::rand<float>({2, 3, 4}, -1.0f, 1.0f)), "x");
  layer(x);  // builds the weights
  const GradCheckResult result = check_gradients(
      [&] { return Tensor(layer(x)); },
      {x, layer->gate_kernel(), layer->gate_bias(), layer->kernel(), layer->bias()});
  std::cout << "GatedResidual: " << result.report() << "\n";
  return result.ok;
}

// A regression target a residual block suits: y = sum of x + 0.5 sin(x).
Array make_targets(const Array& x) {
  Array y = Array::from_shape({x.shape()[0], 1});
  for (std::size_t i = 0; i < x.shape()[0]; ++i) {
    float s = 0.0f;
    for (std::size_t j = 0; j < x.shape()[1]; ++j) s += x(i, j) + 0.5f * std::sin(3.0f * x(i, j));
    y(i, 0) = s;
  }
  return y;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << "usage: " << argv[0] << " [--epochs N] [--seed S] [--help]\n\n"
                << "Defines a GatedResidual layer outside the library, checks its gradients,\n"
                << "trains a small regression model that uses it, and saves and reloads that\n"
                << "model (the layer is registered, so load_model can rebuild it).\n\n"
                << "  --epochs N   training epochs (default 40)\n"
                << "  --seed S     seeds the weights and the data (default 1)\n";
      return 0;
    }
    if ((arg == "--epochs" || arg == "--seed") && i + 1 < argc) {
      char* end = nullptr;
      const std::string text = argv[++i];
      const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || text[0] == '-') return usage_error(argv[0], arg + " wants a whole number");
      (arg == "--epochs" ? options.epochs : options.seed) = value;
      continue;
    }
    return usage_error(argv[0], "unknown or incomplete argument '" + arg + "'");
  }
  if (options.epochs == 0) return usage_error(argv[0], "--epochs must be at least 1");

  try {
    set_random_seed(options.seed);
    xt::random::seed(options.seed);

    // 1. Its gradients are right.
    if (!check_layer_gradients()) return 1;

    // 2. It is registered: a layer made from its config has the same config.
    GatedResidual original({.kernel_initializer = "glorot_uniform", .name = "block"});
    const auto copy = layer_from_config("GatedResidual", original->get_config());
    std::cout << "registered: " << serialize_layer(*copy).dump() << "\n";

    // 3. It works in a model like any built-in layer.
    auto features = Input({8}, "features");
    Dense widen({.units = 16, .activation = "relu", .name = "widen"});
    GatedResidual block({.name = "gated_residual"});
    Dense head({.units = 1, .name = "head"});
    Functional model({features}, {head(block(widen(features)))}, "gated_regressor");
    model->summary();

    const Array x = xt::random::rand<float>({128, 8}, -1.0f, 1.0f);
    const Array y = make_targets(x);
    model->compile({.optimizer = std::make_shared<Adam>(Adam::Options{.learning_rate = 0.01f}), .loss = "mse"});
    const History history = model->fit({x}, {y}, {.batch_size = 32, .epochs = options.epochs, .seed = options.seed,
                                                  .verbose = 0});
    std::cout << "loss after epoch 1: " << history.history.at("loss").front() << "\n"
              << "final loss: " << history.last("loss") << "\n";

    // 4. Because it is registered, a saved model that uses it loads again.
    const auto dir = std::filesystem::temp_directory_path() / ("gated_residual_" + std::to_string(::getpid()));
    save_model(*model, dir);
    const std::shared_ptr<Model> reloaded = load_model(dir);
    std::filesystem::remove_all(dir);
    const Array before = model->predict({x})[0], after = reloaded->predict({x})[0];
    const float difference = xt::amax(xt::abs(before - after))();
    std::cout << "saved and reloaded: largest prediction difference " << difference << "\n";
    if (difference != 0.0f) return 1;
  } catch (const Error& e) {
    std::cerr << "gated_residual: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
