// Model::fit and its companions (evaluate, predict, train_on_batch,
// callbacks, resuming from saved weights and optimizer state), checked on
// tiny problems whose numbers can be worked out by hand: a linear model
// with zero weights predicts 0, so its mean squared error is mean(y^2).

#include <atomic>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>
#include <unistd.h>
#include <xtensor/xview.hpp>

#include "io/safetensors.hpp"
#include "layers/dense.hpp"
#include "models/callbacks.hpp"
#include "models/functional.hpp"
#include "ops/blas.hpp"
#include "optimizers/adam.hpp"
#include "optimizers/sgd.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"
#include "training/losses.hpp"

using namespace kiln;
using kiln::testing::max_abs_diff;
using kiln::testing::random_array;
using kiln::testing::ScratchDir;

namespace {

// y = x . (1, -2, 0.5) + 0.3: what the regression tests learn.
Array linear_targets(const Array& x) {
  Array y = Array::from_shape({x.shape()[0], 1});
  for (std::size_t i = 0; i < x.shape()[0]; ++i) y(i, 0) = x(i, 0) - 2.0f * x(i, 1) + 0.5f * x(i, 2) + 0.3f;
  return y;
}

// n rows of 3 features and one target; the same arrays for the same seed.
struct Regression {
  Array x, y;
  explicit Regression(std::size_t n, std::uint64_t seed = 1)
      : x(random_array({n, 3}, seed)), y(linear_targets(x)) {}
};

// Dense(1) on 3 features, its weights zero: it predicts 0 until trained.
Functional linear_model(const std::string& name = "linear") {
  auto in = Input({3}, "features");
  Dense dense({.units = 1, .name = name + "_dense"});
  Functional model({in}, {dense(in)}, name);
  model->set_weights({Array(xt::zeros<float>({3, 1})), Array(xt::zeros<float>({1}))});
  return model;
}

void compile_sgd(Functional& model, float learning_rate, LossChoice loss = "mse") {
  model->compile({.optimizer = std::make_shared<SGD>(SGD::Options{.learning_rate = learning_rate}), .loss = loss});
}

// Every value of the series `name`, in order.
const std::vector<double>& series(const History& h, const std::string& name) { return h.history.at(name); }

bool same_weights(const std::vector<Array>& a, const std::vector<Array>& b, double tol = 0.0) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (max_abs_diff(a[i], b[i]) > tol) return false;
  }
  return true;
}

std::shared_ptr<LambdaCallback> on_epoch_end(std::function<void(std::size_t, const Logs&)> f) {
  return std::make_shared<LambdaCallback>(LambdaCallback::Options{.on_epoch_end = std::move(f)});
}

}  // namespace

TEST_CASE("fit lowers the loss of a small linear regression at least a hundredfold") {
  const Regression data(64);
  Functional model = linear_model();
  compile_sgd(model, 0.2f);
  const double before = model->evaluate({data.x}, {data.y}).at("loss");
  const History h = model->fit({data.x}, {data.y}, {.batch_size = 8, .epochs = 30, .seed = 1, .verbose = 0});
  const double after = model->evaluate({data.x}, {data.y}).at("loss");
  INFO("loss before " << before << ", after " << after);
  CHECK(before > 1.0);
  CHECK(after < before / 100.0);
  CHECK(series(h, "loss").back() < series(h, "loss").front() / 10.0);
  // The weights found are the ones the data was made with.
  const auto w = model->get_weights();
  CHECK(w[0](0, 0) == doctest::Approx(1.0).epsilon(0.05));
  CHECK(w[0](1, 0) == doctest::Approx(-2.0).epsilon(0.05));
}

