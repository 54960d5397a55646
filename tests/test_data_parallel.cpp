// Data-parallel training without MPI: shards, the local communicator, the
// flat gradient buffer, and whole training runs on several ranks played by
// threads of this process (thread_communicator.hpp), checked against one
// process training on the global batch. The same checks across real
// processes run under mpirun in tests/mpi/.

#include <cstring>
#include <sstream>

#include "data_parallel_model.hpp"
#include "distributed/communicator.hpp"
#include "distributed/row_shard.hpp"
#include "distributed/tensor_collectives.hpp"
#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "data/batching.hpp"
#include "models/callbacks.hpp"
#include "models/data_parallel.hpp"
#include "support.hpp"
#include "thread_communicator.hpp"
#include "training/metrics.hpp"

using namespace kiln;
using kiln::testing::gru_tagger;
using kiln::testing::max_abs_diff;
using kiln::testing::tagger_data;
using kiln::testing::ThreadGroup;

namespace {

bool same_bits(const std::vector<Array>& a, const std::vector<Array>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].shape() != b[i].shape() || std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(float)) != 0) {
      return false;
    }
  }
  return true;
}

double max_weight_diff(const std::vector<Array>& a, const std::vector<Array>& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, max_abs_diff(a[i], b[i]));
  return worst;
}

double relative_diff(double a, double b) { return std::abs(a - b) / std::max(1e-12, std::abs(b)); }

// Rows [begin, end) of every array.
testing::TaggerData rows(const testing::TaggerData& d, std::size_t begin, std::size_t end) {
  return {row_range(d.x, begin, end), row_range(d.y, begin, end), row_range(d.mask, begin, end)};
}

Array filled(const Shape& shape, float value) {
  Array a = Array::from_shape(shape);
  a.fill(value);
  return a;
}

Tensor parameter_with_grad(const Shape& shape, float value, std::optional<float> grad) {
  Tensor t = Tensor::parameter(filled(shape, value));
  if (grad) accumulate_grad(t, filled(shape, *grad));
  return t;
}

}  // namespace

TEST_CASE("row_shard gives each rank a contiguous shard, sizes differing by at most one") {
  auto shard = [](std::size_t rows, int rank, int size) {
    const RowShard s = row_shard(rows, rank, size);
    return std::pair(s.begin, s.end);
  };
  // 13 rows on 2 ranks: 6 + 7 (rank r gets [13r/2, 13(r+1)/2)).
  CHECK(shard(13, 0, 2) == std::pair<std::size_t, std::size_t>(0, 6));
  CHECK(shard(13, 1, 2) == std::pair<std::size_t, std::size_t>(6, 13));
  // 10 rows on 3 ranks: 3 + 3 + 4.
  CHECK(shard(10, 0, 3) == std::pair<std::size_t, std::size_t>(0, 3));
  CHECK(shard(10, 1, 3) == std::pair<std::size_t, std::size_t>(3, 6));
  CHECK(shard(10, 2, 3) == std::pair<std::size_t, std::size_t>(6, 10));
  // Fewer rows than ranks: some shards are empty.
  CHECK(row_shard(1, 0, 2).empty());
  CHECK(shard(1, 1, 2) == std::pair<std::size_t, std::size_t>(0, 1));
  CHECK(row_shard(0, 1, 2).empty());
  // One rank takes everything.
  CHECK(shard(64, 0, 1) == std::pair<std::size_t, std::size_t>(0, 64));
}

TEST_CASE("row_shard rejects a rank outside the job and a job of no process") {
  CHECK_THROWS_WITH_AS(row_shard(8, 2, 2), "row_shard: rank 2 is not in a job of 2 processes (ranks 0..1)", Error);
  CHECK_THROWS_WITH_AS(row_shard(8, -1, 2), "row_shard: rank -1 is not in a job of 2 processes (ranks 0..1)", Error);
  CHECK_THROWS_WITH_AS(row_shard(8, 0, 0), "row_shard: a job needs at least 1 process, got size 0", Error);
}

