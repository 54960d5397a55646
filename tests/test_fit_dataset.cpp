// fit, evaluate and predict over a kiln::Dataset: the same loop as over
// arrays (same numbers for the same data and seed), streams of unknown
// length with steps_per_epoch, validation datasets and their sample
// weights, class_weight, prefetching under fit, and data-parallel training
// reading one shard per rank.

#include <sstream>
#include <xtensor/xview.hpp>

#include "data/array_dataset.hpp"
#include "data/batching.hpp"
#include "data/generator_dataset.hpp"
#include "data_parallel_model.hpp"
#include "layers/dense.hpp"
#include "models/callbacks.hpp"
#include "models/class_weight.hpp"
#include "models/functional.hpp"
#include "optimizers/sgd.hpp"
#include "support.hpp"
#include "thread_communicator.hpp"

using namespace kiln;
using kiln::testing::max_abs_diff;
using kiln::testing::random_array;
using kiln::testing::ThreadGroup;

namespace {

// Dense(2, softmax) on 3 features, from a seeded initialisation.
Functional classifier(std::uint64_t seed) {
  set_random_seed(seed);
  auto in = Input({3}, "features");
  Dense dense({.units = 2, .activation = "softmax"});
  Functional model({in}, {dense(in)}, "classifier");
  model->compile({.optimizer = std::make_shared<SGD>(SGD::Options{.learning_rate = 0.5f}),
                  .loss = "categorical_crossentropy",
                  .metrics = {"accuracy"}});
  return model;
}

struct Classes {
  Array x, y;  // y one-hot: class 1 when the features sum above 0
};

Classes classes(std::size_t n, std::uint64_t seed) {
  Classes c{random_array({n, 3}, seed), Array::from_shape({n, 2})};
  for (std::size_t i = 0; i < n; ++i) {
    const bool one = c.x(i, 0) + c.x(i, 1) + c.x(i, 2) > 0.0f;
    c.y(i, 0) = one ? 0.0f : 1.0f;
    c.y(i, 1) = one ? 1.0f : 0.0f;
  }
  return c;
}

// A 1-D array (xtensor reads a one-element brace list ambiguously).
Array vector_of(std::initializer_list<float> values) {
  Array a = Array::from_shape({values.size()});
  std::copy(values.begin(), values.end(), a.begin());
  return a;
}

// An (n, 1) array.
Array column_of(std::initializer_list<float> values) {
  Array a = Array::from_shape({values.size(), 1});
  std::copy(values.begin(), values.end(), a.begin());
  return a;
}

double worst_diff(const std::vector<Array>& a, const std::vector<Array>& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, max_abs_diff(a[i], b[i]));
  return worst;
}

// Batches of `rows` rows of `data`, made by a function on demand, forever.
std::shared_ptr<Dataset> endless(const Classes& data, std::size_t rows) {
  return from_generator([&data, rows](std::size_t i) {
    const std::size_t n = data.x.shape()[0], begin = (i * rows) % n;
    const std::size_t end = std::min(n, begin + rows);
    return Batch{{row_range(data.x, begin, end)}, {row_range(data.y, begin, end)}, std::nullopt};
  });
}

}  // namespace

TEST_CASE("fit on a dataset over arrays trains exactly as fit on the arrays, shuffled by fit's seed") {
  const auto data = classes(50, 3);
  Functional a = classifier(1), b = classifier(1);
  const FitOptions options{.batch_size = 8, .epochs = 3, .seed = 17, .verbose = 0};
  const History from_arrays_fit = a->fit({data.x}, {data.y}, options);
  const History from_dataset = b->fit(from_arrays({data.x}, {data.y}, {.batch_size = 8}), options);
  CHECK(from_arrays_fit.history == from_dataset.history);
  CHECK(worst_diff(a->get_weights(), b->get_weights()) == 0.0);
}