TEST_CASE("history holds one value per epoch for the loss, each metric and their val_ twins") {
  const Array x = random_array({20, 2}, 3);
  Array y = xt::zeros<float>({20, 2});
  for (std::size_t i = 0; i < 20; ++i) y(i, x(i, 0) + x(i, 1) > 0 ? 1 : 0) = 1.0f;
  auto in = Input({2});
  Dense classifier({.units = 2, .activation = "softmax"});
  Functional model({in}, {classifier(in)});
  model->compile({.optimizer = "adam", .loss = "categorical_crossentropy", .metrics = {"accuracy"}});
  const History h = model->fit({x}, {y}, {.batch_size = 4, .epochs = 3, .validation_split = 0.25, .verbose = 0});

  std::vector<std::string> keys;
  for (const auto& [name, values] : h.history) keys.push_back(name);
  CHECK(keys == std::vector<std::string>{"accuracy", "loss", "val_accuracy", "val_loss"});
  for (const auto& [name, values] : h.history) {
    INFO(name);
    CHECK(values.size() == 3);
  }
  CHECK(h.epochs() == 3);
  for (double a : series(h, "val_accuracy")) CHECK((a >= 0.0 && a <= 1.0));
  // The last epoch's validation values are what evaluate() says of the last 5 samples.
  const auto val = model->evaluate({xt::view(x, xt::range(15, 20))}, {xt::view(y, xt::range(15, 20))});
  CHECK(series(h, "val_loss").back() == doctest::Approx(val.at("loss")).epsilon(1e-6));
  CHECK(series(h, "val_accuracy").back() == doctest::Approx(val.at("accuracy")));
}

TEST_CASE("validation_split holds out the last fraction of the samples, taken before shuffling") {
  // Targets 1 for the first 7 samples, 5 for the last 3. The model stays at
  // zero (learning rate 0), so loss = 1 and val_loss = 25 exactly when the
  // split is the last 30%, whatever the shuffling does to the training part.
  const Array x = random_array({10, 3}, 4);
  Array y = xt::ones<float>({10, 1});
  for (std::size_t i = 7; i < 10; ++i) y(i, 0) = 5.0f;
  Functional model = linear_model();
  compile_sgd(model, 0.0f);
  std::size_t batches = 0;
  auto count = std::make_shared<LambdaCallback>(
      LambdaCallback::Options{.on_batch_end = [&](std::size_t, const Logs&) { ++batches; }});
  const History h = model->fit({x}, {y}, {.batch_size = 1, .epochs = 2, .validation_split = 0.3, .shuffle = true,
                                          .verbose = 0, .callbacks = {count}});
  CHECK(batches == 2 * 7);  // 7 training samples, one per batch
  CHECK(series(h, "loss") == std::vector<double>{1.0, 1.0});
  CHECK(series(h, "val_loss") == std::vector<double>{25.0, 25.0});
}

TEST_CASE("explicit validation data is evaluated after every epoch and overrides validation_split") {
  const Regression train(16, 5), val(6, 6);
  Functional model = linear_model();
  compile_sgd(model, 0.1f);
  std::size_t batches = 0;
  auto count = std::make_shared<LambdaCallback>(
      LambdaCallback::Options{.on_batch_end = [&](std::size_t, const Logs&) { ++batches; }});
  const History h = model->fit({train.x}, {train.y},
                               {.batch_size = 4, .epochs = 3, .validation_x = {val.x}, .validation_y = {val.y},
                                .validation_split = 0.5, .verbose = 0, .callbacks = {count}});
  CHECK(batches == 3 * 4);  // all 16 samples trained: validation_data wins, as in Keras
  REQUIRE(series(h, "val_loss").size() == 3);
  CHECK(series(h, "val_loss").back() == doctest::Approx(model->evaluate({val.x}, {val.y}).at("loss")).epsilon(1e-6));
  CHECK(series(h, "val_loss")[2] < series(h, "val_loss")[0]);
}

TEST_CASE("shuffling with a fixed seed is reproducible; another seed trains differently") {
  const Regression data(24, 7);
  auto train = [&](std::uint64_t seed) {
    Functional model = linear_model();
    compile_sgd(model, 0.1f);
    model->fit({data.x}, {data.y}, {.batch_size = 5, .epochs = 3, .shuffle = true, .seed = seed, .verbose = 0});
    return model->get_weights();
  };
  const auto first = train(42), second = train(42), other = train(43);
  CHECK(same_weights(first, second, 0.0));
  CHECK_FALSE(same_weights(first, other, 1e-6));
}

TEST_CASE("a batch size that does not divide the sample count leaves a smaller last batch") {
  // y = 0, 1, ..., 9 and a model stuck at 0 (learning rate 0): each sample's
  // loss is i^2. The epoch's loss weights every batch by its size, so it is
  // the mean over samples, 28.5, not the mean of the batch means.
  const Array x = random_array({10, 3}, 8);
  Array y = Array::from_shape({10, 1});
  for (std::size_t i = 0; i < 10; ++i) y(i, 0) = float(i);
  std::vector<std::size_t> batch_sizes;
  LossFunction recording_mse = [&](const Tensor& p, const Array& t, const Array* w) {
    batch_sizes.push_back(p.shape(0));
    return mean_squared_error(p, t, w);
  };
  Functional model = linear_model();
  compile_sgd(model, 0.0f, LossChoice(recording_mse, "mse"));
  const History h = model->fit({x}, {y}, {.batch_size = 4, .epochs = 1, .verbose = 0});
  CHECK(batch_sizes == std::vector<std::size_t>{4, 4, 2});
  CHECK(series(h, "loss")[0] == doctest::Approx(28.5).epsilon(1e-6));
}

