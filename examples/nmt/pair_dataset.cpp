// The NMT training data as a dataset (see pair_dataset.hpp).

#include "examples/nmt/pair_dataset.hpp"

#include <algorithm>
#include <numeric>
#include <sstream>

#include "data/batching.hpp"
#include "data/bucket_by_length_dataset.hpp"
#include "distributed/row_shard.hpp"
#include "examples/nmt/dataset.hpp"
#include "examples/nmt/transformer_model.hpp"
#include "graph/error.hpp"
#include "ops/one_hot.hpp"

namespace nmt {

using kiln::Array;

namespace {

std::string state_of(const std::mt19937_64& rng) {
  std::ostringstream out;
  out << rng;
  return out.str();
}

std::mt19937_64 generator_from(const std::string& state) {
  std::mt19937_64 rng;
  std::istringstream in(state);
  in >> rng;
  if (!in) throw kiln::FormatError("the data order generator's state is damaged");
  return rng;
}

// A checkpoint's order must be a permutation of the n rows.
std::vector<std::size_t> checked_order(const std::vector<std::size_t>& order, std::size_t n) {
  bool valid = order.size() == n;
  std::vector<bool> seen(n, false);
  for (std::size_t k = 0; valid && k < n; ++k) {
    valid = order[k] < n && !seen[order[k]];
    if (valid) seen[order[k]] = true;
  }
  if (!valid) {
    throw kiln::FormatError("the checkpoint's data order is not a permutation of the " + std::to_string(n) +
                            " training pairs (did the data change?)");
  }
  return order;
}

}  // namespace

PairDataset::PairDataset(const Array& source_ids, const Array& target_ids, std::size_t batch_size,
                         std::uint64_t seed, const DataOrder* start)
    : source_(source_ids), target_(target_ids), batch_size_(batch_size) {
  const std::size_t n = source_.dimension() == 2 ? source_.shape()[0] : 0;
  if (n == 0 || target_.dimension() != 2 || target_.shape()[0] != n) {
    throw kiln::Error("train: " + std::to_string(n) + " English rows and " +
                      std::to_string(target_.dimension() == 2 ? target_.shape()[0] : 0) +
                      " French rows (need the same positive number)");
  }
  if (batch_size_ == 0) throw kiln::Error("train: batch_size must be positive");
  if (start) {
    rng_ = generator_from(start->rng);
    order_ = checked_order(start->order, n);
  } else {
    rng_.seed(seed);
    order_.resize(n);
    std::iota(order_.begin(), order_.end(), 0);
  }
  begin_epoch();
}

// The same order from the same generator state and previous order, resumed or not.
void PairDataset::begin_epoch() {
  start_ = {state_of(rng_), order_};
  std::shuffle(order_.begin(), order_.end(), rng_);
}

void PairDataset::on_epoch_end() { begin_epoch(); }

std::optional<std::size_t> PairDataset::num_batches() const {
  return (order_.size() + batch_size_ - 1) / batch_size_;
}

kiln::Batch PairDataset::get_batch_shard(std::size_t index, kiln::Shard shard) {
  const std::size_t batches = *num_batches();
  if (index >= batches) {
    throw kiln::DataExhausted("nmt: batch " + std::to_string(index) + " is past the epoch's " +
                              std::to_string(batches));
  }
  const std::size_t begin = index * batch_size_, end = std::min(order_.size(), begin + batch_size_);
  const kiln::RowShard mine = kiln::row_shard(end - begin, shard.rank, shard.count);
  const std::vector<std::size_t> rows(order_.begin() + std::ptrdiff_t(begin + mine.begin),
                                      order_.begin() + std::ptrdiff_t(begin + mine.end));
  return {{kiln::take_rows(source_, rows), kiln::take_rows(target_, rows)}, {}, std::nullopt};
}

kiln::Dataset::BatchFunction seq2seq_inputs(const Seq2SeqConfig& c) {
  return [c](kiln::Batch ids) {
    const Array& target = ids.x[1];
    const Array decoder_in = id_columns(target, 0, c.fr_timesteps - 1);  // target[:, :-1]
    const Array decoder_out = id_columns(target, 1, c.fr_timesteps);     // target[:, 1:]
    return kiln::Batch{{model_input(ids.x[0], c.en_vocab, c), model_input(decoder_in, c.fr_vocab, c)},
                       {kiln::one_hot(decoder_out, c.fr_vocab).value()},
                       std::nullopt};
  };
}

kiln::Dataset::BatchFunction transformer_inputs() {
  return [](kiln::Batch ids) {
    const Array& target = ids.x[1];
    const std::size_t steps = target.shape()[1];
    Array decoder_in = id_columns(target, 0, steps - 1);  // target[:, :-1]
    Array decoder_out = id_columns(target, 1, steps);     // target[:, 1:]
    // '<eos>' as an input predicts only padding: as padding, the decoder's
    // mask (which the logits carry to the loss) is exactly the target's, so
    // the loss is the mean over real words however wide the batch is.
    for (std::size_t i = 0; i < decoder_in.size(); ++i) {
      if (decoder_out.data()[i] == 0.0f) decoder_in.data()[i] = 0.0f;
    }
    Array mask = padding_mask(decoder_out);
    return kiln::Batch{{std::move(ids.x[0]), std::move(decoder_in)}, {std::move(decoder_out)}, std::move(mask)};
  };
}

std::optional<Batching> batching_named(const std::string& name) {
  if (name == "fixed") return Batching::fixed;
  if (name == "longest") return Batching::longest;
  if (name == "bucket") return Batching::bucket;
  return std::nullopt;
}

namespace {

// A batch of post-padded id rows cut to its longest sentence on each side.
kiln::Batch cut_to_longest(kiln::Batch ids) {
  for (auto& side : ids.x) side = without_trailing_padding(side);
  return ids;
}

// Bucket boundaries every two English words: a bucket's sentences differ by
// at most one word, so its batches carry almost no padding.
kiln::BucketOptions english_length_buckets(std::size_t en_timesteps, std::size_t batch_size) {
  kiln::BucketOptions buckets;
  for (std::size_t length = 3; length <= en_timesteps; length += 2) buckets.boundaries.push_back(length);
  buckets.batch_sizes.assign(buckets.boundaries.size() + 1, batch_size);
  buckets.padding.side = kiln::PadSide::post;
  return buckets;
}

}  // namespace

std::shared_ptr<kiln::Dataset> transformer_batches(const Array& source_ids, const Array& target_ids,
                                                   std::size_t batch_size, std::uint64_t seed, Batching batching) {
  switch (batching) {
    case Batching::fixed:
      return std::make_shared<PairDataset>(source_ids, target_ids, batch_size, seed)->map(transformer_inputs());
    case Batching::longest:
      return std::make_shared<PairDataset>(source_ids, target_ids, batch_size, seed)
          ->map(cut_to_longest)
          ->map(transformer_inputs());
    case Batching::bucket:
      // One pair at a time, shuffled, each cut to its own length; the
      // buckets pad a batch to its longest pair again.
      return std::make_shared<PairDataset>(source_ids, target_ids, 1, seed)
          ->map(cut_to_longest)
          ->bucket_by_length(english_length_buckets(source_ids.shape()[1], batch_size))
          ->map(transformer_inputs());
  }
  throw kiln::Error("nmt: unknown batching");
}

}  // namespace nmt
