#pragma once
// DataParallel: what a Model compiled with a communicator
// (CompileOptions::communicator) does to train on several processes at
// once, Horovod's recipe over kiln's Communicator:
//
//   - before the first step, rank 0's weights replace every other rank's;
//   - every rank reads its own contiguous shard of the same global batch of
//     B rows (same data, same order, same seed; distributed/row_shard.hpp:
//     rank r of N gets rows [rB/N, (r+1)B/N)): a Dataset gives each rank
//     only its rows (Dataset::get_batch_shard), train_on_batch cuts them
//     from the global batch every rank passes;
//   - the gradients of a shard's loss are scaled by the shard's share of
//     the global loss and summed across ranks in ONE allreduce, so every
//     rank applies the gradient of the global batch's loss: the step equals
//     the single-process step up to float rounding, uneven batches too;
//   - loss and metric sums are summed across ranks, so the logs every rank
//     sees are the global batch's.
//
// The optimizer's state starts equal everywhere (equal weights, zero slots)
// and stays equal, since every rank applies the same gradients. evaluate()
// also splits its batches and sums the ranks' loss and metric sums;
// predict() runs whole on every rank. Dropout draws from each process's own
// generator, so its masks differ from a single process's.

#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <vector>

#include "data/batch.hpp"
#include "distributed/row_shard.hpp"
#include "distributed/tensor_collectives.hpp"
#include "training/losses.hpp"
#include "training/metrics.hpp"

namespace kiln {

class DataParallel {
 public:
  // Throws kiln::Error for a null communicator.
  explicit DataParallel(std::shared_ptr<Communicator> communicator);

  Communicator& communicator() const { return collectives_.communicator(); }
  bool is_root() const { return communicator().is_root(); }

  // The first call broadcasts rank 0's values of `weights` (all of them,
  // trainable or not); later calls do nothing.
  void synchronize_weights(const std::vector<Tensor>& weights);

  // This rank's rows of a global batch of `rows`.
  RowShard shard(std::size_t rows) const;

  // This rank's part of a step: the fraction of the global batch's loss
  // its shard carries (the factor its gradients are scaled by) and the
  // global batch's rows. With a masked mean (mean_with_sample_weight and
  // weights given): sum(w over the shard) / sum(w over the batch), 0 when
  // the latter is 0; otherwise shard rows / batch rows (every reduction
  // that divides by the number of positions). One allreduce of two numbers,
  // so each rank needs only its own rows.
  struct StepShare {
    double share = 0.0;
    std::size_t rows = 0;
  };
  StepShare share_step(const Batch& shard, Reduction reduction);

  // grad(w) <- sum over ranks of share_r * grad_r(w): one allreduce.
  void allreduce_gradients(const std::vector<Tensor>& weights, double share);

  // Every entry becomes its sum over ranks: one allreduce.
  void allreduce_sums(std::vector<MetricSums>& sums);

  // For a step that failed on this rank only (a loss that throws, memory
  // running out): the other ranks are about to wait for it in the gradient
  // allreduce forever. In a job of several processes, prints the error with
  // this rank's name to stderr and ends the whole job (MPI_Abort, exit code
  // 1); in a job of one it returns, and the caller rethrows.
  void end_job_after_failure(const std::exception& error);

  // Rank 0's value, on every rank (the seed of a shuffle).
  std::uint64_t broadcast_seed(std::uint64_t seed);

  // True on every rank when `flag` is true on any: lets a root_only
  // callback's stop_training end every rank's loop at the same step, so no
  // rank is left waiting in a collective the others never reach.
  bool any_rank(bool flag);

 private:
  TensorCollectives collectives_;
  bool synchronized_ = false;
  std::vector<double> sums_buffer_;
};

}  // namespace kiln
