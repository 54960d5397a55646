#include "data/prefetch_dataset.hpp"

namespace kiln {

PrefetchDataset::PrefetchDataset(std::shared_ptr<Dataset> source, std::size_t depth)
    : source_(std::move(source)), depth_(depth) {
  if (!source_) throw Error("Dataset::prefetch: null source");
  if (depth_ == 0) throw Error("Dataset::prefetch: depth must be positive");
}

PrefetchDataset::~PrefetchDataset() { stop(); }

void PrefetchDataset::start(std::size_t index, Shard shard) {
  fetch_next_ = index;
  expected_ = index;
  shard_ = shard;
  worker_ = std::thread([this] { read_ahead(); });
  running_ = true;
}

void PrefetchDataset::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
  std::lock_guard lock(mutex_);
  ready_.clear();
  stopping_ = false;
  running_ = false;
}

void PrefetchDataset::read_ahead() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || ready_.size() < depth_; });
    if (stopping_) return;
    const std::size_t index = fetch_next_++;
    lock.unlock();
    Ready item;
    try {
      item.batch = source_->get_batch_shard(index, shard_);
    } catch (...) {
      item.error = std::current_exception();
    }
    lock.lock();
    const bool ended = item.error != nullptr;
    ready_.push_back(std::move(item));
    changed_.notify_all();
    if (ended) return;  // the caller rethrows it when it reaches this batch
  }
}

Batch PrefetchDataset::get_batch_shard(std::size_t index, Shard shard) {
  if (!running_ || index != expected_ || !(shard == shard_)) {
    stop();
    start(index, shard);
  }
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !ready_.empty(); });
  Ready item = std::move(ready_.front());
  ready_.pop_front();
  expected_ = index + 1;
  lock.unlock();
  changed_.notify_all();
  if (item.error) {
    stop();  // the thread has ended; the next call starts it again
    std::rethrow_exception(item.error);
  }
  return std::move(*item.batch);
}

void PrefetchDataset::on_epoch_end() {
  stop();
  source_->on_epoch_end();
}

void PrefetchDataset::reseed(std::uint64_t seed) {
  stop();
  source_->reseed(seed);
}

}  // namespace kiln