TEST_CASE("LocalCommunicator is a job of one whose collectives leave the data as it is") {
  LocalCommunicator local;
  CHECK(local.rank() == 0);
  CHECK(local.size() == 1);
  CHECK(local.is_root());
  CHECK(local.describe() == "a single process");
  float f[3] = {1.5f, -2.0f, 3.0f};
  double d[2] = {0.25, 8.0};
  local.allreduce_sum(f, 3);
  local.allreduce_sum(d, 2);
  local.broadcast(f, 3, 0);
  local.barrier();
  CHECK(f[0] == 1.5f);
  CHECK(f[1] == -2.0f);
  CHECK(f[2] == 3.0f);
  CHECK(d[0] == 0.25);
  CHECK(d[1] == 8.0);
  // Every collective is counted: 3 floats + 2 doubles reduced, 3 floats broadcast.
  CHECK(local.stats().allreduce_calls == 2);
  CHECK(local.stats().allreduce_bytes == 3 * 4 + 2 * 8);
  CHECK(local.stats().broadcast_calls == 1);
  CHECK(local.stats().broadcast_bytes == 12);
  local.reset_stats();
  CHECK(local.stats().allreduce_calls == 0);
}

TEST_CASE("Communicator::broadcast rejects a root that is not a rank") {
  LocalCommunicator local;
  float f[1] = {1.0f};
  CHECK_THROWS_WITH_AS(local.broadcast(f, 1, 1),
                       "Communicator::broadcast: root 1 is not a rank of a single process (ranks 0..0)", Error);
  ThreadGroup group(2);
  CHECK_THROWS_WITH_AS(group.communicator(1)->broadcast(f, 1, -1),
                       "Communicator::broadcast: root -1 is not a rank of rank 1 of 2 (ranks 0..1)", Error);
}

TEST_CASE("world() is this process alone when it was not started by mpirun") {
  const auto w = world();
  CHECK(w->size() == 1);
  CHECK(w->rank() == 0);
  CHECK(world() == w);  // one object for the program
}

namespace {

// Three ranks' copies of three weights: a has a gradient on every rank
// (r + 1), b only on rank 1 (10), c on none. The ranks' loss shares are
// `share` below.
std::vector<std::vector<Tensor>> three_ranks_of_gradients() {
  std::vector<std::vector<Tensor>> tensors(3);
  for (int r = 0; r < 3; ++r) {
    tensors[r] = {parameter_with_grad({2, 2}, 0.0f, float(r + 1)),
                  parameter_with_grad({3}, 0.0f, r == 1 ? std::optional(10.0f) : std::nullopt),
                  parameter_with_grad({1}, 0.0f, std::nullopt)};
  }
  return tensors;
}
constexpr float share[3] = {0.5f, 0.25f, 0.25f};

}  // namespace

TEST_CASE("TensorCollectives sums each rank's gradients times its share, in one allreduce") {
  ThreadGroup group(3);
  std::vector<std::vector<Tensor>> tensors = three_ranks_of_gradients();
  std::vector<const float*> buffer_before(3), buffer_after(3);
  std::vector<std::size_t> calls(3);
  group.run([&](int r) {
    auto communicator = group.communicator(r);
    TensorCollectives collectives(communicator);
    collectives.allreduce_gradients(tensors[r], share[r]);
    buffer_before[r] = collectives.buffer().data();
    for (auto& t : tensors[r]) t.zero_grad();
    for (auto& t : tensors[r]) accumulate_grad(t, filled(t.shape(), 1.0f));
    collectives.allreduce_gradients(tensors[r], share[r]);
    buffer_after[r] = collectives.buffer().data();
    calls[r] = communicator->stats().allreduce_calls;
  });
  for (int r = 0; r < 3; ++r) {
    CAPTURE(r);
    CHECK(calls[r] == 2);                           // one allreduce per step, not one per tensor
    CHECK(buffer_after[r] == buffer_before[r]);     // the buffer is reused
    // Second step: every rank had gradient 1 everywhere: 0.5 + 0.25 + 0.25 = 1.
    for (const auto& t : tensors[r]) CHECK(max_abs_diff(t.grad(), filled(t.shape(), 1.0f)) == 0.0);
  }
}

