// Data-parallel training across real processes (issue 8), run by meson as
//   mpirun -np 2 --oversubscribe build/tests/kiln-mpi-tests
// Every rank runs every test case; rank 0 also trains a reference copy of
// the model in one process (no communicator) on the same global batches,
// from the same weights, and compares. Rank 0 alone prints doctest's
// report; the other ranks print only failures. Built without MPI, or run
// without mpirun, it says why it skips and exits with meson's skip code 77.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstring>
#include <iostream>

#include "../data_parallel_model.hpp"
#include "distributed/communicator.hpp"
#include "data/array_dataset.hpp"
#include "data/batching.hpp"
#include "distributed/row_shard.hpp"
#include "models/sequential.hpp"
#include "optimizers/sgd.hpp"

using namespace kiln;
using kiln::testing::gru_tagger;
using kiln::testing::tagger_data;
using kiln::testing::TaggerData;

namespace {

constexpr int meson_skip = 77;

Communicator& job() { return *world(); }

// Whether every rank holds the same bits as rank 0 (answered alike on every rank).
bool same_on_every_rank(const std::vector<Array>& arrays) {
  std::vector<float> mine;
  for (const auto& a : arrays) mine.insert(mine.end(), a.data(), a.data() + a.size());
  std::vector<float> root = mine;
  job().broadcast(root.data(), root.size(), 0);
  double mismatches = std::memcmp(root.data(), mine.data(), mine.size() * sizeof(float)) == 0 ? 0.0 : 1.0;
  job().allreduce_sum(&mismatches, 1);
  return mismatches == 0.0;
}

double relative_diff(double a, double b) { return std::abs(a - b) / std::max(1e-12, std::abs(b)); }

double max_abs_diff(const Array& a, const Array& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::abs(a.data()[i] - b.data()[i])));
  return worst;
}

TaggerData rows(const TaggerData& d, std::size_t begin, std::size_t end) {
  return {row_range(d.x, begin, end), row_range(d.y, begin, end), row_range(d.mask, begin, end)};
}

}  // namespace

TEST_CASE("the collectives sum over every rank and broadcast from any rank") {
  const int n = job().size(), r = job().rank();
  float f[2] = {float(r + 1), 0.5f};
  job().allreduce_sum(f, 2);
  CHECK(f[0] == float(n * (n + 1) / 2));  // 1 + 2 + ... + n
  CHECK(f[1] == 0.5f * float(n));
  double d[1] = {double(r)};
  job().broadcast(d, 1, n - 1);  // from the last rank
  CHECK(d[0] == double(n - 1));
  job().barrier();
  CHECK(job().stats().allreduce_calls >= 1);
}

TEST_CASE("per-step losses on N processes equal one process's over 20 steps; the ranks' weights are identical") {
  const auto data = tagger_data(200, 5);
  // Each rank starts from different weights: rank 0's are broadcast at the first step.
  Functional model = gru_tagger(100 + std::uint64_t(job().rank()), world());
  Functional reference = gru_tagger(7, nullptr);
  reference->set_weights(model->get_weights());  // rank 0's initial weights (used on rank 0 only)

  // Global batches of 13 rows: uneven shards (6 + 7 on 2 processes).
  double worst = 0.0;
  for (std::size_t step = 0; step < 20; ++step) {
    const auto batch = rows(data, step * 9, step * 9 + 13);
    const double loss = model->train_on_batch({batch.x}, {batch.y}, &batch.mask).at("loss");
    if (job().is_root()) {
      const double expected = reference->train_on_batch({batch.x}, {batch.y}, &batch.mask).at("loss");
      CAPTURE(step);
      CHECK(relative_diff(loss, expected) < 1e-3);
      worst = std::max(worst, relative_diff(loss, expected));
    }
  }
  if (job().is_root()) {
    std::cout << "20 steps on " << job().size() << " processes: largest relative loss difference from one process "
              << worst << "\n";
  }
  CHECK(same_on_every_rank(model->get_weights()));
  CHECK(model->optimizer().iterations() == 20);
}

