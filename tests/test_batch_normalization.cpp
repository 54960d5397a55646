// BatchNormalization: Keras' numbers in inference and in training, and the
// moving statistics after a training call, from Keras' configs
// (TensorFlow.js, tests/golden/tfjs/batch_norm; masked and gamma-less
// training from Keras 3's formulas, tests/golden/torch/layers); the update
// happens once per training call, outside the graph, never through the
// optimizer; a frozen layer runs in inference mode (Keras 3); gradients,
// config and file round trips.

#include <nlohmann/json.hpp>

#include "golden.hpp"
#include "graph/backward.hpp"
#include "graph/gradient_tape.hpp"
#include "layer_round_trip.hpp"
#include "layers/batch_normalization.hpp"
#include "layers/dense.hpp"
#include "models/sequential.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "optimizers/sgd.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::golden_config;
using kiln::testing::max_abs_diff;
using kiln::testing::random_array;
using kiln::testing::relative_error;
using json = nlohmann::json;

namespace {

// The layer of a reference case, built from its config, with its weights set.
std::shared_ptr<Layer> reference_layer(const std::string& file, const std::string& name, std::size_t weights) {
  const auto layer = layer_from_config("BatchNormalization", golden_config(file, name));
  layer->build_for({partial_shape_of(golden(file, name + "/x").shape())});
  std::vector<Array> values;
  for (std::size_t k = 0; k < weights; ++k) values.push_back(golden(file, name + "/weight_" + std::to_string(k)));
  layer->set_weights(values);
  return layer;
}

}  // namespace

TEST_CASE("BatchNormalization from Keras' configs: inference, training, and the moving statistics after it") {
  const std::string file = "tfjs/batch_norm.safetensors";
  for (const auto& [name, weights, trains] : std::vector<std::tuple<std::string, std::size_t, bool>>{
           {"bn_2d", 4, true}, {"bn_4d", 4, true}, {"bn_no_center_scale", 2, false}}) {
    CAPTURE(name);
    const auto layer = reference_layer(file, name, weights);
    const Tensor x(golden(file, name + "/x"));
    CHECK(relative_error(Tensor((*layer)(x)).value(), golden(file, name + "/y_inference")) <= 2e-6);
    if (!trains) continue;
    CHECK(relative_error(Tensor((*layer)(x, {.training = true})).value(), golden(file, name + "/y_training")) <= 2e-6);
    const auto after = layer->get_weights();  // gamma, beta, moving_mean, moving_variance
    for (std::size_t k = 0; k < weights; ++k) {
      CAPTURE(k);
      CHECK(relative_error(after[k], golden(file, name + "/updated_" + std::to_string(k))) <= 1e-6);
    }
  }
  // Keras 3's masked statistics, a training call without gamma and beta, and
  // axis=1 (where TF.js has none or other numbers).
  const std::string torch = "torch/layers.safetensors";
  {
    const auto layer = reference_layer(torch, "bn_axis1", 4);
    const Tensor x(golden(torch, "bn_axis1/x"));
    CHECK(relative_error(Tensor((*layer)(x)).value(), golden(torch, "bn_axis1/y_inference")) <= 2e-6);
    CHECK(relative_error(Tensor((*layer)(x, {.training = true})).value(), golden(torch, "bn_axis1/y_training")) <= 2e-6);
    CHECK(relative_error(layer->get_weights()[2], golden(torch, "bn_axis1/updated_2")) <= 1e-6);
    CHECK(relative_error(layer->get_weights()[3], golden(torch, "bn_axis1/updated_3")) <= 1e-6);
  }
  {
    const auto layer = reference_layer(torch, "bn_masked", 4);
    const Array mask = golden(torch, "bn_masked/mask");
    const Tensor y = (*layer)(Tensor(golden(torch, "bn_masked/x")), {.training = true, .masks = {&mask}});
    CHECK(relative_error(y.value(), golden(torch, "bn_masked/y_training")) <= 2e-6);
    CHECK(relative_error(layer->get_weights()[2], golden(torch, "bn_masked/updated_2")) <= 1e-6);
    CHECK(relative_error(layer->get_weights()[3], golden(torch, "bn_masked/updated_3")) <= 1e-6);
    REQUIRE(y.mask());  // passed on
    CHECK(*y.mask() == mask);
  }
  {
    const auto layer = reference_layer(torch, "bn_plain_training", 2);
    const Tensor y = (*layer)(Tensor(golden(torch, "bn_plain_training/x")), {.training = true});
    CHECK(relative_error(y.value(), golden(torch, "bn_plain_training/y_training")) <= 2e-6);
    CHECK(relative_error(layer->get_weights()[0], golden(torch, "bn_plain_training/updated_0")) <= 1e-6);
    CHECK(relative_error(layer->get_weights()[1], golden(torch, "bn_plain_training/updated_1")) <= 1e-6);
  }
}