TEST_CASE("TensorCollectives gives a tensor the summed gradient when any rank has one, and none when none has") {
  ThreadGroup group(3);
  std::vector<std::vector<Tensor>> tensors = three_ranks_of_gradients();
  group.run([&](int r) { TensorCollectives(group.communicator(r)).allreduce_gradients(tensors[r], share[r]); });
  for (int r = 0; r < 3; ++r) {
    CAPTURE(r);
    // a: 0.5 * 1 + 0.25 * 2 + 0.25 * 3 = 1.75 on every rank.
    CHECK(max_abs_diff(tensors[r][0].grad(), filled({2, 2}, 1.75f)) == 0.0);
    // b: only rank 1's 0.25 * 10, also on the ranks that had no gradient.
    REQUIRE(tensors[r][1].has_grad());
    CHECK(max_abs_diff(tensors[r][1].grad(), filled({3}, 2.5f)) == 0.0);
    // c: no rank had a gradient, so the optimizer will skip it.
    CHECK_FALSE(tensors[r][2].has_grad());
  }
}

TEST_CASE("TensorCollectives broadcasts rank 0's values and refuses ranks that built different models") {
  ThreadGroup group(2);
  std::vector<std::vector<Tensor>> tensors(2);
  for (int r = 0; r < 2; ++r) {
    tensors[r] = {parameter_with_grad({2, 3}, float(r + 1), std::nullopt), parameter_with_grad({4}, -float(r), {})};
  }
  group.run([&](int r) { TensorCollectives(group.communicator(r)).broadcast_values(tensors[r], 0); });
  CHECK(max_abs_diff(tensors[1][0].value(), filled({2, 3}, 1.0f)) == 0.0);
  CHECK(max_abs_diff(tensors[1][1].value(), filled({4}, 0.0f)) == 0.0);

  // Rank 1 has a tensor more: every rank throws, none waits forever.
  tensors[1].push_back(parameter_with_grad({5}, 0.0f, {}));
  std::vector<std::string> messages(2);
  group.run([&](int r) {
    try {
      TensorCollectives(group.communicator(r)).broadcast_values(tensors[r], 0);
    } catch (const Error& e) {
      messages[r] = e.what();
    }
  });
  CHECK(messages[0] ==
        "TensorCollectives::broadcast_values: 1 of 2 processes hold a different number of weight values than rank 0 "
        "(10); this one (rank 0 of 2) holds 10: every process must build the same model");
  CHECK(messages[1].find("this one (rank 1 of 2) holds 15") != std::string::npos);
}

TEST_CASE("TensorCollectives and DataParallel need a communicator") {
  CHECK_THROWS_WITH_AS(TensorCollectives(nullptr), "TensorCollectives: the communicator is null", Error);
  CHECK_THROWS_WITH_AS(DataParallel(nullptr), "TensorCollectives: the communicator is null", Error);
}

