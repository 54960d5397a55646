// kiln::Dataset: the sources (arrays, a generator, text files) and the
// transformations (map, shuffle, take, skip, repeat, padded_batch,
// bucket_by_length, prefetch), their lengths, orders and edge cases.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>
#include <thread>

#include "data/array_dataset.hpp"
#include "data/bucket_by_length_dataset.hpp"
#include "data/generator_dataset.hpp"
#include "data/padded_batch_dataset.hpp"
#include "data/text_line_dataset.hpp"
#include "support.hpp"

using namespace kiln;

namespace {

// x = [[0], [1], ..., [n-1]], y = 10 * x.
std::shared_ptr<ArrayDataset> numbered(std::size_t n, ArrayDatasetOptions options) {
  Array x = Array::from_shape({n, 1}), y = Array::from_shape({n, 1});
  for (std::size_t i = 0; i < n; ++i) x(i, 0) = float(i), y(i, 0) = float(10 * i);
  return from_arrays({x}, {y}, options);
}

std::vector<float> column(const Array& a) { return std::vector<float>(a.begin(), a.end()); }

// The first values of every batch of one epoch, read until the data ends.
std::vector<std::vector<float>> epoch_of(Dataset& data) {
  std::vector<std::vector<float>> out;
  for (std::size_t i = 0;; ++i) {
    try {
      out.push_back(column(data.get_batch(i).x[0]));
    } catch (const DataExhausted&) {
      return out;
    }
  }
}

// A batch of one sample: x (1, length) holding 1, 2, ..., length; y (1) = length.
Batch sample_of_length(std::size_t length) {
  Batch b;
  b.x.push_back(Array::from_shape({1, length}));
  for (std::size_t t = 0; t < length; ++t) b.x[0](0, t) = float(t + 1);
  b.y.push_back(Array{float(length)});
  return b;
}

std::shared_ptr<Dataset> samples_of_lengths(std::vector<std::size_t> lengths) {
  return from_generator([lengths](std::size_t i) { return sample_of_length(lengths[i]); }, lengths.size());
}

// A batch of one row holding `v`.
Batch one_value(float v) {
  Batch b;
  b.x.push_back(Array::from_shape({1, 1}));
  b.x[0](0, 0) = v;
  return b;
}

std::filesystem::path write_lines(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("kiln_dataset_" + name + ".txt");
  std::ofstream(path) << text;
  return path;
}

}  // namespace

// ---------------------------------------------------------------- arrays

TEST_CASE("an array dataset cuts the rows into batches in order when not shuffled, the last one smaller") {
  auto data = numbered(7, {.batch_size = 3, .shuffle = false});
  REQUIRE(data->num_batches() == std::size_t{3});
  CHECK(epoch_of(*data) == std::vector<std::vector<float>>{{0, 1, 2}, {3, 4, 5}, {6}});
  const Batch last = data->get_batch(2);
  CHECK(last.y[0](0, 0) == 60.0f);
  CHECK(last.y[0].shape() == Shape{1, 1});
  CHECK_FALSE(last.sample_weight.has_value());
  CHECK_THROWS_WITH_AS(data->get_batch(3), doctest::Contains("batch 3 is past the last (3 batches)"), DataExhausted);
}

TEST_CASE("an array dataset shuffles afresh every epoch, the same way for the same seed, and keeps every row") {
  auto a = numbered(20, {.batch_size = 20, .seed = 5});
  auto b = numbered(20, {.batch_size = 20, .seed = 5});
  const auto first = column(a->get_batch(0).x[0]);
  CHECK(first == column(b->get_batch(0).x[0]));
  std::vector<float> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  std::vector<float> all(20);
  std::iota(all.begin(), all.end(), 0.0f);
  CHECK(sorted == all);
  CHECK(first != all);
  a->on_epoch_end();
  const auto second = column(a->get_batch(0).x[0]);
  CHECK(second != first);
  b->on_epoch_end();
  CHECK(column(b->get_batch(0).x[0]) == second);
}

TEST_CASE("an array dataset without its own seed takes fit's seed; one with a seed keeps it") {
  auto taken = numbered(12, {.batch_size = 12});
  auto other = numbered(12, {.batch_size = 12});
  auto own = numbered(12, {.batch_size = 12, .seed = 99});
  auto same_own = numbered(12, {.batch_size = 12, .seed = 99});
  taken->reseed(3);
  other->reseed(3);
  own->reseed(3);
  CHECK(column(taken->get_batch(0).x[0]) == column(other->get_batch(0).x[0]));
  CHECK(column(own->get_batch(0).x[0]) == column(same_own->get_batch(0).x[0]));
  CHECK(column(own->get_batch(0).x[0]) != column(taken->get_batch(0).x[0]));
}

