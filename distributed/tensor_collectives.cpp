#include "distributed/tensor_collectives.hpp"

#include <algorithm>

#include "graph/backward.hpp"
#include "graph/error.hpp"

namespace kiln {

namespace {

std::size_t total_size(const std::vector<Tensor>& tensors) {
  std::size_t n = 0;
  for (const auto& t : tensors) n += t.size();
  return n;
}

}  // namespace

TensorCollectives::TensorCollectives(std::shared_ptr<Communicator> communicator)
    : communicator_(std::move(communicator)) {
  if (!communicator_) throw Error("TensorCollectives: the communicator is null");
}

float* TensorCollectives::reserve(std::size_t n) {
  if (buffer_.size() < n) buffer_.resize(n);
  return buffer_.data();
}

void TensorCollectives::allreduce_gradients(const std::vector<Tensor>& tensors, float scale) {
  const std::size_t values = total_size(tensors);
  float* buffer = reserve(values + tensors.size());
  float* flags = buffer + values;

  float* out = buffer;
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    const Tensor& t = tensors[k];
    const std::size_t n = t.size();
    if (t.has_grad()) {
      const float* g = t.grad().data();
      for (std::size_t i = 0; i < n; ++i) out[i] = scale * g[i];
    } else {
      std::fill(out, out + n, 0.0f);
    }
    flags[k] = t.has_grad() ? 1.0f : 0.0f;
    out += n;
  }

  communicator_->allreduce_sum(buffer, values + tensors.size());

  const float* in = buffer;
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    const std::size_t n = tensors[k].size();
    if (flags[k] > 0.0f) std::copy(in, in + n, grad_target(tensors[k]).data);
    in += n;
  }
}

void TensorCollectives::broadcast_values(const std::vector<Tensor>& tensors, int root) {
  const std::size_t values = total_size(tensors);
  double root_values = double(values);
  communicator_->broadcast(&root_values, 1, root);
  // Every rank learns whether any rank differs, so all of them throw together.
  double mismatches = root_values == double(values) ? 0.0 : 1.0;
  communicator_->allreduce_sum(&mismatches, 1);
  if (mismatches > 0.0) {
    throw Error("TensorCollectives::broadcast_values: " + std::to_string(std::size_t(mismatches)) + " of " +
                std::to_string(communicator_->size()) +
                " processes hold a different number of weight values than rank " + std::to_string(root) + " (" +
                std::to_string(std::size_t(root_values)) + "); this one (" + communicator_->describe() +
                ") holds " + std::to_string(values) + ": every process must build the same model");
  }

  float* buffer = reserve(values);
  float* out = buffer;
  for (const auto& t : tensors) out = std::copy(t.value().data(), t.value().data() + t.size(), out);
  communicator_->broadcast(buffer, values, root);
  const float* in = buffer;
  for (auto t : tensors) {
    std::copy(in, in + t.size(), t.mutable_value().data());
    in += t.size();
  }
}

}  // namespace kiln
