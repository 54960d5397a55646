#pragma once
// TensorCollectives: a communicator's collectives over a list of tensors
// (a model's weights), packed into ONE flat float buffer so that a step
// costs one allreduce, not one per tensor. The buffer is kept and reused:
// after the first step a step allocates nothing here.
//
// Gradient layout: every tensor's gradient in the order given, then one
// flag per tensor, 1 where this process has a gradient for it. After the
// sum a tensor gets the summed gradient when any process had one, and
// keeps none (so the optimizer skips it, as it would in one process) when
// no process had one. A process whose shard of the batch was empty thus
// still takes part, contributing zeros.
//
// Every process must pass tensors of the same shapes in the same order
// (the same model); broadcast_values checks the total size once.

#include <memory>
#include <vector>

#include "distributed/communicator.hpp"
#include "graph/tensor.hpp"

namespace kiln {

class TensorCollectives {
 public:
  // Throws kiln::Error for a null communicator.
  explicit TensorCollectives(std::shared_ptr<Communicator> communicator);

  Communicator& communicator() const { return *communicator_; }

  // grad(t) <- sum over ranks r of scale_r * grad_r(t), for every tensor
  // (scale_r is the `scale` that rank passes: its share of the global loss).
  void allreduce_gradients(const std::vector<Tensor>& tensors, float scale);

  // Every tensor's value on rank `root` replaces the value on the others.
  // Throws kiln::Error, on every rank, when the ranks' tensors differ in
  // total size (they did not build the same model).
  void broadcast_values(const std::vector<Tensor>& tensors, int root);

  // The flat buffer (for tests: its address must not change between steps).
  const std::vector<float>& buffer() const { return buffer_; }

 private:
  float* reserve(std::size_t n);

  std::shared_ptr<Communicator> communicator_;
  std::vector<float> buffer_;
};

}  // namespace kiln