TEST_CASE("share_step is the shard's fraction of the global rows, or of the mask's weight for a masked mean") {
  // Per-step mask (4 rows, 2 steps): row weights 2, 1, 0, 2; the batch's total is 5.
  const Array mask = {{1.0f, 1.0f}, {1.0f, 0.0f}, {0.0f, 0.0f}, {1.0f, 1.0f}};
  const Batch batch{{filled({4, 3}, 1.0f)}, {filled({4, 2}, 0.0f)}, mask};
  auto shares = [&](const std::vector<RowShard>& shards, const Batch& whole, Reduction reduction) {
    ThreadGroup group(int(shards.size()));
    std::vector<DataParallel::StepShare> out(shards.size());
    group.run([&](int r) {
      DataParallel parallel(group.communicator(r));
      out[std::size_t(r)] = parallel.share_step(batch_rows(whole, shards[r].begin, shards[r].end), reduction);
    });
    return out;
  };
  // Without weights, or with a reduction that divides by the positions: rows.
  Batch unweighted = batch;
  unweighted.sample_weight.reset();
  auto s = shares({{0, 1}, {1, 4}}, unweighted, Reduction::mean_with_sample_weight);
  CHECK(s[0].share == 0.25);
  CHECK(s[1].share == 0.75);
  CHECK(s[0].rows == 4);
  CHECK(s[1].rows == 4);
  s = shares({{0, 1}, {1, 4}}, batch, Reduction::sum_over_batch_size);
  CHECK(s[1].share == 0.75);
  s = shares({{0, 1}, {1, 4}}, batch, Reduction::mean_with_sample_weight);
  CHECK(s[0].share == doctest::Approx(2.0 / 5.0));
  CHECK(s[1].share == doctest::Approx(3.0 / 5.0));
  // An empty shard carries nothing; all padding: no loss to share.
  s = shares({{0, 0}, {0, 2}, {2, 4}}, batch, Reduction::mean_with_sample_weight);
  CHECK(s[0].share == 0.0);
  CHECK(s[0].rows == 4);
  CHECK(s[1].share == doctest::Approx(3.0 / 5.0));
  Batch padding = batch;
  padding.sample_weight = filled({4, 2}, 0.0f);
  s = shares({{0, 2}, {2, 4}}, padding, Reduction::mean_with_sample_weight);
  CHECK(s[0].share == 0.0);
  CHECK(s[1].share == 0.0);
}

TEST_CASE("metrics expose the sums their mean comes from, and refuse when they have none") {
  Mean mean("loss");
  mean.update(2.0, 1.0);
  mean.update(4.0, 3.0);
  CHECK(mean.sums().total == 14.0);
  CHECK(mean.sums().weight == 4.0);
  CHECK(mean.sums().mean() == 3.5);
  CHECK(MetricSums{}.mean() == 0.0);
  CategoricalAccuracy accuracy;
  accuracy.update(Array{{0.9f, 0.1f}, {0.2f, 0.8f}}, Array{{1.0f, 0.0f}, {1.0f, 0.0f}});  // right, wrong
  CHECK(accuracy.sums().total == 1.0);
  CHECK(accuracy.sums().weight == 2.0);

  struct Median : Metric {
    Median() : Metric("median") {}
    void reset() override {}
    double result() const override { return 0.0; }
  };
  CHECK_THROWS_WITH_AS(Median().sums(),
                       "metric 'median' does not expose its sums (Metric::sums), so it cannot be reduced across "
                       "processes in data-parallel training",
                       Error);
}

TEST_CASE("a model compiled with a LocalCommunicator trains exactly as one compiled without") {
  const auto data = tagger_data(30, 3);
  Functional plain = gru_tagger(11, nullptr);
  Functional local = gru_tagger(11, std::make_shared<LocalCommunicator>());
  REQUIRE(same_bits(plain->get_weights(), local->get_weights()));
  for (std::size_t step = 0; step < 4; ++step) {
    const auto batch = rows(data, step * 7, step * 7 + 7);
    const auto a = plain->train_on_batch({batch.x}, {batch.y}, &batch.mask);
    const auto b = local->train_on_batch({batch.x}, {batch.y}, &batch.mask);
    CHECK(a.at("loss") == b.at("loss"));
    CHECK(a.at("accuracy") == b.at("accuracy"));
  }
  const FitOptions fit{.batch_size = 8, .epochs = 2, .validation_split = 0.2, .seed = 4, .verbose = 0,
                       .sample_weight = data.mask};
  const History h1 = plain->fit({data.x}, {data.y}, fit);
  const History h2 = local->fit({data.x}, {data.y}, fit);
  CHECK(h1.history == h2.history);
  CHECK(same_bits(plain->get_weights(), local->get_weights()));
}