TEST_CASE("a stream of unknown length trains steps_per_epoch batches per epoch, read on across epochs") {
  const auto data = classes(40, 4);
  Functional model = classifier(2);
  std::vector<std::size_t> asked;
  auto stream = from_generator([&](std::size_t i) {
    asked.push_back(i);
    return Batch{{row_range(data.x, (i % 4) * 10, (i % 4) * 10 + 10)},
                 {row_range(data.y, (i % 4) * 10, (i % 4) * 10 + 10)},
                 std::nullopt};
  });
  const History h = model->fit(stream, {.epochs = 3, .verbose = 0, .steps_per_epoch = 2});
  CHECK(h.epochs() == 3);
  CHECK(asked == std::vector<std::size_t>{0, 1, 2, 3, 4, 5});
  CHECK(model->optimizer().iterations() == 6);
}

TEST_CASE("a stream without steps_per_epoch is one epoch per pass; the progress bar shows an unknown total") {
  const auto data = classes(30, 5);
  Functional model = classifier(3);
  std::size_t epochs_ended = 0;
  auto stream = from_generator([&](std::size_t i) -> std::optional<Batch> {
    if (i == 3) return std::nullopt;
    return Batch{{row_range(data.x, i * 10, i * 10 + 10)}, {row_range(data.y, i * 10, i * 10 + 10)}, std::nullopt};
  });
  auto counter = std::make_shared<LambdaCallback>(
      LambdaCallback::Options{.on_epoch_end = [&](std::size_t, const Logs&) { ++epochs_ended; }});
  std::ostringstream out;
  model->fit(stream, {.epochs = 2, .verbose = 1, .callbacks = {counter}, .out = &out});
  CHECK(epochs_ended == 2);
  CHECK(model->optimizer().iterations() == 6);
  CHECK(out.str().find("3/Unknown - ") != std::string::npos);
}

TEST_CASE("data that runs out before steps_per_epoch * epochs stops training with a message, as Keras does") {
  const auto data = classes(20, 6);
  Functional model = classifier(4);
  auto five = endless(data, 4)->take(5);
  std::ostringstream out;
  const History h = model->fit(five, {.epochs = 3, .verbose = 0, .out = &out, .steps_per_epoch = 2});
  CHECK(model->optimizer().iterations() == 5);
  CHECK(h.epochs() == 3);  // the third epoch trained one step before the data ended
  CHECK(out.str().find("the data ran out after 1 steps of epoch 3") != std::string::npos);
}

TEST_CASE("fit rejects a dataset with no batches, a steps_per_epoch beyond it and array-only options") {
  const auto data = classes(10, 7);
  Functional model = classifier(5);
  auto ten = from_arrays({data.x}, {data.y}, {.batch_size = 5});
  CHECK_THROWS_WITH_AS(model->fit(from_arrays({Array::from_shape({0, 3})}, {Array::from_shape({0, 2})}), {}),
                       "fit: the dataset has no batches", Error);
  CHECK_THROWS_WITH_AS(model->fit(ten, {.verbose = 0, .steps_per_epoch = 3}),
                       doctest::Contains("steps_per_epoch 3 is more than the dataset's 2 batches"), Error);
  CHECK_THROWS_WITH_AS(model->fit(ten, {.validation_split = 0.2}), doctest::Contains("validation_split needs arrays"),
                       Error);
  CHECK_THROWS_WITH_AS(model->fit(ten, {.sample_weight = vector_of({1.0f})}), doctest::Contains("sample_weight is for arrays"),
                       Error);
  CHECK_THROWS_WITH_AS(model->fit(nullptr, {}), "fit: the dataset is null", Error);
  // A batch whose arrays disagree is named by its index.
  auto bad = from_generator([&](std::size_t) {
    return Batch{{row_range(data.x, 0, 4)}, {row_range(data.y, 0, 3)}, std::nullopt};
  }, 2);
  CHECK_THROWS_WITH_AS(model->fit(bad, {.verbose = 0}),
                       doctest::Contains("fit: batch 0: x[0] has 4 samples but y[0] has shape (3, 2)"), ShapeError);
}