TEST_CASE("EarlyStopping stops after `patience` epochs without improvement, as Keras counts them") {
  // min_delta is so large that no epoch after the first counts as better.
  const Regression data(12, 9);
  for (std::size_t patience : {0, 1, 3}) {
    CAPTURE(patience);
    Functional model = linear_model();
    compile_sgd(model, 0.05f);
    auto stopper = std::make_shared<EarlyStopping>(
        EarlyStopping::Options{.monitor = "loss", .min_delta = 1e9, .patience = patience});
    const History h = model->fit({data.x}, {data.y}, {.batch_size = 4, .epochs = 10, .verbose = 0,
                                                      .callbacks = {stopper}});
    // Epoch 0 sets the best; epochs 1..patience do not improve; Keras stops at
    // the epoch where the wait reaches patience (and never at epoch 0).
    const std::size_t stopped = std::max<std::size_t>(patience, 1);
    REQUIRE(stopper->stopped_epoch().has_value());
    CHECK(*stopper->stopped_epoch() == stopped);
    CHECK(h.epochs() == stopped + 1);
  }
}

TEST_CASE("EarlyStopping does not stop while the monitored value keeps improving") {
  const Regression data(12, 9);
  Functional model = linear_model();
  compile_sgd(model, 0.05f);
  auto stopper = std::make_shared<EarlyStopping>(EarlyStopping::Options{.monitor = "loss", .patience = 1});
  const History h = model->fit({data.x}, {data.y}, {.batch_size = 4, .epochs = 5, .verbose = 0, .callbacks = {stopper}});
  CHECK(h.epochs() == 5);
  CHECK_FALSE(stopper->stopped_epoch().has_value());
}

TEST_CASE("EarlyStopping with restore_best_weights puts back the best epoch's weights") {
  // Training pulls every prediction towards +1, the validation targets are
  // -1: val_loss gets worse every epoch, so epoch 0 is the best.
  const Array x = random_array({8, 3}, 10);
  const Array up = xt::ones<float>({8, 1});
  const Array down = -up;
  Functional model = linear_model();
  compile_sgd(model, 0.1f);
  std::vector<std::vector<Array>> weights_after;
  auto record = on_epoch_end([&](std::size_t, const Logs&) { weights_after.push_back(model->get_weights()); });
  auto stopper = std::make_shared<EarlyStopping>(
      EarlyStopping::Options{.monitor = "val_loss", .patience = 1, .restore_best_weights = true});
  const History h = model->fit({x}, {up}, {.batch_size = 4, .epochs = 10, .validation_x = {x}, .validation_y = {down},
                                          .verbose = 0, .callbacks = {record, stopper}});
  REQUIRE(h.epochs() == 2);
  REQUIRE(series(h, "val_loss")[1] > series(h, "val_loss")[0]);
  CHECK(same_weights(model->get_weights(), weights_after[0]));
  CHECK_FALSE(same_weights(model->get_weights(), weights_after[1], 1e-6));
}

TEST_CASE("EarlyStopping names a monitored value that is not logged") {
  const Regression data(8);
  Functional model = linear_model();
  compile_sgd(model, 0.1f);
  auto stopper = std::make_shared<EarlyStopping>(EarlyStopping::Options{.monitor = "val_loss"});
  CHECK_THROWS_WITH_AS(model->fit({data.x}, {data.y}, {.verbose = 0, .callbacks = {stopper}}),
                       doctest::Contains("monitored value 'val_loss' is not logged (available: loss)"), Error);
}