TEST_CASE("train_on_batch on 3 ranks equals one process on the global batch: uneven and empty shards, masked loss") {
  const auto data = tagger_data(120, 5);
  ThreadGroup group(3);
  // Different seeds: the ranks start from different weights until rank 0's are broadcast.
  std::vector<Functional> ranks;
  for (int r = 0; r < 3; ++r) ranks.push_back(gru_tagger(100 + std::uint64_t(r), group.communicator(r)));
  Functional reference = gru_tagger(7, nullptr);
  reference->set_weights(ranks[0]->get_weights());

  // Global batches of 7 (shards 2 + 2 + 3), 2 (rank 0's shard empty), 5 and 13 rows.
  const std::size_t sizes[] = {7, 2, 5, 13};
  std::vector<std::vector<std::map<std::string, double>>> logs(3);
  group.run([&](int r) {
    std::size_t begin = 0;
    for (std::size_t step = 0; step < 20; ++step) {
      const std::size_t end = begin + sizes[step % 4];
      const auto batch = rows(data, begin, end);
      logs[r].push_back(ranks[r]->train_on_batch({batch.x}, {batch.y}, &batch.mask));
      begin = end % 100;
    }
  });
  std::size_t begin = 0;
  for (std::size_t step = 0; step < 20; ++step) {
    const std::size_t end = begin + sizes[step % 4];
    const auto batch = rows(data, begin, end);
    const auto expected = reference->train_on_batch({batch.x}, {batch.y}, &batch.mask);
    begin = end % 100;
    CAPTURE(step);
    for (int r = 0; r < 3; ++r) {
      CAPTURE(r);
      CHECK(relative_diff(logs[r][step].at("loss"), expected.at("loss")) < 1e-5);
      CHECK(logs[r][step].at("accuracy") == doctest::Approx(expected.at("accuracy")).epsilon(1e-9));
      CHECK(logs[r][step] == logs[0][step]);  // every rank logs the same values
    }
  }
  CHECK(same_bits(ranks[1]->get_weights(), ranks[0]->get_weights()));
  CHECK(same_bits(ranks[2]->get_weights(), ranks[0]->get_weights()));
  CHECK(max_weight_diff(ranks[0]->get_weights(), reference->get_weights()) < 1e-4);
  CHECK(ranks[0]->optimizer().iterations() == 20);
}

TEST_CASE("data-parallel fit equals one process: shuffled order, uneven last batch, validation, metrics") {
  const auto data = tagger_data(40, 8);
  ThreadGroup group(2);
  std::vector<Functional> ranks;
  for (int r = 0; r < 2; ++r) ranks.push_back(gru_tagger(200 + std::uint64_t(r), group.communicator(r)));
  Functional reference = gru_tagger(7, nullptr);
  reference->set_weights(ranks[0]->get_weights());
  // 32 training rows in batches of 7: 7, 7, 7, 7, 4; 8 validation rows.
  const FitOptions options{.batch_size = 7, .epochs = 3, .validation_split = 0.2, .seed = 9, .verbose = 0,
                           .sample_weight = data.mask};
  std::vector<History> histories(2);
  group.run([&](int r) { histories[r] = ranks[r]->fit({data.x}, {data.y}, options); });
  const History expected = reference->fit({data.x}, {data.y}, options);
  for (const auto& [name, values] : expected.history) {
    CAPTURE(name);
    for (int r = 0; r < 2; ++r) {
      REQUIRE(histories[r].history.at(name).size() == 3);
      for (std::size_t e = 0; e < 3; ++e) CHECK(relative_diff(histories[r].history.at(name)[e], values[e]) < 1e-5);
    }
  }
  CHECK(histories[0].history == histories[1].history);
  CHECK(same_bits(ranks[1]->get_weights(), ranks[0]->get_weights()));
  CHECK(max_weight_diff(ranks[0]->get_weights(), reference->get_weights()) < 1e-4);
}

