// Training outside the default path, as Keras users write it: a custom
// train_step under fit (also data-parallel), frozen and unfrozen layers, and
// the data contracts (sample weights in validation and evaluate, seeded
// initialization from two threads).

#include <cmath>
#include <sstream>
#include <thread>

#include "graph/backward.hpp"
#include "graph/gradient_tape.hpp"
#include "layers/dense.hpp"
#include "models/callbacks.hpp"
#include "models/functional.hpp"
#include "optimizers/sgd.hpp"
#include "support.hpp"
#include "thread_communicator.hpp"
#include "training/losses.hpp"

using namespace kiln;
using kiln::testing::max_abs_diff;
using kiln::testing::random_array;
using kiln::testing::ThreadGroup;

namespace {

// y = 2 x0 - x1 + 0.5: a regression a Dense(1) learns.
Array targets_of(const Array& x) {
  Array y = Array::from_shape({x.shape()[0], 1});
  for (std::size_t i = 0; i < x.shape()[0]; ++i) y(i, 0) = 2.0f * x(i, 0) - x(i, 1) + 0.5f;
  return y;
}

// A subclassed model whose train_step is its own: the loss through a
// GradientTape, the update through apply_gradients, the logs through
// update_metrics, as Keras' "customizing what happens in fit()" guide does.
class TapeRegressor : public Model {
 public:
  explicit TapeRegressor(std::shared_ptr<Communicator> communicator = nullptr) : Model("TapeRegressor") {
    track(dense);
    dense->build_for({{unknown_dim, 2}});
    dense->set_weights({Array(xt::zeros<float>({2, 1})), Array(xt::zeros<float>({1}))});
    compile({.optimizer = std::make_shared<SGD>(SGD::Options{.learning_rate = 0.1f}), .loss = "mse",
             .communicator = std::move(communicator)});
  }
  std::size_t steps = 0;

  std::map<std::string, double> train_step(Batch batch) override {
    ++steps;
    GradientTape tape;
    const auto predictions = (*this)({Tensor(batch.x[0])}, {.training = true});
    Tensor loss = compute_loss(predictions, batch);
    const auto weights = trainable_weights();
    optimizer().apply_gradients(tape.gradient(loss, weights), weights);
    return update_metrics(predictions, batch, loss);
  }

 protected:
  std::vector<Tensor> call(const std::vector<Tensor>& in, const CallContext& ctx) override { return dense(in[0], ctx); }

 private:
  Dense dense{{.units = 1}};
};

}  // namespace

TEST_CASE("fit runs a custom train_step with its progress bar and callbacks, and it learns") {
  const Array x = random_array({40, 2}, 5);
  const Array y = targets_of(x);
  TapeRegressor model;
  std::size_t batches_seen = 0;
  auto counter = std::make_shared<LambdaCallback>(
      LambdaCallback::Options{.on_batch_end = [&](std::size_t, const Logs& logs) {
        ++batches_seen;
        CHECK(logs.contains("loss"));
      }});
  std::ostringstream progress;
  const History h = model.fit({x}, {y}, {.batch_size = 10, .epochs = 20, .seed = 3, .callbacks = {counter},
                                         .out = &progress});
  CHECK(model.steps == 80);
  CHECK(batches_seen == 80);
  CHECK(progress.str().find("loss:") != std::string::npos);
  const auto& loss = h.history.at("loss");
  CHECK(loss.back() < 0.05 * loss.front());
  // The last epoch's logged loss is the mean of its four batches' losses.
  CHECK(loss.back() > 0.0);
}

TEST_CASE("a custom train_step trains data-parallel like one process") {
  const Array x = random_array({24, 2}, 8);
  const Array y = targets_of(x);
  ThreadGroup group(2);
  std::vector<std::unique_ptr<TapeRegressor>> ranks;
  for (int r = 0; r < 2; ++r) ranks.push_back(std::make_unique<TapeRegressor>(group.communicator(r)));
  TapeRegressor alone;
  const FitOptions options{.batch_size = 8, .epochs = 3, .shuffle = false, .verbose = 0};
  std::vector<History> histories(2);
  group.run([&](int r) { histories[r] = ranks[r]->fit({x}, {y}, options); });
  const History expected = alone.fit({x}, {y}, options);
  for (int r = 0; r < 2; ++r) {
    CAPTURE(r);
    CHECK(max_abs_diff(ranks[r]->get_weights()[0], alone.get_weights()[0]) < 1e-6);
    for (std::size_t e = 0; e < 3; ++e) {
      CHECK(histories[r].history.at("loss")[e] == doctest::Approx(expected.history.at("loss")[e]).epsilon(1e-5));
    }
  }
  CHECK(ranks[0]->steps == 9);  // each rank ran every step on its half of the batch
}