TEST_CASE("ModelCheckpoint writes one file per epoch, {epoch} replaced by the 1-based epoch") {
  ScratchDir dir("fit");
  const Regression data(8);
  Functional model = linear_model();
  compile_sgd(model, 0.1f);
  auto checkpoint =
      std::make_shared<ModelCheckpoint>(ModelCheckpoint::Options{.filepath = dir.path / "weights_{epoch}.safetensors"});
  model->fit({data.x}, {data.y}, {.batch_size = 4, .epochs = 3, .verbose = 0, .callbacks = {checkpoint}});
  for (int epoch = 1; epoch <= 3; ++epoch) {
    const auto file = dir.path / ("weights_" + std::to_string(epoch) + ".safetensors");
    INFO(file);
    CHECK(std::filesystem::is_regular_file(file));
  }
  CHECK_FALSE(std::filesystem::exists(dir.path / "weights_4.safetensors"));
  // The last file holds the final weights.
  Functional reloaded = linear_model();
  reloaded->load_weights(dir.path / "weights_3.safetensors");
  CHECK(same_weights(reloaded->get_weights(), model->get_weights()));
}

TEST_CASE("ModelCheckpoint with include_optimizer writes weights and optimizer state as one directory per epoch") {
  ScratchDir dir("fit");
  const Regression data(8);
  Functional model = linear_model();
  model->compile({.optimizer = "adam", .loss = "mse"});
  auto checkpoint = std::make_shared<ModelCheckpoint>(
      ModelCheckpoint::Options{.filepath = dir.path / "ckpt_{epoch}", .include_optimizer = true});
  model->fit({data.x}, {data.y}, {.batch_size = 4, .epochs = 3, .verbose = 0, .callbacks = {checkpoint}});
  for (int epoch = 1; epoch <= 3; ++epoch) {
    const auto unit = dir.path / ("ckpt_" + std::to_string(epoch));
    INFO(unit);
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(unit)) names.insert(e.path().filename().string());
    CHECK(names == std::set<std::string>{"weights.safetensors", "optimizer.safetensors"});
    // The two halves belong to the same epoch: 2 steps per epoch.
    const auto state = io::load_safetensors(unit / "optimizer.safetensors");
    REQUIRE(state.front().name == "iterations");
    CHECK(state.front().value.data()[0] == float(2 * epoch));
  }
  // The parent holds the three units and nothing else (no staging, no lock).
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path), std::filesystem::directory_iterator()) == 3);
  Functional resumed = linear_model();
  resumed->compile({.optimizer = "adam", .loss = "mse"});
  resumed->load_weights(dir.path / "ckpt_3" / "weights.safetensors");
  resumed->load_optimizer_state(dir.path / "ckpt_3" / "optimizer.safetensors");
  model->fit({data.x}, {data.y}, {.batch_size = 4, .epochs = 1, .shuffle = false, .verbose = 0});
  resumed->fit({data.x}, {data.y}, {.batch_size = 4, .epochs = 1, .shuffle = false, .verbose = 0});
  CHECK(same_weights(resumed->get_weights(), model->get_weights()));
}

TEST_CASE("ModelCheckpoint with save_best_only writes only when the monitored value improves") {
  ScratchDir dir("fit");
  const Array x = random_array({8, 3}, 10);
  const Array up = xt::ones<float>({8, 1});
  const Array down = -up;
  Functional model = linear_model();
  compile_sgd(model, 0.1f);
  auto checkpoint = std::make_shared<ModelCheckpoint>(ModelCheckpoint::Options{
      .filepath = dir.path / "best_{epoch}.safetensors", .monitor = "val_loss", .save_best_only = true});
  // val_loss worsens every epoch (see the restore_best_weights test).
  const History h = model->fit({x}, {up}, {.batch_size = 4, .epochs = 3, .validation_x = {x}, .validation_y = {down},
                                          .verbose = 0, .callbacks = {checkpoint}});
  REQUIRE(series(h, "val_loss")[2] > series(h, "val_loss")[1]);
  CHECK(std::filesystem::exists(dir.path / "best_1.safetensors"));
  CHECK_FALSE(std::filesystem::exists(dir.path / "best_2.safetensors"));
  CHECK_FALSE(std::filesystem::exists(dir.path / "best_3.safetensors"));
}

