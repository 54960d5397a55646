// ReduceLROnPlateau against Keras 3's rules (keras/src/callbacks/
// reduce_lr_on_plateau.py), driven with made-up logs epoch by epoch, so
// every count can be followed by hand, then once inside a real fit().

#include <cmath>
#include <sstream>

#include "layers/dense.hpp"
#include "models/functional.hpp"
#include "models/reduce_lr_on_plateau.hpp"
#include "optimizers/sgd.hpp"
#include "support.hpp"

using namespace kiln;

namespace {

// A compiled Dense(1) on 3 features, SGD at `learning_rate`.
Functional small_model(float learning_rate) {
  auto in = Input({3}, "features");
  Functional model({in}, {Dense({.units = 1, .name = "out"})(in)}, "plateau");
  model->compile({.optimizer = std::make_shared<SGD>(SGD::Options{.learning_rate = learning_rate}), .loss = "mse"});
  return model;
}

// Feeds one monitored value per epoch and records the rate after each.
std::vector<float> rates_after(Functional& model, ReduceLROnPlateau& callback, const std::vector<double>& values,
                               const std::string& monitor = "val_loss") {
  callback.set_model(model.ptr().get());
  callback.on_train_begin({});
  std::vector<float> rates;
  for (std::size_t epoch = 0; epoch < values.size(); ++epoch) {
    callback.on_epoch_end(epoch, {{monitor, values[epoch]}});
    rates.push_back(model->optimizer().learning_rate());
  }
  return rates;
}

}  // namespace

TEST_CASE("ReduceLROnPlateau multiplies the rate by factor after `patience` epochs without improvement") {
  Functional model = small_model(1.0f);
  ReduceLROnPlateau callback({.factor = 0.5, .patience = 2});
  // 1.0 improves, 1.0 and 1.0 do not (2 = patience): halve; then 0.9
  // improves, 0.95, 0.9 do not: halve again.
  const auto rates = rates_after(model, callback, {1.0, 1.0, 1.0, 0.9, 0.95, 0.9});
  CHECK(rates == std::vector<float>{1.0f, 1.0f, 0.5f, 0.5f, 0.5f, 0.25f});
}

TEST_CASE("ReduceLROnPlateau counts an improvement smaller than min_delta as none") {
  Functional model = small_model(1.0f);
  ReduceLROnPlateau callback({.factor = 0.1, .patience = 1, .min_delta = 0.01});
  // 0.995 is below 1.0 but not by more than 0.01: no improvement -> reduce.
  const auto rates = rates_after(model, callback, {1.0, 0.995});
  CHECK(rates[0] == 1.0f);
  CHECK(rates[1] == 0.1f);
}

TEST_CASE("ReduceLROnPlateau in mode max (or auto on an accuracy) wants the value to rise") {
  Functional model = small_model(1.0f);
  ReduceLROnPlateau automatic({.monitor = "val_accuracy", .factor = 0.5, .patience = 1});
  CHECK(rates_after(model, automatic, {0.5, 0.6, 0.55}, "val_accuracy") == std::vector<float>{1.0f, 1.0f, 0.5f});
  Functional other = small_model(1.0f);
  ReduceLROnPlateau max({.monitor = "score", .factor = 0.5, .patience = 1, .mode = MonitorMode::max});
  CHECK(rates_after(other, max, {3.0, 2.0}, "score") == std::vector<float>{1.0f, 0.5f});
}

TEST_CASE("ReduceLROnPlateau waits `cooldown` epochs after a reduction before counting again") {
  Functional model = small_model(1.0f);
  ReduceLROnPlateau callback({.factor = 0.5, .patience = 1, .cooldown = 2});
  // Keras' counting: epoch 2 reduces and sets the counter to 2. Epoch 3
  // takes it to 1 and, still cooling down, does not count; epoch 4 takes it
  // to 0 and counts (wait 1 = patience): it reduces again, and so on.
  // Without cooldown every epoch after the first reduces.
  const auto rates = rates_after(model, callback, {1.0, 1.0, 1.0, 1.0, 1.0, 1.0});
  CHECK(rates == std::vector<float>{1.0f, 0.5f, 0.5f, 0.25f, 0.25f, 0.125f});
  Functional eager = small_model(1.0f);
  ReduceLROnPlateau no_cooldown({.factor = 0.5, .patience = 1});
  CHECK(rates_after(eager, no_cooldown, {1.0, 1.0, 1.0}) == std::vector<float>{1.0f, 0.5f, 0.25f});
}