TEST_CASE("BatchNormalization's weights are Keras' four, the moving statistics non-trainable") {
  BatchNormalization bn({.name = "bn"});
  bn(Tensor(random_array({4, 3}, 1)));
  const auto named = bn->named_weights();
  REQUIRE(named.size() == 4);
  CHECK(named[0].first == "bn/gamma");
  CHECK(named[1].first == "bn/beta");
  CHECK(named[2].first == "bn/moving_mean");
  CHECK(named[3].first == "bn/moving_variance");
  CHECK(bn->trainable_weights().size() == 2);
  CHECK(bn->non_trainable_weights().size() == 2);
  CHECK_FALSE(bn->moving_mean().requires_grad());
  CHECK(bn->get_weights()[3] == Array{1.0f, 1.0f, 1.0f});  // moving_variance_initializer "ones"
}

TEST_CASE("the moving statistics update once per training call, outside the graph and the optimizer") {
  const Array x = random_array({8, 3}, 2, -1.0f, 3.0f);
  const Array batch_mean = xt::mean(x, {0});
  const Array batch_variance = xt::mean(xt::square(x - batch_mean), {0});

  // Two eager training calls: the rule applied twice, inference calls change nothing.
  BatchNormalization bn({.momentum = 0.9f});
  bn(Tensor(x));  // inference: builds, leaves the statistics alone
  CHECK(bn->moving_mean().value() == Array{0.0f, 0.0f, 0.0f});
  bn(Tensor(x), {.training = true});
  bn(Tensor(x), {.training = true});
  const Array twice = batch_mean * (1.0f - 0.9f * 0.9f);  // 0 -> 0.1 m -> 0.19 m
  CHECK(max_abs_diff(bn->moving_mean().value(), twice) <= 1e-6);

  // Under fit's step: one update per train_on_batch, none from the optimizer
  // (SGD with a large rate would move a trainable statistic far).
  BatchNormalization inner({.momentum = 0.5f, .name = "bn"});
  Sequential model({.layers = {inner, Dense({.units = 1})}, .input_shape = {3}});
  model->compile({.optimizer = std::make_shared<SGD>(SGD::Options{.learning_rate = 10.0f}), .loss = "mse"});
  const Array y = random_array({8, 1}, 3);
  model->train_on_batch({x}, {y});
  CHECK(max_abs_diff(inner->moving_mean().value(), Array(batch_mean * 0.5f)) <= 1e-6);
  CHECK(max_abs_diff(inner->moving_variance().value(), Array(0.5f + batch_variance * 0.5f)) <= 1e-6);
  CHECK_FALSE(inner->moving_mean().has_grad());
  // evaluate and predict run in inference mode.
  model->evaluate({x}, {y});
  model->predict({x});
  CHECK(max_abs_diff(inner->moving_mean().value(), Array(batch_mean * 0.5f)) <= 1e-6);

  // A GradientTape step: one update, and the tape's gradients are the trainable weights' only.
  BatchNormalization taped({.momentum = 0.5f});
  taped(Tensor(x));
  GradientTape tape;
  const Tensor loss = sum(Tensor(taped(Tensor(x), {.training = true})) * Tensor(random_array({8, 3}, 4)));
  const auto grads = tape.gradient(loss, taped->trainable_weights());
  CHECK(grads.size() == 2);
  CHECK(max_abs_diff(taped->moving_mean().value(), Array(batch_mean * 0.5f)) <= 1e-6);
}

TEST_CASE("a frozen BatchNormalization runs in inference mode even when training, as Keras 3") {
  const Array x = random_array({6, 4}, 5, 1.0f, 4.0f);
  BatchNormalization bn;
  bn(Tensor(x));
  bn->set_weights({random_array({4}, 6), random_array({4}, 7), random_array({4}, 8), random_array({4}, 9, 0.5f, 2.0f)});
  const Array inference = Tensor(bn(Tensor(x))).value();
  const auto before = bn->get_weights();
  bn->set_trainable(false);
  CHECK(max_abs_diff(Tensor(bn(Tensor(x), {.training = true})).value(), inference) == 0.0);
  for (std::size_t k = 0; k < 4; ++k) CHECK(max_abs_diff(bn->get_weights()[k], before[k]) == 0.0);
  CHECK(bn->trainable_weights().empty());
  bn->set_trainable(true);
  CHECK(max_abs_diff(Tensor(bn(Tensor(x), {.training = true})).value(), inference) > 0.1);
}

