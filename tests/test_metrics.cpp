// Stateful metrics: running means over batches, accuracies with masks,
// Keras' "accuracy" resolution, and shape errors.

#include "graph/error.hpp"
#include "support.hpp"
#include "training/history.hpp"
#include "training/metrics.hpp"

using namespace kiln;
using kiln::testing::column;

TEST_CASE("Mean keeps the weighted running mean until reset") {
  Mean loss("loss");
  CHECK(loss.name() == "loss");
  CHECK(loss.result() == 0.0);  // nothing seen yet
  loss.update(2.0);
  loss.update(4.0);
  CHECK(loss.result() == doctest::Approx(3.0));
  loss.update(6.0, 2.0);  // (2 + 4 + 12) / 4
  CHECK(loss.result() == doctest::Approx(4.5));
  loss.reset();
  CHECK(loss.result() == 0.0);
}

TEST_CASE("CategoricalAccuracy compares argmaxes and accumulates over batches") {
  CategoricalAccuracy accuracy;
  CHECK(accuracy.name() == "categorical_accuracy");
  const Array y_pred = {{0.1f, 0.8f, 0.1f}, {0.6f, 0.3f, 0.1f}, {0.2f, 0.5f, 0.3f}};
  const Array y_true = {{0.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 1.0f}};  // right, right, wrong
  accuracy.update(y_pred, y_true);
  CHECK(accuracy.result() == doctest::Approx(2.0 / 3));
  accuracy.update(Array{{0.0f, 0.0f, 1.0f}}, Array{{1.0f, 0.0f, 0.0f}});  // wrong: 2 of 4
  CHECK(accuracy.result() == doctest::Approx(0.5));
  accuracy.reset();
  CHECK(accuracy.result() == 0.0);
}

TEST_CASE("accuracy ties go to the first largest class, as argmax does") {
  CategoricalAccuracy accuracy;
  accuracy.update(Array{{0.5f, 0.5f}}, Array{{1.0f, 0.0f}});
  CHECK(accuracy.result() == 1.0);
  SparseCategoricalAccuracy sparse;
  sparse.update(Array{{0.5f, 0.5f}}, Array{1.0f});
  CHECK(sparse.result() == 0.0);
}

TEST_CASE("masked positions do not count towards accuracy") {
  // (2, 3, 2): argmax per step is [[0, 1, 1], [1, 0, 0]]
  const Array y_pred = {{{0.9f, 0.1f}, {0.2f, 0.8f}, {0.3f, 0.7f}}, {{0.4f, 0.6f}, {0.6f, 0.4f}, {0.9f, 0.1f}}};
  const Array labels = {{0.0f, 1.0f, 0.0f}, {1.0f, 1.0f, 1.0f}};  // right, right, wrong; right, wrong, wrong
  const Array mask = {{1.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 0.0f}};    // keeps 3 steps, all right
  SparseCategoricalAccuracy sparse;
  sparse.update(y_pred, labels);
  CHECK(sparse.result() == doctest::Approx(3.0 / 6));
  sparse.reset();
  sparse.update(y_pred, labels, &mask);
  CHECK(sparse.result() == 1.0);

  Array one_hot = xt::zeros<float>({2, 3, 2});
  for (std::size_t i = 0; i < labels.size(); ++i) one_hot.data()[i * 2 + std::size_t(labels.data()[i])] = 1.0f;
  CategoricalAccuracy categorical;
  categorical.update(y_pred, one_hot, &mask);
  CHECK(categorical.result() == 1.0);
  const Array half = {{1.0f, 1.0f, 1.0f}, {0.0f, 0.0f, 0.0f}};  // first sequence: 2 of 3 right
  categorical.reset();
  categorical.update(y_pred, one_hot, &half);
  CHECK(categorical.result() == doctest::Approx(2.0 / 3));
}

TEST_CASE("SparseCategoricalAccuracy takes labels with a trailing axis of 1") {
  SparseCategoricalAccuracy sparse;
  Array labels = {1.0f, 1.0f};
  labels.reshape({2, 1});
  sparse.update(Array{{0.1f, 0.9f}, {0.8f, 0.2f}}, labels);
  CHECK(sparse.result() == doctest::Approx(0.5));
}

