// A model saved compiled comes back compiled, as Keras' load_model returns
// it: the optimizer with its options and state, the losses, metrics and
// loss weights (models/compile_config.hpp); optimizers read and write
// Keras' configs.

#include <filesystem>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "layers/dense.hpp"
#include "models/compile_config.hpp"
#include "models/functional.hpp"
#include "io/atomic_file.hpp"
#include "models/model_file.hpp"
#include "optimizers/adam.hpp"
#include "optimizers/make_optimizer.hpp"
#include "optimizers/rmsprop.hpp"
#include "optimizers/sgd.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;
using nlohmann::json;
using kiln::testing::ScratchDir;

namespace {


std::shared_ptr<FunctionalModel> two_headed_model() {
  auto x = Input({4}, "x");
  Dense hidden({.units = 5, .activation = "tanh", .name = "hidden"});
  Dense cls({.units = 3, .activation = "softmax", .name = "cls"});
  Dense reg({.units = 1, .name = "reg"});
  SymbolicTensor h = hidden(x);
  return Functional({x}, {cls(h), reg(h)}).ptr();
}

Array one_hot_rows(std::size_t n, std::size_t classes) {
  Array y = xt::zeros<float>({n, classes});
  for (std::size_t i = 0; i < n; ++i) y(i, i % classes) = 1.0f;
  return y;
}

}  // namespace

TEST_CASE("a model saved compiled and trained resumes exactly where it stopped") {
  set_random_seed(11);
  auto model = two_headed_model();
  model->compile({.optimizer = std::make_shared<Adam>(Adam::Options{.learning_rate = 0.01f, .beta_1 = 0.8f}),
                  .loss = std::map<std::string, LossChoice>{{"cls", "categorical_crossentropy"}, {"reg", "mse"}},
                  .metrics = std::map<std::string, std::vector<MetricChoice>>{{"cls", {"accuracy"}}},
                  .loss_weights = std::map<std::string, float>{{"cls", 1.0f}, {"reg", 0.5f}}});
  const Array x = random_array({6, 4}, 1);
  const std::vector<Array> y = {one_hot_rows(6, 3), random_array({6, 1}, 2)};
  for (int i = 0; i < 3; ++i) model->train_on_batch({x}, y);

  ScratchDir dir("compile_state");
  save_model(*model, dir.path);
  CHECK(std::filesystem::exists(dir.path / "optimizer.safetensors"));
  const auto loaded = load_model(dir.path);
  REQUIRE(loaded->compiled());
  CHECK(loaded->optimizer().name() == "adam");
  CHECK(loaded->optimizer().iterations() == 3);
  CHECK(loaded->optimizer().get_config() == model->optimizer().get_config());

  // The next step is the same step: same logs, same weights, bit for bit.
  const auto expected = model->train_on_batch({x}, y);
  const auto got = loaded->train_on_batch({x}, y);
  CHECK(got == expected);
  CHECK(got.count("cls_accuracy") == 1);
  CHECK(got.count("reg_loss") == 1);
  const auto a = model->get_weights(), b = loaded->get_weights();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == b[i]);
}

TEST_CASE("a model compiled with C++ code is saved uncompiled, and says so") {
  auto model = two_headed_model();
  const LossFunction custom = [](const Tensor& p, const Array& t, const Array* w) { return mean_squared_error(p, t, w); };
  model->compile({.loss = {LossChoice(custom, "mine"), LossChoice("mse")}});
  ScratchDir dir("compile_state");
  std::ostringstream captured;
  auto* old = std::cerr.rdbuf(captured.rdbuf());
  save_model(*model, dir.path);
  std::cerr.rdbuf(old);
  CHECK(captured.str().find("is saved uncompiled: a loss is a C++ function") != std::string::npos);
  CHECK_FALSE(load_model(dir.path)->compiled());
}

TEST_CASE("optimizers round-trip their configs, with the learning rate as it is now") {
  for (const auto& optimizer :
       std::vector<std::shared_ptr<Optimizer>>{std::make_shared<Adam>(Adam::Options{.beta_2 = 0.99f, .clipnorm = 1.0f}),
                                               std::make_shared<SGD>(SGD::Options{.momentum = 0.9f, .nesterov = true}),
                                               std::make_shared<RMSprop>(RMSprop::Options{.centered = true}),
                                               make_optimizer("adamw")}) {
    CAPTURE(optimizer->name());
    const json serialized = serialize_optimizer(*optimizer);
    CHECK(optimizer_from_config(serialized)->get_config() == optimizer->get_config());
  }
  SGD sgd;
  sgd.set_learning_rate(0.001f);
  CHECK(sgd.get_config().at("learning_rate").get<float>() == 0.001f);
  Adam scheduled({.learning_rate_schedule = [](std::size_t) { return 0.1f; }});
  CHECK_THROWS_WITH_AS(scheduled.get_config(), doctest::Contains("learning_rate_schedule is a C++ function"), Error);
}

TEST_CASE("optimizer configs as Keras 3 writes them are read; features kiln lacks are refused") {
  json keras = {{"class_name", "Adam"},
                {"config",
                 {{"name", "adam"}, {"learning_rate", 0.002}, {"weight_decay", nullptr}, {"clipnorm", nullptr},
                  {"global_clipnorm", nullptr}, {"clipvalue", nullptr}, {"use_ema", false}, {"ema_momentum", 0.99},
                  {"ema_overwrite_frequency", nullptr}, {"loss_scale_factor", nullptr},
                  {"gradient_accumulation_steps", nullptr}, {"beta_1", 0.9}, {"beta_2", 0.999}, {"epsilon", 1e-7},
                  {"amsgrad", false}}}};
  const auto adam = optimizer_from_config(keras);
  CHECK(adam->name() == "adam");
  CHECK(adam->learning_rate() == doctest::Approx(0.002));
  keras["config"]["amsgrad"] = true;
  CHECK_THROWS_WITH_AS(optimizer_from_config(keras), doctest::Contains("Adam: 'amsgrad' = true is not an option kiln supports"),
                       FormatError);
  CHECK_THROWS_WITH_AS(optimizer_from_config(json{{"class_name", "Adagrad"}, {"config", json::object()}}),
                       doctest::Contains("unknown optimizer class 'Adagrad'"), FormatError);
}

TEST_CASE("a damaged compile_config is a FormatError naming model.json") {
  auto model = two_headed_model();
  model->compile({.loss = {"categorical_crossentropy", "mse"}});
  ScratchDir dir("compile_state");
  save_model(*model, dir.path);
  const auto path = dir.path / "model.json";
  json file = json::parse(io::read_file(path));
  CHECK(file.at("compile_config").at("loss") == json{"categorical_crossentropy", "mse"});
  file["compile_config"]["optimizer"]["config"]["beta_1"] = "high";
  io::write_file_atomically(path, file.dump());
  CHECK_THROWS_WITH_AS(load_model(dir.path), doctest::Contains("model.json: compile_config: Adam: 'beta_1' must be a number"),
                       FormatError);
}
