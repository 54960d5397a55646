#pragma once
// The NMT training data as a kiln::Dataset for fit: English ids
// (N, en_timesteps) and wrapped French ids (N, fr_timesteps) (the
// Transformer's batches may then be cut to their longest sentence), a batch of
// rows per step in an order shuffled afresh at the start of every epoch, as
// the seed's model_helper.train drew it. A map turns each batch of ids into
// the model's inputs (seq2seq_inputs: one-hot or ids; transformer_inputs:
// ids and the padding mask), so memory holds the id matrices and a batch,
// never the corpus one-hot (28,000 pairs would be ~2 GB).
//
// The order's state at the start of the epoch in progress is what a
// training checkpoint saves (epoch_start), and what a resumed run starts
// the dataset from.

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "data/dataset.hpp"
#include "examples/nmt/seq2seq.hpp"

namespace nmt {

// The order generator's state and the order, before an epoch's shuffle
// (each epoch shuffles the previous epoch's order).
struct DataOrder {
  std::string rng;
  std::vector<std::size_t> order;
};

class PairDataset : public kiln::Dataset {
 public:
  // The ids are lent: the caller keeps them alive while the dataset is read.
  // Starts at `start` (a checkpoint's; kiln::FormatError when its order is
  // not a permutation of the rows), or from a generator seeded with `seed`.
  PairDataset(const kiln::Array& source_ids, const kiln::Array& target_ids, std::size_t batch_size,
              std::uint64_t seed, const DataOrder* start = nullptr);

  std::optional<std::size_t> num_batches() const override;
  // x = [English ids (B, Te), French ids (B, Tf)].
  kiln::Batch get_batch(std::size_t index) override { return get_batch_shard(index, {}); }
  kiln::Batch get_batch_shard(std::size_t index, kiln::Shard shard) override;
  void on_epoch_end() override;

  // The state this epoch started from: resuming there repeats its order.
  const DataOrder& epoch_start() const { return start_; }

 private:
  void begin_epoch();

  const kiln::Array& source_;
  const kiln::Array& target_;
  std::size_t batch_size_;
  std::mt19937_64 rng_;
  std::vector<std::size_t> order_;
  DataOrder start_;
};

// ids batch -> x = [encoder input, decoder input target[:, :-1]] (one-hot,
// or ids when the model embeds), y = [one-hot target[:, 1:]].
kiln::Dataset::BatchFunction seq2seq_inputs(const Seq2SeqConfig& config);

// ids batch -> x = [English ids, target[:, :-1] without '<eos>'],
// y = [target[:, 1:]], its padding masked out (by the logits' mask and the
// sample weights alike).
kiln::Dataset::BatchFunction transformer_inputs();

// How the Transformer's training batches are padded (`nmt train --batching`).
// Its padding is masked everywhere, so all three compute the same outputs
// for every pair; the shorter batches only compute less.
enum class Batching {
  fixed,    // every batch en_timesteps x fr_timesteps wide, as the seed's GRU
  longest,  // each batch cut to its longest sentence on each side
  bucket,   // pairs of similar English length batched together (bucket_by_length)
};
// "fixed", "longest", "bucket" -> Batching; nullopt for another name.
std::optional<Batching> batching_named(const std::string& name);

// The Transformer's training batches (x = [English ids, French ids
// target[:, :-1]], y = [target[:, 1:]], padding masked by sample weights)
// from post-padded English and French id rows, in a fresh order each epoch.
std::shared_ptr<kiln::Dataset> transformer_batches(const kiln::Array& source_ids, const kiln::Array& target_ids,
                                                   std::size_t batch_size, std::uint64_t seed, Batching batching);

}  // namespace nmt
