// One full training step of the seed NMT model against the golden step
// computed independently (PyTorch, float64, Keras layouts): loss, attention
// weights, every gradient, and the weights after Keras' Adam update. This
// catches what a finite-difference check cannot: a wrong gate order, a
// transposed weight, Adam's epsilon in the wrong place.

#include "golden.hpp"
#include "graph/backward.hpp"
#include "models/model.hpp"
#include "seed_model.hpp"
#include "support.hpp"
#include "training/losses.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::relative_error;

namespace {

const char* const file = "seed_step.safetensors";

struct SeedStep {
  kiln::testing::SeedLayers layers{96, 343};
  Functional model = kiln::testing::seed_model(layers, 20, 229, 19, 343);

  SeedStep() {
    for (auto& [name, weight] : model->named_weights()) {
      weight.mutable_value() = golden(file, kiln::testing::seed_weight_name(name));
    }
  }
  std::vector<Array> inputs() const { return {golden(file, "encoder_inputs"), golden(file, "decoder_inputs")}; }
};

}  // namespace

TEST_CASE("the seed model's forward pass, loss and gradients match the golden step") {
  SeedStep step;
  auto outputs = step.model({Tensor(step.inputs()[0]), Tensor(step.inputs()[1])});
  const Array targets = golden(file, "decoder_targets");
  Tensor loss = categorical_crossentropy(outputs[0], targets);

  CHECK(loss.item() == doctest::Approx(golden(file, "loss")(0)).epsilon(1e-5));
  CHECK(relative_error(outputs[1].value(), golden(file, "attention_weights")) < 1e-5);

  backward(loss);
  for (auto& [name, weight] : step.model->named_weights()) {
    const std::string seed_name = kiln::testing::seed_weight_name(name);
    INFO("gradient of " << seed_name);
    REQUIRE(weight.has_grad());
    CHECK(relative_error(weight.grad(), golden(file, "grad/" + seed_name)) < 1e-4);
  }
}

TEST_CASE("compile + train_on_batch with Adam reproduces the golden weights after one step") {
  SeedStep step;
  // The training model: the same layers, prediction output only.
  Functional trainer(step.model->inputs(), {step.model->outputs()[0]}, "seed_trainer");
  trainer->compile({.optimizer = "adam", .loss = "categorical_crossentropy"});
  const auto logs = trainer->train_on_batch(step.inputs(), {golden(file, "decoder_targets")});

  CHECK(logs.at("loss") == doctest::Approx(golden(file, "loss")(0)).epsilon(1e-5));
  for (auto& [name, weight] : trainer->named_weights()) {
    const std::string seed_name = kiln::testing::seed_weight_name(name);
    INFO("weight after Adam: " << seed_name);
    CHECK(kiln::testing::max_abs_diff(weight.value(), golden(file, "after_adam/" + seed_name)) < 1e-6);
  }
}