TEST_CASE("an array dataset's shards are the batch's rows split across the ranks, sample weights alike") {
  Array x = Array::from_shape({5, 2}), w = Array::from_shape({5});
  for (std::size_t i = 0; i < 5; ++i) x(i, 0) = x(i, 1) = float(i), w(i) = float(i) / 10.0f;
  auto data = from_arrays({x}, {x}, {.batch_size = 5, .shuffle = false}, w);
  const Batch r0 = data->get_batch_shard(0, {0, 2}), r1 = data->get_batch_shard(0, {1, 2});
  CHECK(r0.x[0] == Array{{0, 0}, {1, 1}});
  CHECK(r1.x[0] == Array{{2, 2}, {3, 3}, {4, 4}});
  CHECK(*r1.sample_weight == Array{0.2f, 0.3f, 0.4f});
  // A rank can get no row of a small batch.
  auto one = from_arrays({one_value(1.0f).x[0]}, {one_value(1.0f).x[0]}, {.batch_size = 1, .shuffle = false});
  CHECK(one->get_batch_shard(0, {0, 2}).rows() == 0);
  CHECK(one->get_batch_shard(0, {1, 2}).rows() == 1);
}

TEST_CASE("an array dataset lends borrowed arrays without copying and rejects inconsistent ones") {
  const std::vector<Array> x = {Array::from_shape({4, 3})}, y = {Array::from_shape({3, 1})};
  CHECK_THROWS_WITH_AS(ArrayDataset(borrow(x), borrow(y), nullptr, {}),
                       doctest::Contains("x[0] has 4 samples but y[0] has shape (3, 1)"), ShapeError);
  CHECK_THROWS_WITH_AS(ArrayDataset(borrow(x), borrow(x), nullptr, {.batch_size = 0}),
                       doctest::Contains("batch_size must be positive"), Error);
  CHECK_THROWS_WITH_AS(ArrayDataset(borrow(x), borrow(x), nullptr, {.begin = 3, .end = 5}),
                       doctest::Contains("rows [3, 5) are not within the 4 samples"), Error);
  // Borrowed: the dataset points at the caller's vector.
  const auto lent = borrow(x);
  CHECK(lent.get() == &x);
  const ArrayDataset window(borrow(x), borrow(x), nullptr, {.batch_size = 2, .begin = 1, .end = 4});
  CHECK(window.num_batches() == std::size_t{2});
  CHECK(window.samples() == 3);
}

TEST_CASE("an empty array dataset has no batches") {
  auto data = from_arrays({Array::from_shape({0, 2})}, {Array::from_shape({0, 1})}, {.batch_size = 4});
  CHECK(data->num_batches() == std::size_t{0});
  CHECK_THROWS_AS(data->get_batch(0), DataExhausted);
}

// ---------------------------------------------------------------- generator and text files

TEST_CASE("a generator dataset calls the function with the batch index and ends when it returns nothing") {
  std::vector<std::size_t> asked;
  auto stream = from_generator([&](std::size_t i) -> std::optional<Batch> {
    asked.push_back(i);
    if (i == 3) return std::nullopt;
    return one_value(float(i));
  });
  CHECK_FALSE(stream->num_batches().has_value());
  CHECK(epoch_of(*stream) == std::vector<std::vector<float>>{{0}, {1}, {2}});
  CHECK(asked == std::vector<std::size_t>{0, 1, 2, 3});
  auto sized = from_generator([](std::size_t i) { return one_value(float(i)); }, 2);
  CHECK(sized->num_batches() == std::size_t{2});
  CHECK_THROWS_AS(sized->get_batch(2), DataExhausted);
  CHECK_THROWS_WITH_AS(from_generator(nullptr), "from_generator: the function is empty", Error);
}