TEST_CASE("a LambdaCallback sees training begin and end, every epoch and every batch, in order") {
  const Regression data(10);
  Functional model = linear_model();
  compile_sgd(model, 0.1f);
  std::string events;
  std::vector<Logs> epoch_logs;
  auto spy = std::make_shared<LambdaCallback>(LambdaCallback::Options{
      .on_epoch_begin = [&](std::size_t e, const Logs&) { events += "E" + std::to_string(e); },
      .on_epoch_end = [&](std::size_t e, const Logs& logs) { events += "e" + std::to_string(e) + " "; epoch_logs.push_back(logs); },
      .on_batch_end = [&](std::size_t b, const Logs&) { events += "b" + std::to_string(b); },
      .on_train_begin = [&](const Logs&) { events += "begin "; },
      .on_train_end = [&](const Logs&) { events += "end"; }});
  const History h = model->fit({data.x}, {data.y}, {.batch_size = 4, .epochs = 3, .validation_x = {data.x},
                                                    .validation_y = {data.y}, .verbose = 0, .callbacks = {spy}});
  CHECK(events == "begin E0b0b1b2e0 E1b0b1b2e1 E2b0b1b2e2 end");
  REQUIRE(epoch_logs.size() == 3);
  for (std::size_t e = 0; e < 3; ++e) {
    CHECK(epoch_logs[e].at("loss") == series(h, "loss")[e]);
    CHECK(epoch_logs[e].at("val_loss") == series(h, "val_loss")[e]);
  }
}

TEST_CASE("TerminateOnNaN stops at the batch whose loss is NaN and says which epoch and batch") {
  // A custom loss that turns NaN on its 8th call: 5 batches per epoch, so
  // epoch 2 (1-based), batch 3.
  const Regression data(10);
  int calls = 0;
  LossFunction poisoned = [&](const Tensor& p, const Array& t, const Array* w) {
    Array target = t;
    if (++calls == 8) target.fill(NAN);
    return mean_squared_error(p, target, w);
  };
  Functional model = linear_model();
  compile_sgd(model, 0.1f, LossChoice(poisoned, "poisoned_mse"));
  auto terminate = std::make_shared<TerminateOnNaN>();
  std::size_t batches = 0;
  auto count = std::make_shared<LambdaCallback>(
      LambdaCallback::Options{.on_batch_end = [&](std::size_t, const Logs&) { ++batches; }});
  const History h = model->fit({data.x}, {data.y}, {.batch_size = 2, .epochs = 5, .verbose = 0,
                                                    .callbacks = {terminate, count}});
  CHECK(terminate->message() == "loss became nan at epoch 2, batch 3; training terminated");
  CHECK(batches == 5 + 3);
  CHECK(h.epochs() == 2);
  CHECK(std::isnan(series(h, "loss")[1]));
}

TEST_CASE("LearningRateScheduler sets the learning rate at the start of every epoch") {
  const Regression data(8);
  Functional model = linear_model();
  compile_sgd(model, 0.1f);
  std::vector<float> rates;
  std::vector<std::vector<Array>> weights_after;
  auto schedule = std::make_shared<LearningRateScheduler>(
      [](std::size_t epoch, float lr) { return epoch == 0 ? lr : epoch == 1 ? lr * 0.5f : 0.0f; });
  auto spy = std::make_shared<LambdaCallback>(LambdaCallback::Options{
      .on_epoch_begin = [&](std::size_t, const Logs&) { rates.push_back(model->optimizer().learning_rate()); },
      .on_epoch_end = [&](std::size_t, const Logs&) { weights_after.push_back(model->get_weights()); }});
  model->fit({data.x}, {data.y}, {.batch_size = 4, .epochs = 3, .verbose = 0, .callbacks = {schedule, spy}});
  CHECK(rates == std::vector<float>{0.1f, 0.05f, 0.0f});
  // Epoch 3 ran at rate 0: the weights did not move.
  CHECK(same_weights(weights_after[2], weights_after[1]));
  CHECK_FALSE(same_weights(weights_after[1], weights_after[0], 1e-7));
}

TEST_CASE("verbose=1 into a stream writes one Epoch line and one progress line per epoch") {
  const Regression data(10);
  Functional model = linear_model();
  compile_sgd(model, 0.1f);
  std::ostringstream out;
  model->fit({data.x}, {data.y}, {.batch_size = 5, .epochs = 3, .validation_x = {data.x}, .validation_y = {data.y},
                                  .verbose = 1, .out = &out});
  const std::string text = out.str();
  INFO(text);
  CHECK(text.find('\r') == std::string::npos);  // not a terminal: no redraws
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == 6);
  for (std::size_t e = 0; e < 3; ++e) {
    CHECK(lines[2 * e] == "Epoch " + std::to_string(e + 1) + "/3");
    CHECK(lines[2 * e + 1].rfind("2/2 [==============================]", 0) == 0);
    CHECK(lines[2 * e + 1].find(" - loss: ") != std::string::npos);
    CHECK(lines[2 * e + 1].find(" - val_loss: ") != std::string::npos);
  }

  std::ostringstream silent;
  model->fit({data.x}, {data.y}, {.batch_size = 5, .epochs = 2, .verbose = 0, .out = &silent});
  CHECK(silent.str().empty());
}