TEST_CASE("validation data may be a dataset; its sample weights count in val_loss as in evaluate") {
  const auto data = classes(40, 8), held = classes(12, 9);
  Array weights = Array::from_shape({12});
  for (std::size_t i = 0; i < 12; ++i) weights(i) = i < 6 ? 1.0f : 0.0f;
  Functional a = classifier(6), b = classifier(6);
  auto validation = from_arrays({held.x}, {held.y}, {.batch_size = 10, .shuffle = false}, weights);
  const History ha = a->fit({data.x}, {data.y}, {.batch_size = 10, .epochs = 2, .seed = 1, .verbose = 0,
                                                  .validation_data = validation});
  const History hb = b->fit({data.x}, {data.y}, {.batch_size = 10, .epochs = 2, .validation_x = {held.x},
                                                  .validation_y = {held.y}, .validation_sample_weight = weights,
                                                  .seed = 1, .verbose = 0});
  CHECK(ha.history == hb.history);
  // Weights that zero the second half: with Keras' default reduction (the
  // weighted sum over all 12 rows), half the mean loss of the first six.
  const double weighted = a->evaluate(validation).at("loss");
  const double first_half = a->evaluate({row_range(held.x, 0, 6)}, {row_range(held.y, 0, 6)}).at("loss");
  CHECK(weighted == doctest::Approx(first_half * 6.0 / 12.0).epsilon(1e-6));
  CHECK(ha.last("val_loss") == doctest::Approx(weighted).epsilon(1e-6));
}

TEST_CASE("evaluate and predict read a dataset to its end, or `steps` batches of a stream") {
  const auto data = classes(25, 10);
  Functional model = classifier(7);
  auto batches = from_arrays({data.x}, {data.y}, {.batch_size = 7, .shuffle = false});
  const auto on_arrays = model->evaluate({data.x}, {data.y}, 7);
  const auto on_dataset = model->evaluate(batches);
  CHECK(on_dataset.at("loss") == doctest::Approx(on_arrays.at("loss")).epsilon(1e-12));
  CHECK(on_dataset.at("accuracy") == on_arrays.at("accuracy"));
  const auto predicted = model->predict(batches);
  REQUIRE(predicted.size() == 1);
  CHECK(max_abs_diff(predicted[0], model->predict({data.x}, 7)[0]) == 0.0);
  // A stream: `steps` batches.
  const auto streamed = model->predict(endless(data, 5), 3);
  CHECK(streamed[0].shape() == Shape{15, 2});
  const auto first_fifteen = model->evaluate({row_range(data.x, 0, 15)}, {row_range(data.y, 0, 15)}, 5);
  CHECK(model->evaluate(endless(data, 5), 3).at("loss") ==
        doctest::Approx(first_fifteen.at("loss")).epsilon(1e-12));
  CHECK_THROWS_WITH_AS(model->evaluate(endless(data, 5)->take(0)), "evaluate: the dataset gave no batches", Error);
}

