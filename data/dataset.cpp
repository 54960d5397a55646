#include "data/dataset.hpp"

#include "data/batching.hpp"
#include "data/map_dataset.hpp"
#include "data/padded_batch_dataset.hpp"
#include "data/bucket_by_length_dataset.hpp"
#include "data/prefetch_dataset.hpp"
#include "data/repeat_dataset.hpp"
#include "data/shuffle_dataset.hpp"
#include "data/window_dataset.hpp"
#include "distributed/row_shard.hpp"

namespace kiln {

Batch Dataset::get_batch_shard(std::size_t index, Shard shard) {
  Batch whole = get_batch(index);
  if (shard.whole()) return whole;
  const RowShard mine = row_shard(whole.rows(), shard.rank, shard.count);
  return batch_rows(whole, mine.begin, mine.end);
}

std::shared_ptr<Dataset> Dataset::map(BatchFunction f) {
  return std::make_shared<MapDataset>(shared_from_this(), std::move(f));
}

std::shared_ptr<Dataset> Dataset::shuffle(std::size_t buffer_size, std::uint64_t seed) {
  return std::make_shared<ShuffleDataset>(shared_from_this(), buffer_size, seed);
}

std::shared_ptr<Dataset> Dataset::take(std::size_t count) {
  return std::make_shared<WindowDataset>(shared_from_this(), 0, count);
}

std::shared_ptr<Dataset> Dataset::skip(std::size_t count) {
  return std::make_shared<WindowDataset>(shared_from_this(), count, std::nullopt);
}

std::shared_ptr<Dataset> Dataset::repeat(std::optional<std::size_t> count) {
  return std::make_shared<RepeatDataset>(shared_from_this(), count);
}

std::shared_ptr<Dataset> Dataset::padded_batch(PaddedBatchOptions options) {
  return std::make_shared<PaddedBatchDataset>(shared_from_this(), std::move(options));
}

std::shared_ptr<Dataset> Dataset::bucket_by_length(BucketOptions options) {
  return std::make_shared<BucketByLengthDataset>(shared_from_this(), std::move(options));
}

std::shared_ptr<Dataset> Dataset::prefetch(std::size_t depth) {
  return std::make_shared<PrefetchDataset>(shared_from_this(), depth);
}

}  // namespace kiln
