#include "data/array_dataset.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "data/batching.hpp"
#include "distributed/row_shard.hpp"
#include "layers/initializers.hpp"

namespace kiln {

namespace {

void check_rows(const std::vector<Array>& arrays, const char* what, std::size_t n) {
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    if (rows_in(arrays[i]) != n) {
      throw ShapeError("ArrayDataset: x[0] has " + std::to_string(n) + " samples but " + what + "[" +
                       std::to_string(i) + "] has shape " + to_string(arrays[i].shape()));
    }
  }
}

}  // namespace

ArrayDataset::ArrayDataset(Arrays x, Arrays y, std::shared_ptr<const Array> sample_weight,
                           ArrayDatasetOptions options)
    : x_(std::move(x)), y_(std::move(y)), sample_weight_(std::move(sample_weight)), options_(options) {
  if (!x_ || x_->empty()) throw Error("ArrayDataset: no input arrays given");
  if (!y_) throw Error("ArrayDataset: null target arrays");
  if (options_.batch_size == 0) throw Error("ArrayDataset: batch_size must be positive");
  const std::size_t n = rows_in((*x_)[0]);
  check_rows(*x_, "x", n);
  check_rows(*y_, "y", n);
  if (sample_weight_ && rows_in(*sample_weight_) != n) {
    throw ShapeError("ArrayDataset: sample_weight " + to_string(sample_weight_->shape()) +
                     " must have one row per sample (" + std::to_string(n) + ")");
  }
  const std::size_t end = options_.end == 0 ? n : options_.end;
  if (options_.begin > end || end > n) {
    throw Error("ArrayDataset: rows [" + std::to_string(options_.begin) + ", " + std::to_string(end) +
                ") are not within the " + std::to_string(n) + " samples");
  }
  order_.resize(end - options_.begin);
  std::iota(order_.begin(), order_.end(), options_.begin);
}

std::optional<std::size_t> ArrayDataset::num_batches() const {
  return (order_.size() + options_.batch_size - 1) / options_.batch_size;
}

void ArrayDataset::reseed(std::uint64_t seed) {
  if (options_.seed != 0 || seeded_) return;  // the dataset's own seed wins; the order is drawn once
  options_.seed = seed;
  seed_once();
}

// The first epoch's order, as fit always shuffled: one generator from the
// seed, the running order shuffled at the start of every epoch.
void ArrayDataset::seed_once() {
  if (seeded_) return;
  seeded_ = true;
  if (!options_.shuffle) return;
  rng_.seed(options_.seed != 0 ? options_.seed : global_generator()());
  std::shuffle(order_.begin(), order_.end(), rng_);
}

void ArrayDataset::on_epoch_end() {
  if (!seeded_) return seed_once();
  if (options_.shuffle) std::shuffle(order_.begin(), order_.end(), rng_);
}

Batch ArrayDataset::rows_at(std::size_t first, std::size_t last) const {
  const std::vector<std::size_t> rows(order_.begin() + std::ptrdiff_t(first), order_.begin() + std::ptrdiff_t(last));
  Batch batch;
  for (const auto& a : *x_) batch.x.push_back(take_rows(a, rows));
  for (const auto& a : *y_) batch.y.push_back(take_rows(a, rows));
  if (sample_weight_) batch.sample_weight = take_rows(*sample_weight_, rows);
  return batch;
}

Batch ArrayDataset::get_batch(std::size_t index) { return get_batch_shard(index, {}); }

Batch ArrayDataset::get_batch_shard(std::size_t index, Shard shard) {
  seed_once();
  const std::size_t batches = *num_batches();
  if (index >= batches) {
    throw DataExhausted("ArrayDataset: batch " + std::to_string(index) + " is past the last (" +
                        std::to_string(batches) + " batches)");
  }
  const std::size_t first = index * options_.batch_size;
  const std::size_t rows = std::min(order_.size(), first + options_.batch_size) - first;
  const RowShard mine = row_shard(rows, shard.rank, shard.count);
  return rows_at(first + mine.begin, first + mine.end);
}

std::shared_ptr<ArrayDataset> from_arrays(std::vector<Array> x, std::vector<Array> y, ArrayDatasetOptions options,
                                          std::optional<Array> sample_weight) {
  std::shared_ptr<const Array> weight;
  if (sample_weight) weight = std::make_shared<const Array>(std::move(*sample_weight));
  return std::make_shared<ArrayDataset>(std::make_shared<const std::vector<Array>>(std::move(x)),
                                        std::make_shared<const std::vector<Array>>(std::move(y)), std::move(weight),
                                        options);
}

}  // namespace kiln