TEST_CASE("a text dataset reads its files lazily, lines_per_batch at a time, and starts again each epoch") {
  const auto a = write_lines("a", "one\ntwo\r\nthree\n"), b = write_lines("b", "four\nfive");
  std::vector<std::vector<std::string>> parsed;
  auto lines = text_lines({a, b}, 2, [&](const std::vector<std::string>& l) {
    parsed.push_back(l);
    return one_value(float(l.size()));
  });
  CHECK_FALSE(lines->num_batches().has_value());
  CHECK(epoch_of(*lines) == std::vector<std::vector<float>>{{2}, {2}, {1}});
  CHECK(parsed == std::vector<std::vector<std::string>>{{"one", "two"}, {"three", "four"}, {"five"}});
  lines->on_epoch_end();
  parsed.clear();
  CHECK(column(lines->get_batch(1).x[0]) == std::vector<float>{2});  // reads batch 0 on the way
  CHECK(parsed.size() == 2);
  CHECK(parsed[1] == std::vector<std::string>{"three", "four"});
  lines->get_batch(0);  // an earlier batch: from the start again
  CHECK(parsed.back() == std::vector<std::string>{"one", "two"});

  const auto empty = write_lines("empty", "");
  auto none = text_lines({empty}, 4, [](const auto&) { return Batch{}; });
  CHECK_THROWS_AS(none->get_batch(0), DataExhausted);
  CHECK_THROWS_WITH_AS(text_lines({"/nonexistent/kiln.txt"}, 4, [](const auto&) { return Batch{}; }),
                       "/nonexistent/kiln.txt: cannot be opened for reading", FormatError);
  for (const auto& p : {a, b, empty}) std::filesystem::remove(p);
}

// ---------------------------------------------------------------- transformations

TEST_CASE("map applies the function to every batch, and only to this rank's shard under data parallelism") {
  std::size_t rows_seen = 0;
  auto doubled = numbered(6, {.batch_size = 4, .shuffle = false})->map([&](Batch b) {
    rows_seen += b.rows();
    for (auto& v : b.x[0]) v *= 2.0f;
    return b;
  });
  CHECK(doubled->num_batches() == std::size_t{2});
  CHECK(epoch_of(*doubled) == std::vector<std::vector<float>>{{0, 2, 4, 6}, {8, 10}});
  rows_seen = 0;
  CHECK(column(doubled->get_batch_shard(0, {1, 2}).x[0]) == std::vector<float>{4, 6});
  CHECK(rows_seen == 2);
  CHECK_THROWS_WITH_AS(doubled->map(nullptr), "Dataset::map: the function is empty", Error);
}

TEST_CASE("take and skip window an epoch; taking more than there is gives what there is") {
  auto data = numbered(5, {.batch_size = 1, .shuffle = false});
  CHECK(data->take(2)->num_batches() == std::size_t{2});
  CHECK(epoch_of(*data->take(2)) == std::vector<std::vector<float>>{{0}, {1}});
  CHECK(data->take(10)->num_batches() == std::size_t{5});
  CHECK(epoch_of(*data->take(10)).size() == 5);
  CHECK(data->take(0)->num_batches() == std::size_t{0});
  CHECK(epoch_of(*data->skip(3)) == std::vector<std::vector<float>>{{3}, {4}});
  CHECK(data->skip(10)->num_batches() == std::size_t{0});
  CHECK_THROWS_AS(data->skip(10)->get_batch(0), DataExhausted);
  CHECK(epoch_of(*data->skip(1)->take(2)) == std::vector<std::vector<float>>{{1}, {2}});
  // Of a stream: unknown length, but the take still ends it.
  auto stream = from_generator([](std::size_t i) { return one_value(float(i)); });
  CHECK_FALSE(stream->take(3)->num_batches().has_value());
  CHECK(epoch_of(*stream->take(3)).size() == 3);
}

TEST_CASE("repeat reads the data again, with the source's next order each pass, or forever") {
  auto shuffled = numbered(6, {.batch_size = 6, .seed = 2});
  auto twice = shuffled->repeat(2);
  CHECK(twice->num_batches() == std::size_t{2});
  const auto passes = epoch_of(*twice);
  REQUIRE(passes.size() == 2);
  CHECK(passes[0] != passes[1]);  // on_epoch_end between the passes reshuffled
  std::set<float> second(passes[1].begin(), passes[1].end());
  CHECK(second.size() == 6);

  auto ordered = numbered(3, {.batch_size = 1, .shuffle = false});
  auto forever = ordered->repeat();
  CHECK_FALSE(forever->num_batches().has_value());
  std::vector<float> seen;
  for (std::size_t i = 0; i < 7; ++i) seen.push_back(forever->get_batch(i).x[0](0, 0));
  CHECK(seen == std::vector<float>{0, 1, 2, 0, 1, 2, 0});

  // A stream of unknown length cycles where it ends.
  auto stream = from_generator([](std::size_t i) -> std::optional<Batch> {
    if (i == 2) return std::nullopt;
    return one_value(float(i));
  });
  auto cycled = stream->repeat(3);
  CHECK(epoch_of(*cycled) == std::vector<std::vector<float>>{{0}, {1}, {0}, {1}, {0}, {1}});

  auto empty = numbered(0, {.batch_size = 2})->repeat();
  CHECK(empty->num_batches() == std::nullopt);
  CHECK_THROWS_AS(empty->get_batch(0), DataExhausted);
  CHECK(ordered->repeat(0)->num_batches() == std::size_t{0});
}

