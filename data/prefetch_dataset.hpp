#pragma once
// dataset->prefetch(depth): a background thread reads the source's next
// batches (up to `depth` ahead) while the caller trains on the current one,
// so a map that costs as much as a step hides behind it on a second core.
//
//   - batches come out in order; an exception the source throws (a map's
//     error, the end of the data) reaches the caller at the batch it
//     belongs to, and the thread stops there;
//   - asking for another batch than the next (a new epoch, a restart, a
//     different shard) discards what was read ahead and starts again there;
//   - on_epoch_end stops the thread before the source takes its next order,
//     so the source is never read and reshuffled at once;
//   - a caller that stops early (fit's early stopping) leaves the thread
//     waiting for room with at most `depth` batches; the destructor wakes
//     and joins it.

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "data/dataset.hpp"

namespace kiln {

class PrefetchDataset : public Dataset {
 public:
  PrefetchDataset(std::shared_ptr<Dataset> source, std::size_t depth);
  ~PrefetchDataset() override;
  PrefetchDataset(const PrefetchDataset&) = delete;
  PrefetchDataset& operator=(const PrefetchDataset&) = delete;

  std::optional<std::size_t> num_batches() const override { return source_->num_batches(); }
  Batch get_batch(std::size_t index) override { return get_batch_shard(index, {}); }
  Batch get_batch_shard(std::size_t index, Shard shard) override;
  void on_epoch_end() override;
  void reseed(std::uint64_t seed) override;

 private:
  struct Ready {
    std::optional<Batch> batch;
    std::exception_ptr error;
  };
  void start(std::size_t index, Shard shard);
  void stop();
  void read_ahead();  // the thread's body

  std::shared_ptr<Dataset> source_;
  std::size_t depth_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Ready> ready_;  // read ahead, in index order
  std::thread worker_;
  bool stopping_ = false;
  // Set while the thread runs; only the caller's thread changes them.
  bool running_ = false;
  std::size_t fetch_next_ = 0;  // the index the thread reads next
  std::size_t expected_ = 0;    // the index the caller should ask for next
  Shard shard_;
};

}  // namespace kiln
