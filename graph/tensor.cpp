#include "graph/tensor.hpp"

#include "graph/error.hpp"

namespace kiln {

Tensor::Tensor(Array value, bool requires_grad, std::string name)
    : impl_(std::make_shared<TensorImpl>()) {
  impl_->value = std::move(value);
  impl_->requires_grad = requires_grad;
  impl_->name = std::move(name);
}

Tensor Tensor::parameter(Array value, std::string name) {
  return Tensor(std::move(value), true, std::move(name));
}

TensorImpl& Tensor::impl() const {
  if (!impl_) throw Error("use of an undefined Tensor (default-constructed handle)");
  return *impl_;
}

const Array& Tensor::grad() const {
  const auto& self = impl();
  if (!self.has_grad) {
    throw Error("tensor '" + self.name + "' " + to_string(self.value.shape()) +
                " has no gradient: it does not require grad or backward() has not reached it");
  }
  return self.grad;
}

void Tensor::zero_grad() {
  auto& self = impl();
  self.has_grad = false;
  self.grad = Array();
}

Tensor& Tensor::set_requires_grad(bool on) {
  impl().requires_grad = on;
  return *this;
}

Tensor& Tensor::set_name(std::string name) {
  impl().name = std::move(name);
  return *this;
}

std::size_t Tensor::shape(std::size_t axis) const {
  const auto& s = shape();
  if (axis >= s.size()) {
    throw ShapeError("tensor '" + name() + "': axis " + std::to_string(axis) +
                     " out of range for shape " + to_string(s));
  }
  return s[axis];
}

float Tensor::item() const {
  if (size() != 1) {
    throw ShapeError("item(): tensor '" + name() + "' has shape " + to_string(shape()) +
                     ", not a single element");
  }
  return *value().data();
}

Tensor Tensor::detach() const { return Tensor(value(), false, name()); }

}  // namespace kiln