TEST_CASE("shuffle draws batches from a buffer: the whole data with a large one, in order with a buffer of 1") {
  auto data = numbered(8, {.batch_size = 1, .shuffle = false});
  auto in_order = data->shuffle(1, 3);
  CHECK(epoch_of(*in_order).size() == 8);
  CHECK(epoch_of(*in_order)[5] == std::vector<float>{5});

  auto mixed = data->shuffle(100, 3);
  const auto first = epoch_of(*mixed);
  REQUIRE(first.size() == 8);
  std::set<float> values;
  for (const auto& b : first) values.insert(b[0]);
  CHECK(values.size() == 8);
  std::vector<std::vector<float>> sorted(8);
  for (std::size_t i = 0; i < 8; ++i) sorted[i] = {float(i)};
  CHECK(first != sorted);
  mixed->on_epoch_end();
  CHECK(epoch_of(*mixed) != first);  // a new order each epoch
  CHECK(epoch_of(*data->shuffle(100, 3)) == first);  // the same seed, the same order
  CHECK_THROWS_WITH_AS(data->shuffle(0), "Dataset::shuffle: buffer_size must be positive", Error);
}

TEST_CASE("padded_batch pads each batch to its own longest sample, pre or post, weights with zeros") {
  auto data = samples_of_lengths({2, 4, 3})->padded_batch({.batch_size = 2});
  REQUIRE(data->num_batches() == std::size_t{2});
  const Batch first = data->get_batch(0);
  CHECK(first.x[0] == Array{{1, 2, 0, 0}, {1, 2, 3, 4}});
  CHECK(first.y[0] == Array{2, 4});
  CHECK(data->get_batch(1).x[0] == Array{{1, 2, 3}});  // the last batch, padded to its own longest

  auto pre = samples_of_lengths({1, 3})->padded_batch(
      {.batch_size = 2, .padding = {.value = -1.0f, .x_sides = {PadSide::pre}}});
  CHECK(pre->get_batch(0).x[0] == Array{{-1, -1, 1}, {1, 2, 3}});
  auto fixed = samples_of_lengths({1, 3})->padded_batch({.batch_size = 2, .padding = {.length = 5}});
  CHECK(fixed->get_batch(0).x[0] == Array{{1, 0, 0, 0, 0}, {1, 2, 3, 0, 0}});
  auto too_short = samples_of_lengths({6})->padded_batch({.batch_size = 1, .padding = {.length = 5}});
  CHECK_THROWS_WITH_AS(too_short->get_batch(0), doctest::Contains("sequence of 6 steps, longer than the padding length 5"),
                       ShapeError);

  // Sample weights (per step) are padded with 0, so padding weighs nothing.
  auto weighted = from_generator([](std::size_t i) {
    Batch b = sample_of_length(i + 1);
    b.sample_weight = Array::from_shape({1, i + 1});
    b.sample_weight->fill(1.0f);
    return b;
  }, 2)->padded_batch({.batch_size = 2, .padding = {.value = 7.0f}});
  CHECK(*weighted->get_batch(0).sample_weight == Array{{1, 0}, {1, 1}});

  // Samples that differ beyond the sequence axis cannot be stacked.
  auto odd = from_generator([](std::size_t i) {
    return Batch{{Array::from_shape({1, 2, i + 1})}, {}, std::nullopt};
  }, 2)->padded_batch({.batch_size = 2});
  CHECK_THROWS_WITH_AS(odd->get_batch(0), doctest::Contains("x[0] of two samples differ beyond the sequence axis"),
                       ShapeError);
}

TEST_CASE("padded_batch over a stream makes a smaller last batch where the stream ends") {
  auto stream = from_generator([](std::size_t i) -> std::optional<Batch> {
    if (i >= 5) return std::nullopt;
    return sample_of_length(i + 1);
  });
  auto batched = stream->padded_batch({.batch_size = 2});
  CHECK_FALSE(batched->num_batches().has_value());
  const auto epoch = epoch_of(*batched);
  REQUIRE(epoch.size() == 3);
  CHECK(batched->get_batch(2).x[0] == Array{{1, 2, 3, 4, 5}});
}