TEST_CASE("fit on N processes equals fit in one: shuffled order, uneven last batch, validation, accuracy") {
  const auto data = tagger_data(50, 8);
  Functional model = gru_tagger(200 + std::uint64_t(job().rank()), world());
  Functional reference = gru_tagger(7, nullptr);
  reference->set_weights(model->get_weights());
  // 40 training rows in batches of 9 (9, 9, 9, 9, 4), 10 validation rows.
  const FitOptions options{.batch_size = 9, .epochs = 2, .validation_split = 0.2, .seed = 3, .verbose = 0,
                           .sample_weight = data.mask};
  const History history = model->fit({data.x}, {data.y}, options);
  if (job().is_root()) {
    const History expected = reference->fit({data.x}, {data.y}, options);
    for (const auto& [name, values] : expected.history) {
      CAPTURE(name);
      // CHECK, not REQUIRE: a rank leaving a test case early would leave the others in a collective.
      const bool same_length = history.history.at(name).size() == values.size();
      CHECK(same_length);
      for (std::size_t e = 0; same_length && e < values.size(); ++e) {
        CHECK(relative_diff(history.history.at(name)[e], values[e]) < 1e-4);
      }
    }
  }
  std::vector<Array> logged;
  for (const auto& [name, values] : history.history) {
    Array a = Array::from_shape({values.size()});
    std::copy(values.begin(), values.end(), a.begin());
    logged.push_back(a);
  }
  CHECK(same_on_every_rank(logged));  // every rank logged the same values
  CHECK(same_on_every_rank(model->get_weights()));
}

TEST_CASE("fit on a Dataset on N processes equals fit in one, each process reading only its rows of every batch") {
  const auto data = tagger_data(44, 9), held = tagger_data(11, 4);
  Functional model = gru_tagger(300 + std::uint64_t(job().rank()), world());
  Functional reference = gru_tagger(7, nullptr);
  reference->set_weights(model->get_weights());
  // Shuffled by fit's seed, the padding mask made per batch in a prefetched
  // map (as a Dataset pipeline makes its sample weights), batches of 9.
  auto batches = [](const TaggerData& d, bool shuffle, std::size_t* rows_read) {
    return from_arrays({d.x}, {d.y}, {.batch_size = 9, .shuffle = shuffle}, d.mask)->map([rows_read](Batch b) {
      if (rows_read) *rows_read += b.rows();
      return b;
    })->prefetch(2);
  };
  std::size_t rows_read = 0;
  const FitOptions options{.epochs = 2, .seed = 5, .verbose = 0};
  FitOptions with_validation = options;
  with_validation.validation_data = batches(held, false, nullptr);
  const History history = model->fit(batches(data, true, &rows_read), with_validation);
  // 44 rows in batches of 9 (4 x 9 + 8): rank r of N reads [r*B/N, (r+1)*B/N) of each.
  std::size_t expected_rows = 0;
  for (const std::size_t b : {9, 9, 9, 9, 8}) expected_rows += row_shard(b, job().rank(), job().size()).size();
  CHECK(rows_read == 2 * expected_rows);
  if (job().is_root()) {
    FitOptions reference_options = options;
    reference_options.validation_data = batches(held, false, nullptr);
    const History expected = reference->fit(batches(data, true, nullptr), reference_options);
    for (const auto& [name, values] : expected.history) {
      CAPTURE(name);
      const bool same_length = history.history.at(name).size() == values.size();
      CHECK(same_length);
      for (std::size_t e = 0; same_length && e < values.size(); ++e) {
        CHECK(relative_diff(history.history.at(name)[e], values[e]) < 1e-4);
      }
    }
    double worst = 0.0;
    const auto a = model->get_weights(), b = reference->get_weights();
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, max_abs_diff(a[i], b[i]));
    CHECK(worst < 1e-4);
  }
  CHECK(same_on_every_rank(model->get_weights()));
}

TEST_CASE("a lazily built Sequential model gets rank 0's weights before its first step") {
  set_random_seed(500 + std::uint64_t(job().rank()));
  Sequential model({.layers = {GRU({.units = 4}), Dense({.units = 2})}});
  model->compile({.optimizer = std::make_shared<SGD>(SGD::Options{.learning_rate = 0.1f}),
                  .loss = "mse",
                  .communicator = world()});
  const Array x = kiln::testing::tagger_data(5, 1).x;
  Array y = Array::from_shape({5, 2});
  y.fill(0.5f);
  CHECK_FALSE(model->built());
  model->train_on_batch({x}, {y});
  CHECK(same_on_every_rank(model->get_weights()));
}

int main(int argc, char** argv) {
  if (!built_with_mpi()) {
    std::cout << "skipped: built without MPI (meson -Dmpi=enabled needs libopenmpi-dev)\n";
    return meson_skip;
  }
  if (job().size() < 2) {
    std::cout << "skipped: started as a single process; run it as mpirun -np 2 " << argv[0] << "\n";
    return meson_skip;
  }
  doctest::Context context(argc, argv);
  context.setOption("no-version", true);
  context.setOption("no-colors", true);  // mpirun hands ranks a terminal; logs want plain text
  if (!job().is_root()) context.setOption("minimal", true);  // failures only, no second summary
  double failed = context.run() != 0 ? 1.0 : 0.0;
  job().allreduce_sum(&failed, 1);
  if (job().is_root()) std::cout << job().size() << " processes; ranks with failures: " << failed << "\n";
  return failed == 0.0 ? 0 : 1;
}