TEST_CASE("ReduceLROnPlateau never goes below min_lr and stops reducing there") {
  Functional model = small_model(1.0f);
  ReduceLROnPlateau callback({.factor = 0.1, .patience = 1, .min_lr = 0.05});
  const auto rates = rates_after(model, callback, {1.0, 1.0, 1.0, 1.0});
  CHECK(rates[1] == 0.1f);
  CHECK(rates[2] == 0.05f);  // max(0.01, 0.05)
  CHECK(rates[3] == 0.05f);
}

TEST_CASE("ReduceLROnPlateau treats a NaN monitored value as no improvement, as Keras' comparisons do") {
  Functional model = small_model(1.0f);
  ReduceLROnPlateau callback({.factor = 0.5, .patience = 2});
  const auto rates = rates_after(model, callback, {1.0, NAN, NAN, 0.5});
  CHECK(rates == std::vector<float>{1.0f, 1.0f, 0.5f, 0.5f});
  CHECK(callback.best() == 0.5);  // a later real improvement still counts
  CHECK(callback.wait() == 0);
}

TEST_CASE("ReduceLROnPlateau warns, naming the logged values, when the monitored value is missing") {
  Functional model = small_model(1.0f);
  std::ostringstream warnings;
  ReduceLROnPlateau callback({.factor = 0.5, .patience = 0, .out = &warnings});
  callback.set_model(model.ptr().get());
  callback.on_train_begin({});
  callback.on_epoch_end(0, {{"loss", 1.0}, {"accuracy", 0.5}});
  CHECK(warnings.str() ==
        "Warning: Learning rate reduction is conditioned on metric `val_loss` which is not available. Available "
        "metrics are: accuracy,loss\n");
  CHECK(model->optimizer().learning_rate() == 1.0f);  // nothing changed
}

TEST_CASE("ReduceLROnPlateau with verbose says when it reduces, with Keras' words") {
  Functional model = small_model(0.5f);
  std::ostringstream out;
  ReduceLROnPlateau callback({.factor = 0.5, .patience = 1, .verbose = 1, .out = &out});
  rates_after(model, callback, {1.0, 2.0});
  CHECK(out.str() == "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.25.\n");
}

TEST_CASE("ReduceLROnPlateau refuses a factor of 1 or more and a negative min_lr") {
  CHECK_THROWS_WITH_AS(ReduceLROnPlateau({.factor = 1.0}), doctest::Contains("factor"), Error);
  CHECK_THROWS_WITH_AS(ReduceLROnPlateau({.min_lr = -1.0}), doctest::Contains("min_lr"), Error);
}

TEST_CASE("ReduceLROnPlateau in fit logs each epoch's learning rate and lowers it on a plateau") {
  // At a rate of 1e-9 the loss moves by far less than min_delta: every
  // epoch after the first is a plateau on "loss".
  Functional model = small_model(1e-9f);
  const Array x = testing::random_array({8, 3}, 3);
  const Array y = testing::random_array({8, 1}, 4);
  auto plateau = std::make_shared<ReduceLROnPlateau>(ReduceLROnPlateau::Options{
      .monitor = "loss", .factor = 0.5, .patience = 1, .min_delta = 1e-3});
  const History h = model->fit({x}, {y}, {.batch_size = 4, .epochs = 3, .verbose = 0, .callbacks = {plateau}});
  REQUIRE(h.has("learning_rate"));
  const auto& lr = h.history.at("learning_rate");
  REQUIRE(lr.size() == 3);
  // Logged before the epoch's reduction, as Keras logs it: the rate the epoch trained with.
  CHECK(lr[0] == double(1e-9f));
  CHECK(lr[1] == double(1e-9f));
  CHECK(lr[2] == double(1e-9f / 2));
  CHECK(model->optimizer().learning_rate() == 1e-9f / 4);
}