TEST_CASE("bucket_by_length batches samples of similar length together and flushes partial buckets at the end") {
  // Lengths 1, 5, 2, 6, 3, 7; buckets [0, 4) and [4, inf), two samples each.
  auto data = samples_of_lengths({1, 5, 2, 6, 3, 7})->bucket_by_length({.boundaries = {4}, .batch_sizes = {2, 2}});
  std::vector<Array> batches;
  for (std::size_t i = 0;; ++i) {
    try {
      batches.push_back(data->get_batch(i).y[0]);
    } catch (const DataExhausted&) {
      break;
    }
  }
  REQUIRE(batches.size() == 4);
  CHECK(batches[0] == Array{1, 2});  // the short bucket fills first
  CHECK(batches[1] == Array{5, 6});
  CHECK(batches[2] == Array{3});  // then the partial buckets, shortest first
  CHECK(batches[3] == Array{7});
  CHECK(data->get_batch(1).x[0] == Array{{1, 2, 3, 4, 5, 0}, {1, 2, 3, 4, 5, 6}});  // padded within the bucket
  CHECK_THROWS_WITH_AS(samples_of_lengths({1})->bucket_by_length({.boundaries = {4}, .batch_sizes = {2}}),
                       doctest::Contains("1 boundaries make 2 buckets, but 1 batch sizes were given"), Error);
  CHECK_THROWS_WITH_AS(samples_of_lengths({1})->bucket_by_length({.boundaries = {4, 2}, .batch_sizes = {1, 1, 1}}),
                       doctest::Contains("strictly increasing"), Error);
}

// ---------------------------------------------------------------- prefetch

TEST_CASE("prefetch gives the source's batches in order, and reads ahead on its own thread") {
  std::atomic<int> reads{0};
  auto source = numbered(10, {.batch_size = 2, .shuffle = false})->map([&](Batch b) {
    ++reads;
    return b;
  });
  auto ahead = source->prefetch(3);
  CHECK(ahead->num_batches() == std::size_t{5});
  CHECK(column(ahead->get_batch(0).x[0]) == std::vector<float>{0, 1});
  // While the caller holds batch 0, the thread fills the buffer: batches 1..3.
  for (int i = 0; i < 200 && reads < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(reads == 4);
  CHECK(epoch_of(*ahead) == epoch_of(*source));
}

TEST_CASE("an exception in a map under prefetch reaches the caller at its batch, after the batches before it") {
  auto failing = numbered(6, {.batch_size = 1, .shuffle = false})->map([](Batch b) {
    if (b.x[0](0, 0) == 2.0f) throw Error("bad sample 2");
    return b;
  });
  auto ahead = failing->prefetch(4);
  CHECK(ahead->get_batch(0).x[0](0, 0) == 0.0f);
  CHECK(ahead->get_batch(1).x[0](0, 0) == 1.0f);
  CHECK_THROWS_WITH_AS(ahead->get_batch(2), "bad sample 2", Error);
  // The thread stopped there; asking on starts it again at the batch asked for.
  CHECK(ahead->get_batch(3).x[0](0, 0) == 3.0f);
  CHECK_THROWS_AS(ahead->get_batch(6), DataExhausted);
}

TEST_CASE("prefetch follows the source's new order every epoch and restarts for a batch out of order") {
  auto source = numbered(12, {.batch_size = 3, .seed = 8});
  auto twin = numbered(12, {.batch_size = 3, .seed = 8});
  auto ahead = source->prefetch(2);
  for (int epoch = 0; epoch < 3; ++epoch) {
    CHECK(epoch_of(*ahead) == epoch_of(*twin));
    ahead->on_epoch_end();
    twin->on_epoch_end();
  }
  CHECK(column(ahead->get_batch(2).x[0]) == column(twin->get_batch(2).x[0]));
  CHECK(column(ahead->get_batch(0).x[0]) == column(twin->get_batch(0).x[0]));
  CHECK(column(ahead->get_batch_shard(1, {1, 2}).x[0]) == column(twin->get_batch_shard(1, {1, 2}).x[0]));
}

TEST_CASE("a prefetching dataset dropped after one batch (training stopped early) ends its thread") {
  std::atomic<int> reads{0};
  {
    auto ahead = from_generator([&](std::size_t i) {
      ++reads;
      return one_value(float(i));
    })->prefetch(2);
    CHECK(ahead->get_batch(0).x[0](0, 0) == 0.0f);
    for (int i = 0; i < 200 && reads < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }  // the thread waits for room; the destructor wakes and joins it
  CHECK(reads == 3);
  CHECK_THROWS_WITH_AS(numbered(2, {})->prefetch(0), "Dataset::prefetch: depth must be positive", Error);
}