TEST_CASE("class_weight multiplies the sample weights by the weight of each sample's class") {
  // Sparse ids (N), (N, 1) and one-hot (N, C) give the same weights.
  const std::map<std::size_t, float> weights = {{0, 0.5f}, {2, 3.0f}};
  Batch sparse{{Array::from_shape({4, 1})}, {vector_of({0, 1, 2, 2})}, std::nullopt};
  apply_class_weight(sparse, weights);
  CHECK(*sparse.sample_weight == vector_of({0.5f, 1.0f, 3.0f, 3.0f}));
  Batch column_ids{{Array::from_shape({2, 1})}, {column_of({2, 0})}, vector_of({2.0f, 4.0f})};
  apply_class_weight(column_ids, weights);
  CHECK(*column_ids.sample_weight == vector_of({6.0f, 2.0f}));  // times the sample weights
  // One-hot per step (N, T, C): a weight per step, times per-sample weights.
  Array steps = Array::from_shape({1, 2, 3});
  steps.fill(0.0f);
  steps(0, 0, 2) = 1.0f;
  steps(0, 1, 0) = 1.0f;
  Batch per_step{{Array::from_shape({1, 2, 4})}, {steps}, vector_of({10.0f})};
  apply_class_weight(per_step, weights);
  CHECK(*per_step.sample_weight == Array{{30.0f, 5.0f}});

  Batch two_outputs{{Array::from_shape({1, 1})}, {vector_of({1}), vector_of({0})}, std::nullopt};
  CHECK_THROWS_WITH_AS(apply_class_weight(two_outputs, weights),
                       doctest::Contains("class_weight is only supported for models with a single output"), Error);
  Batch not_ids{{Array::from_shape({1, 1})}, {vector_of({1.5f})}, std::nullopt};
  CHECK_THROWS_WITH_AS(apply_class_weight(not_ids, weights), doctest::Contains("not a class id"), Error);
  Batch mismatch{{Array::from_shape({2, 1})}, {vector_of({0, 1})}, vector_of({1.0f, 1.0f, 1.0f})};
  CHECK_THROWS_AS(apply_class_weight(mismatch, weights), ShapeError);
}

TEST_CASE("fit with class_weight trains as fit with the equivalent sample weights") {
  const auto data = classes(30, 11);
  Array equivalent = Array::from_shape({30});
  for (std::size_t i = 0; i < 30; ++i) equivalent(i) = data.y(i, 1) == 1.0f ? 4.0f : 1.0f;
  Functional a = classifier(8), b = classifier(8);
  const History ha = a->fit({data.x}, {data.y}, {.batch_size = 6, .epochs = 2, .seed = 3, .verbose = 0,
                                                  .class_weight = {{1, 4.0f}}});
  const History hb = b->fit({data.x}, {data.y}, {.batch_size = 6, .epochs = 2, .seed = 3, .verbose = 0,
                                                  .sample_weight = equivalent});
  CHECK(ha.history == hb.history);
  CHECK(worst_diff(a->get_weights(), b->get_weights()) == 0.0);
}

TEST_CASE("fit over a prefetched, mapped dataset trains as over the plain one, and stops early cleanly") {
  const auto data = classes(48, 12);
  auto halve = [](Batch b) {
    for (auto& v : b.x[0]) v *= 0.5f;
    return b;
  };
  Functional a = classifier(9), b = classifier(9);
  const FitOptions options{.epochs = 3, .seed = 5, .verbose = 0};
  const History plain = a->fit(from_arrays({data.x}, {data.y}, {.batch_size = 8})->map(halve), options);
  const History ahead = b->fit(from_arrays({data.x}, {data.y}, {.batch_size = 8})->map(halve)->prefetch(2), options);
  CHECK(plain.history == ahead.history);
  CHECK(worst_diff(a->get_weights(), b->get_weights()) == 0.0);

  // A callback stops after the second step; the prefetching thread is left
  // waiting and ends with the dataset.
  auto stopper = std::make_shared<LambdaCallback>(LambdaCallback::Options{
      .on_batch_end = [&](std::size_t step, const Logs&) { if (step == 1) b->stop_training = true; }});
  auto stream = endless(data, 4)->map(halve)->prefetch(3);
  b->fit(stream, {.epochs = 5, .verbose = 0, .callbacks = {stopper}, .steps_per_epoch = 10});
  CHECK(b->optimizer().iterations() == 18 + 2);
  stream.reset();

  // An error in the map under prefetch reaches fit's caller.
  auto failing = from_arrays({data.x}, {data.y}, {.batch_size = 8})->map([](Batch) -> Batch {
    throw Error("map failed");
  })->prefetch(2);
  CHECK_THROWS_WITH_AS(b->fit(failing, {.verbose = 0}), "map failed", Error);
}