TEST_CASE("BatchNormalization gradients match finite differences in both modes") {
  for (const BatchNormalizationOptions& o :
       {BatchNormalizationOptions{}, BatchNormalizationOptions{.axis = 1}, BatchNormalizationOptions{.center = false}}) {
    BatchNormalization bn(o);
    Tensor x = Tensor::parameter(random_array({4, 3, 2}, 11), "x");
    bn(x);
    bn->set_weights([&] {
      std::vector<Array> w;
      for (const auto& t : bn->weights()) w.push_back(random_array(t.shape(), 12 + w.size(), 0.5f, 1.5f));
      return w;
    }());
    const Tensor r(random_array({4, 3, 2}, 13));
    std::vector<Tensor> wrt{x};
    for (const auto& t : bn->trainable_weights()) wrt.push_back(t);
    CHECK_GRADIENTS([&] { return Tensor(bn(x, {.training = true})) * r; }, wrt);
    CHECK_GRADIENTS([&] { return Tensor(bn(x)) * r; }, wrt);
  }
  BatchNormalization masked;
  Tensor x = Tensor::parameter(random_array({2, 4, 3}, 14), "x");
  const Array mask{{1.0f, 1.0f, 0.0f, 1.0f}, {1.0f, 0.0f, 0.0f, 1.0f}};
  masked(x);
  CHECK_GRADIENTS([&] { return Tensor(masked(x, {.training = true, .masks = {&mask}})) * Tensor(random_array({2, 4, 3}, 15)); },
                  {x, masked->gamma(), masked->beta()});
}

TEST_CASE("BatchNormalization: configs, errors, files") {
  BatchNormalization bn({.axis = 1, .momentum = 0.9f, .epsilon = 0.01f, .center = false,
                         .gamma_initializer = {"random_normal", {{"stddev", 0.1}}}, .name = "norm"});
  kiln::testing::check_config_round_trip(*bn);
  const json config = bn->get_config();
  CHECK(config.at("synchronized") == false);
  CHECK(config.at("momentum") == doctest::Approx(0.9));
  // Keras 3's own config form (DTypePolicy, initializer objects with module and registered_name).
  CHECK(layer_from_config("BatchNormalization", golden_config("torch/layers.safetensors", "bn_masked"))
            ->get_config()
            .at("epsilon") == doctest::Approx(1e-3));
  CHECK_THROWS_WITH_AS(BatchNormalization({.synchronized = true, .name = "bn"}),
                       doctest::Contains("BatchNormalization 'bn': synchronized=true"), Error);
  CHECK_THROWS_WITH_AS(BatchNormalization({.momentum = 1.5f, .name = "bn"}),
                       doctest::Contains("momentum must be in [0, 1], got 1.5"), Error);
  CHECK_THROWS_WITH_AS(BatchNormalization({.axis = 3, .name = "bn"})(Tensor(random_array({2, 3}, 1))),
                       "BatchNormalization 'bn': axis 3 is out of range or the batch axis for input (2, 3)", ShapeError);
  bn(Tensor(random_array({2, 3, 4}, 1)));
  CHECK_THROWS_WITH_AS(bn(Tensor(random_array({2, 5, 4}, 1))),
                       "BatchNormalization 'norm': was built for inputs (2, 3, 4) and cannot be called on (2, 5, 4)",
                       ShapeError);
  const Array mask = Array::from_shape({2, 3});
  CHECK_THROWS_WITH_AS(bn(Tensor(random_array({2, 3, 4}, 1)), {.training = true, .masks = {&mask}}),
                       doctest::Contains("a mask needs axis -1"), ShapeError);
  const std::vector<Array> xs{random_array({5, 3, 4}, 21)};
  bn->set_weights({random_array({3}, 22), random_array({3}, 23), random_array({3}, 24, 0.5f, 2.0f)});
  kiln::testing::check_save_load(*kiln::testing::one_layer_model(bn, xs), xs);
}