TEST_CASE("fit rejects bad datasets with messages naming the problem") {
  Functional model = linear_model();
  compile_sgd(model, 0.1f);
  const Regression data(10);
  const FitOptions quiet{.verbose = 0};
  SUBCASE("x and y with different sample counts") {
    CHECK_THROWS_WITH_AS(model->fit({data.x}, {xt::view(data.y, xt::range(0, 9))}, quiet),
                         doctest::Contains("fit: x[0] has 10 samples but y[0] has 9 (shape (9, 1))"), ShapeError);
    CHECK_THROWS_WITH_AS(model->evaluate({data.x}, {xt::view(data.y, xt::range(0, 9))}),
                         doctest::Contains("evaluate: x[0] has 10 samples but y[0] has 9"), ShapeError);
  }
  SUBCASE("an empty dataset") {
    CHECK_THROWS_WITH_AS(model->fit({Array::from_shape({0, 3})}, {Array::from_shape({0, 1})}, quiet),
                         doctest::Contains("fit: the dataset is empty"), Error);
    CHECK_THROWS_WITH_AS(model->fit({}, {}, quiet), doctest::Contains("fit: no input arrays given"), Error);
  }
  SUBCASE("NaN or Inf in the data, with the sample it is in") {
    Array x = data.x, y = data.y;
    x(4, 1) = NAN;
    CHECK_THROWS_WITH_AS(model->fit({x}, {data.y}, quiet), doctest::Contains("fit: x[0] contains NaN in sample 4"),
                         Error);
    y(2, 0) = INFINITY;
    CHECK_THROWS_WITH_AS(model->fit({data.x}, {y}, quiet), doctest::Contains("fit: y[0] contains Inf in sample 2"),
                         Error);
    CHECK_THROWS_WITH_AS(model->fit({data.x}, {data.y}, {.validation_x = {x}, .validation_y = {data.y}, .verbose = 0}),
                         doctest::Contains("fit (validation data): x[0] contains NaN in sample 4"), Error);
    CHECK_THROWS_WITH_AS(model->predict({x}), doctest::Contains("predict: x[0] contains NaN in sample 4"), Error);
  }
  SUBCASE("NaN in either half of a batch large enough to be checked on two threads") {
    const int threads_before = num_threads();
    set_num_threads(2);
    const Regression big(100000);  // 300,000 floats: over parallel_min_flops, so checked in two halves
    for (const std::size_t sample : {7, 99990}) {
      Array x = big.x;
      x(sample, 2) = NAN;
      const std::string expected = "train_on_batch: x[0] contains NaN in sample " + std::to_string(sample);
      CHECK_THROWS_WITH_AS(model->train_on_batch({x}, {big.y}), doctest::Contains(expected.c_str()), Error);
    }
    set_num_threads(threads_before);
  }
  SUBCASE("bad options") {
    CHECK_THROWS_WITH_AS(model->fit({data.x}, {data.y}, {.batch_size = 0, .verbose = 0}),
                         doctest::Contains("fit: batch_size must be positive"), Error);
    CHECK_THROWS_WITH_AS(model->fit({data.x}, {data.y}, {.validation_split = 1.0, .verbose = 0}),
                         doctest::Contains("fit: validation_split must be in [0, 1)"), Error);
    CHECK_THROWS_WITH_AS(model->fit({data.x}, {data.y}, {.validation_split = 0.05, .verbose = 0}),
                         doctest::Contains("leaves no training or no validation samples"), Error);
  }
  SUBCASE("more target arrays than outputs") {
    CHECK_THROWS_WITH_AS(model->fit({data.x}, {data.y, data.y}, quiet),
                         doctest::Contains("the model has 1 outputs but 2 target arrays were given"), Error);
  }
}