TEST_CASE("a frozen layer gets no gradient; after unfreezing, the next step is a fresh model's step") {
  const Array x = random_array({16, 3}, 11);
  const Array y = random_array({16, 2}, 12);
  auto build = [] {
    set_random_seed(21);
    auto in = Input({3}, "x");
    Dense hidden({.units = 4, .activation = "tanh", .name = "hidden"});
    Dense out({.units = 2, .name = "out"});
    Functional model({in}, {out(hidden(in))}, "frozen_net");
    model->compile({.optimizer = std::make_shared<SGD>(SGD::Options{.learning_rate = 0.05f}), .loss = "mse"});
    return model;
  };
  Functional model = build();
  Layer& hidden = *model->sublayers()[0];
  hidden.set_trainable(false);
  const std::vector<Array> frozen = hidden.get_weights();
  for (int step = 0; step < 5; ++step) model->train_on_batch({x}, {y});
  CHECK(max_abs_diff(hidden.get_weights()[0], frozen[0]) == 0.0);
  for (const Tensor& w : hidden.weights()) {
    CHECK_FALSE(w.requires_grad());
    CHECK_FALSE(w.has_grad());  // nothing piled up while frozen
  }

  hidden.set_trainable(true);
  Functional fresh = build();
  fresh->set_weights(model->get_weights());
  model->train_on_batch({x}, {y});
  fresh->train_on_batch({x}, {y});
  const auto a = model->get_weights(), b = fresh->get_weights();
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(max_abs_diff(a[i], b[i]) < 1e-7);
}

TEST_CASE("freezing a model freezes its layers, as Keras' trainable setter does") {
  auto in = Input({3}, "x");
  Dense d({.units = 2});
  Functional model({in}, {d(in)}, "m");
  model->set_trainable(false);
  CHECK_FALSE(d->trainable());
  CHECK(model->trainable_weights().empty());
  model->set_trainable(true);
  CHECK(d->trainable());
  CHECK(model->trainable_weights().size() == 2);
}

TEST_CASE("validation and evaluate weigh their losses by the sample weights") {
  const Array x = random_array({10, 2}, 4);
  const Array y = targets_of(x);
  Array weights = xt::ones<float>({10});
  for (std::size_t i = 5; i < 10; ++i) weights(i) = 0.0f;  // the last five count for nothing
  TapeRegressor model;  // zero weights: predicts 0
  // With per-sample weights Keras' mean divides by the number of samples.
  double weighted = 0.0;
  for (std::size_t i = 0; i < 5; ++i) weighted += y(i, 0) * y(i, 0);
  CHECK(model.evaluate({x}, {y}, 4, &weights).at("loss") == doctest::Approx(weighted / 10.0).epsilon(1e-5));

  TapeRegressor split;
  const History h = split.fit({x}, {y}, {.batch_size = 10, .epochs = 1, .validation_split = 0.5, .verbose = 0,
                                         .sample_weight = weights});
  CHECK(h.history.at("val_loss")[0] == doctest::Approx(0.0));  // the validation half weighs 0
}

TEST_CASE("NaN or Inf sample weights are rejected like NaN in x") {
  const Array x = random_array({4, 2}, 4);
  const Array y = targets_of(x);
  Array weights = xt::ones<float>({4});
  weights(2) = NAN;
  TapeRegressor model;
  CHECK_THROWS_WITH_AS(model.fit({x}, {y}, {.verbose = 0, .sample_weight = weights}),
                       doctest::Contains("sample_weight[0] contains NaN in sample 2"), Error);
  weights(2) = INFINITY;
  CHECK_THROWS_WITH_AS(model.train_on_batch({x}, {y}, &weights), doctest::Contains("Inf in sample 2"), Error);
  CHECK_THROWS_WITH_AS(model.evaluate({x}, {y}, 4, &weights), doctest::Contains("Inf in sample 2"), Error);
}

TEST_CASE("after set_random_seed, models built in two threads at once get the same weights every run") {
  auto build_in_two_threads = [] {
    set_random_seed(77);
    std::vector<Array> a, b;
    auto build = [](std::vector<Array>& out) {
      for (int i = 0; i < 20; ++i) {
        Dense d({.units = 16});
        d->build_for({{unknown_dim, 16}});
        out.push_back(d->get_weights()[0]);
      }
    };
    std::thread ta(build, std::ref(a)), tb(build, std::ref(b));
    ta.join();
    tb.join();
    return std::pair{a, b};
  };
  const auto first = build_in_two_threads();
  for (int run = 0; run < 5; ++run) {
    const auto again = build_in_two_threads();
    for (std::size_t i = 0; i < first.first.size(); ++i) {
      CHECK(max_abs_diff(again.first[i], first.first[i]) == 0.0);
      CHECK(max_abs_diff(again.second[i], first.second[i]) == 0.0);
    }
  }
}
