#pragma once
// Tensor: a cheap, shared handle to a float32 value, its gradient, and the
// flags autograd needs. Copies of a Tensor refer to the same storage, as
// Python names refer to the same torch.Tensor.

#include <memory>
#include <string>

#include "graph/shape.hpp"

namespace kiln {

// What a Tensor handle points at. Ops and the tape use it directly; users
// normally go through Tensor.
struct TensorImpl {
  Array value;
  Array grad;                  // meaningful only when has_grad
  bool has_grad = false;
  bool requires_grad = false;
  bool is_leaf = true;         // false once an op on the tape produced it
  std::string name;
};

class Tensor {
 public:
  Tensor() = default;  // an undefined handle; defined() is false
  explicit Tensor(Array value, bool requires_grad = false, std::string name = {});

  // A trainable leaf: requires_grad is set.
  static Tensor parameter(Array value, std::string name = {});

  bool defined() const { return impl_ != nullptr; }

  const Array& value() const { return impl().value; }
  // Writing into a value that an op on the tape has already read makes the
  // pending backward wrong; optimizers update leaves between steps only.
  Array& mutable_value() { return impl().value; }

  bool has_grad() const { return impl().has_grad; }
  const Array& grad() const;  // throws kiln::Error when there is none
  void zero_grad();           // forgets the gradient (like set_to_none)

  bool requires_grad() const { return impl_ && impl_->requires_grad; }
  Tensor& set_requires_grad(bool on);
  bool is_leaf() const { return impl().is_leaf; }

  const std::string& name() const { return impl().name; }
  Tensor& set_name(std::string name);

  const Shape& shape() const { return impl().value.shape(); }
  std::size_t shape(std::size_t axis) const;
  std::size_t ndim() const { return shape().size(); }
  std::size_t size() const { return impl().value.size(); }

  float item() const;  // the value of a one-element tensor

  // A new leaf holding a copy of the value, cut from the graph.
  Tensor detach() const;

  TensorImpl& impl() const;
  const std::shared_ptr<TensorImpl>& shared_impl() const { return impl_; }
  bool same_as(const Tensor& other) const { return impl_ == other.impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

}  // namespace kiln