TEST_CASE("initial_epoch and initial_step resume a run where it stopped, with the same weights") {
  const auto data = classes(40, 13);
  Functional whole = classifier(10);
  whole->fit(from_arrays({data.x}, {data.y}, {.batch_size = 8, .seed = 4}), {.epochs = 2, .verbose = 0});
  // The same run in two parts: the first stops after epoch 0's third step.
  Functional parts = classifier(10);
  auto dataset = from_arrays({data.x}, {data.y}, {.batch_size = 8, .seed = 4});
  auto stopper = std::make_shared<LambdaCallback>(LambdaCallback::Options{
      .on_batch_end = [&](std::size_t step, const Logs&) { if (step == 2) parts->stop_training = true; }});
  parts->fit(dataset, {.epochs = 2, .verbose = 0, .callbacks = {stopper}});
  auto resumed = from_arrays({data.x}, {data.y}, {.batch_size = 8, .seed = 4});
  parts->fit(resumed, {.epochs = 2, .verbose = 0, .initial_epoch = 0, .initial_step = 3});
  CHECK(parts->optimizer().iterations() == whole->optimizer().iterations());
  CHECK(worst_diff(parts->get_weights(), whole->get_weights()) == 0.0);
  CHECK_THROWS_WITH_AS(parts->fit(resumed, {.initial_step = 5}), doctest::Contains("initial_step 5 is not within"),
                       Error);
}

TEST_CASE("data-parallel fit on a dataset: each rank reads only its rows, and trains as one process") {
  const auto data = testing::tagger_data(40, 8);
  ThreadGroup group(2);
  std::vector<Functional> ranks;
  for (int r = 0; r < 2; ++r) ranks.push_back(testing::gru_tagger(200 + std::uint64_t(r), group.communicator(r)));
  Functional reference = testing::gru_tagger(7, nullptr);
  reference->set_weights(ranks[0]->get_weights());
  // The mask as sample weight, made per batch in a map (as a padding mask is).
  auto with_mask = [](const testing::TaggerData& d) {
    return from_arrays({d.x}, {d.y}, {.batch_size = 7}, d.mask);
  };
  std::vector<std::size_t> rows_read(2, 0);
  std::vector<History> histories(2);
  auto held = testing::tagger_data(9, 3);
  group.run([&](int r) {
    auto counted = with_mask(data)->map([&, r](Batch b) {
      rows_read[std::size_t(r)] += b.rows();
      return b;
    });
    histories[std::size_t(r)] =
        ranks[std::size_t(r)]->fit(counted->prefetch(2), {.epochs = 2, .seed = 9, .verbose = 0,
                                                           .validation_data = with_mask(held)});
  });
  const History expected = reference->fit(with_mask(data), {.epochs = 2, .seed = 9, .verbose = 0,
                                                            .validation_data = with_mask(held)});
  // 40 rows in batches of 7 (7 x 5 + 5): rank 0 reads 3 of each 7 and 2 of the 5, rank 1 the rest.
  CHECK(rows_read[0] == 2 * (5 * 3 + 2));
  CHECK(rows_read[1] == 2 * (5 * 4 + 3));
  for (const auto& [name, values] : expected.history) {
    CAPTURE(name);
    for (int r = 0; r < 2; ++r) {
      for (std::size_t e = 0; e < 2; ++e) {
        CHECK(histories[std::size_t(r)].history.at(name)[e] == doctest::Approx(values[e]).epsilon(1e-5));
      }
    }
  }
  CHECK(histories[0].history == histories[1].history);
  CHECK(worst_diff(ranks[0]->get_weights(), ranks[1]->get_weights()) == 0.0);
  CHECK(worst_diff(ranks[0]->get_weights(), reference->get_weights()) < 1e-4);
}