TEST_CASE("training before compile() fails with a message that says to compile") {
  Functional model = linear_model("uncompiled");
  const Regression data(4);
  const std::string message = "Functional 'uncompiled': compile() the model before training it";
  CHECK_THROWS_WITH_AS(model->fit({data.x}, {data.y}), doctest::Contains(message.c_str()), Error);
  CHECK_THROWS_WITH_AS(model->train_on_batch({data.x}, {data.y}), doctest::Contains(message.c_str()), Error);
  CHECK_THROWS_WITH_AS(model->evaluate({data.x}, {data.y}), doctest::Contains(message.c_str()), Error);
  // Inference needs no compile, as in Keras.
  CHECK(model->predict({data.x})[0].shape() == Shape{4, 1});
}

TEST_CASE("predict returns one array per output, all samples in order, whatever the batch size") {
  auto in = Input({3});
  Dense a({.units = 2}), b({.units = 4, .activation = "softmax"});
  Functional model({in}, {a(in), b(in)});
  const Array x = random_array({10, 3}, 11);
  const auto whole = model({Tensor(x)});
  const auto outputs = model->predict({x}, 4);  // batches of 4, 4 and 2
  REQUIRE(outputs.size() == 2);
  CHECK(outputs[0].shape() == Shape{10, 2});
  CHECK(outputs[1].shape() == Shape{10, 4});
  CHECK_ARRAY_NEAR(outputs[0], whole[0].value(), 1e-6);
  CHECK_ARRAY_NEAR(outputs[1], whole[1].value(), 1e-6);
}

TEST_CASE("evaluate returns the loss and metrics over all samples, whatever the batch size") {
  // Zero weights: predictions 0, loss = mean(y^2) over the 10 samples.
  const Regression data(10, 12);
  Functional model = linear_model();
  compile_sgd(model, 0.1f);
  double expected = 0.0;
  for (std::size_t i = 0; i < 10; ++i) expected += data.y(i, 0) * data.y(i, 0) / 10.0;
  const auto whole = model->evaluate({data.x}, {data.y}, 10);
  const auto in_threes = model->evaluate({data.x}, {data.y}, 3);
  CHECK(whole.size() == 1);
  CHECK(whole.at("loss") == doctest::Approx(expected).epsilon(1e-6));
  CHECK(in_threes.at("loss") == doctest::Approx(expected).epsilon(1e-6));
}

TEST_CASE("training resumed from saved weights and optimizer state continues step for step") {
  ScratchDir dir("fit");
  const Regression data(12, 13);
  // Same layer names in both models: weights and optimizer slots are matched by name.
  auto make = [] {
    auto in = Input({3}, "features");
    Dense hidden({.units = 4, .activation = "tanh", .name = "hidden"});
    Dense out({.units = 1, .name = "out"});
    Functional model({in}, {out(hidden(in))}, "resumable");
    model->compile({.optimizer = std::make_shared<Adam>(Adam::Options{.learning_rate = 0.01f}), .loss = "mse"});
    return model;
  };
  std::vector<std::vector<Array>> batches_x, batches_y;
  for (std::size_t begin = 0; begin < 12; begin += 4) {
    batches_x.push_back({xt::view(data.x, xt::range(begin, begin + 4))});
    batches_y.push_back({xt::view(data.y, xt::range(begin, begin + 4))});
  }

  Functional original = make();
  original->fit({data.x}, {data.y}, {.batch_size = 4, .epochs = 2, .seed = 3, .verbose = 0});
  original->save_weights(dir.path / "weights.safetensors");
  original->save_optimizer_state(dir.path / "optimizer.safetensors");
  REQUIRE(original->optimizer().iterations() == 6);

  Functional resumed = make();
  resumed->load_weights(dir.path / "weights.safetensors");
  resumed->load_optimizer_state(dir.path / "optimizer.safetensors");
  CHECK(resumed->optimizer().iterations() == 6);
  Functional weights_only = make();  // Adam restarts from zero moments: it drifts
  weights_only->load_weights(dir.path / "weights.safetensors");

  for (std::size_t step = 0; step < 3; ++step) {
    CAPTURE(step);
    const double want = original->train_on_batch(batches_x[step], batches_y[step]).at("loss");
    const double got = resumed->train_on_batch(batches_x[step], batches_y[step]).at("loss");
    weights_only->train_on_batch(batches_x[step], batches_y[step]);
    CHECK(got == doctest::Approx(want).epsilon(1e-6));
    CHECK(same_weights(resumed->get_weights(), original->get_weights(), 1e-6));
  }
  CHECK_FALSE(same_weights(weights_only->get_weights(), original->get_weights(), 1e-6));
}