TEST_CASE("metric_by_name resolves 'accuracy' by the loss, keeping the name") {
  auto sparse = metric_by_name("accuracy", "sparse_categorical_crossentropy");
  CHECK(dynamic_cast<SparseCategoricalAccuracy*>(sparse.get()) != nullptr);
  CHECK(sparse->name() == "accuracy");
  auto categorical = metric_by_name("accuracy", "categorical_crossentropy");
  CHECK(dynamic_cast<CategoricalAccuracy*>(categorical.get()) != nullptr);
  CHECK(categorical->name() == "accuracy");
  CHECK(metric_by_name("acc", "mean_squared_error")->name() == "acc");
  CHECK(metric_by_name("sparse_categorical_accuracy", "")->name() == "sparse_categorical_accuracy");
  CHECK(metric_by_name("categorical_accuracy", "")->name() == "categorical_accuracy");
  CHECK_THROWS_WITH_AS(metric_by_name("auc", "categorical_crossentropy"),
                       "metric_by_name: unknown metric 'auc' (known: accuracy, acc, categorical_accuracy, "
                       "sparse_categorical_accuracy, binary_accuracy)",
                       Error);
}

TEST_CASE("accuracies name themselves and the shapes when inputs do not fit") {
  CategoricalAccuracy categorical("accuracy");
  CHECK_THROWS_WITH_AS(categorical.update(Array::from_shape({2, 3}), Array::from_shape({2, 4})),
                       "accuracy: y_pred and y_true differ in shape: (2, 3) and (2, 4)", ShapeError);
  const Array w = {1.0f, 1.0f, 1.0f};
  CHECK_THROWS_WITH_AS(categorical.update(Array::from_shape({2, 3}), Array::from_shape({2, 3}), &w),
                       "accuracy: sample_weight must have shape (2) (y_pred's shape without its class axis), got (3) "
                       "for y_pred (2, 3)",
                       ShapeError);
  SparseCategoricalAccuracy sparse;
  CHECK_THROWS_WITH_AS(sparse.update(Array::from_shape({2, 3}), Array::from_shape({3})),
                       doctest::Contains("sparse_categorical_accuracy: y_true must hold one class id per position"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(sparse.update(Array::from_shape(Shape{}), Array::from_shape(Shape{})),
                       doctest::Contains("y_pred must be (..., classes)"), ShapeError);
  CHECK(sparse.result() == 0.0);  // failed updates count nothing
}

TEST_CASE("History records one value per epoch per name") {
  History h;
  CHECK(h.epochs() == 0);
  h.record_epoch({{"loss", 0.9}, {"accuracy", 0.5}});
  h.record_epoch({{"loss", 0.7}, {"accuracy", 0.6}, {"val_loss", 0.8}});
  CHECK(h.epochs() == 2);
  CHECK(h.last("loss") == 0.7);
  CHECK(h.history.at("accuracy") == std::vector<double>{0.5, 0.6});
  CHECK(h.has("val_loss"));
  CHECK_FALSE(h.has("val_accuracy"));
  CHECK_THROWS_WITH_AS(h.last("val_accuracy"),
                       "History: no value recorded for 'val_accuracy' (recorded: accuracy, loss, val_loss)", Error);
}

TEST_CASE("binary accuracy thresholds both sides at 0.5 and weighs each position") {
  BinaryAccuracy m;
  const Array y_pred = column({0.9f, 0.2f, 0.6f, 0.4f});
  const Array y_true = column({1.0f, 0.0f, 0.0f, 0.0f});
  m.update(y_pred, y_true);
  CHECK(m.result() == doctest::Approx(0.75));
  m.reset();
  const Array w = {1.0f, 1.0f, 2.0f, 0.0f};
  m.update(y_pred, y_true, &w);  // (1 + 1 + 0) / 4
  CHECK(m.result() == doctest::Approx(0.5));
}

TEST_CASE("'accuracy' for a loss that does not tell resolves by the shapes, as Keras 3 does") {
  auto sigmoid = metric_by_name("accuracy", "mean_squared_error");
  sigmoid->update(column({0.9f, 0.2f, 0.6f, 0.4f, 0.7f}), column({1.0f, 0.0f, 0.0f, 0.0f, 1.0f}));
  CHECK(sigmoid->result() == doctest::Approx(0.8));  // binary: one unit
  CHECK(sigmoid->name() == "accuracy");
  auto ids = metric_by_name("accuracy", "mean_squared_error");
  ids->update(Array{{0.1f, 0.9f}, {0.8f, 0.2f}}, Array{1.0f, 1.0f});
  CHECK(ids->result() == doctest::Approx(0.5));  // sparse: class ids
  auto one_hot = metric_by_name("accuracy", "mean_squared_error");
  one_hot->update(Array{{0.1f, 0.9f}, {0.8f, 0.2f}}, Array{{0.0f, 1.0f}, {0.0f, 1.0f}});
  CHECK(one_hot->result() == doctest::Approx(0.5));  // categorical
}