TEST_CASE("data-parallel evaluate gives every rank the loss and accuracy of the whole data") {
  const auto data = tagger_data(13, 21);
  ThreadGroup group(2);
  std::vector<Functional> ranks;
  for (int r = 0; r < 2; ++r) ranks.push_back(gru_tagger(300 + std::uint64_t(r), group.communicator(r)));
  Functional reference = gru_tagger(7, nullptr);
  reference->set_weights(ranks[0]->get_weights());
  std::vector<std::map<std::string, double>> results(2);
  // Batches of 5: 5, 5, 3 rows, each split across the two ranks.
  group.run([&](int r) { results[r] = ranks[r]->evaluate({data.x}, {data.y}, 5); });
  const auto expected = reference->evaluate({data.x}, {data.y}, 5);
  for (int r = 0; r < 2; ++r) {
    CHECK(relative_diff(results[r].at("loss"), expected.at("loss")) < 1e-6);
    CHECK(results[r].at("accuracy") == doctest::Approx(expected.at("accuracy")).epsilon(1e-12));
  }
  // Evaluating first also gave rank 1 rank 0's weights.
  CHECK(same_bits(ranks[1]->get_weights(), ranks[0]->get_weights()));
}

TEST_CASE("under data-parallel fit only rank 0 prints progress and runs root_only callbacks") {
  const auto data = tagger_data(12, 2);
  ThreadGroup group(2);
  std::vector<Functional> ranks;
  for (int r = 0; r < 2; ++r) ranks.push_back(gru_tagger(400, group.communicator(r)));
  std::ostringstream out[2];
  int root_only_calls[2] = {0, 0}, every_rank_calls[2] = {0, 0};
  group.run([&](int r) {
    auto writer = std::make_shared<LambdaCallback>(LambdaCallback::Options{
        .on_epoch_end = [&, r](std::size_t, const Logs&) { ++root_only_calls[r]; }, .root_only = true});
    auto watcher = std::make_shared<LambdaCallback>(
        LambdaCallback::Options{.on_epoch_end = [&, r](std::size_t, const Logs&) { ++every_rank_calls[r]; }});
    ranks[r]->fit({data.x}, {data.y},
                  {.batch_size = 4, .epochs = 2, .seed = 1, .verbose = 1, .callbacks = {writer, watcher},
                   .out = &out[r]});
  });
  CHECK(out[0].str().find("Epoch 2/2") != std::string::npos);
  CHECK(out[1].str().empty());
  CHECK(root_only_calls[0] == 2);
  CHECK(root_only_calls[1] == 0);
  CHECK(every_rank_calls[0] == 2);
  CHECK(every_rank_calls[1] == 2);
  CHECK(ModelCheckpoint({.filepath = "unused.safetensors"}).root_only());
  CHECK_FALSE(EarlyStopping({}).root_only());
}

TEST_CASE("a root_only callback that stops training stops every rank after the same step") {
  const auto data = tagger_data(12, 2);
  ThreadGroup group(2);
  std::vector<Functional> ranks;
  for (int r = 0; r < 2; ++r) ranks.push_back(gru_tagger(400, group.communicator(r)));
  std::size_t steps_run[2] = {0, 0};
  group.run([&](int r) {
    // Only rank 0 runs it: without agreeing on the stop, rank 1 would go on
    // to the next step's allreduce and wait forever.
    auto stopper = std::make_shared<LambdaCallback>(LambdaCallback::Options{
        .on_batch_end = [&](std::size_t batch, const Logs&) { if (batch == 1) ranks[0]->stop_training = true; },
        .root_only = true});
    auto counter = std::make_shared<LambdaCallback>(
        LambdaCallback::Options{.on_batch_end = [&, r](std::size_t, const Logs&) { ++steps_run[r]; }});
    ranks[r]->fit({data.x}, {data.y},
                  {.batch_size = 4, .epochs = 3, .seed = 1, .verbose = 0, .callbacks = {stopper, counter}});
  });
  CHECK(steps_run[0] == 2);
  CHECK(steps_run[1] == 2);
  CHECK(ranks[1]->stop_training);
}
