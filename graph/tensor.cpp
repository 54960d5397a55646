#include "graph/tensor.hpp"

#include "graph/error.hpp"
#include "graph/node.hpp"

namespace kiln {

AutogradMeta::~AutogradMeta() {
  if (grad_fn) release_graph(grad_fn);
}

Tensor::Tensor(Array value, bool requires_grad, std::string name)
    : value_(std::make_shared<Array>(std::move(value))), meta_(std::make_shared<AutogradMeta>()) {
  meta_->requires_grad = requires_grad;
  meta_->name = std::move(name);
}

Tensor Tensor::parameter(Array value, std::string name) {
  return Tensor(std::move(value), true, std::move(name));
}

const Tensor& Tensor::checked() const {
  if (!meta_) throw Error("use of an undefined Tensor (default-constructed handle)");
  return *this;
}

const Array& Tensor::grad() const {
  const auto& m = meta();
  if (!m.has_grad) {
    throw Error("tensor '" + m.name + "' " + to_string(shape()) +
                " has no gradient: it does not require grad or backward() has not reached it");
  }
  return m.grad;
}

void Tensor::zero_grad() {
  auto& m = meta();
  m.has_grad = false;
  m.grad = Array();
}

Tensor& Tensor::set_requires_grad(bool on) {
  auto& m = meta();
  if (m.grad_fn && !on) {
    throw Error("set_requires_grad(false) on '" + m.name +
                "', the result of an op: use detach() to cut a result from its graph");
  }
  m.requires_grad = on || static_cast<bool>(m.grad_fn);
  return *this;
}

Tensor& Tensor::set_name(std::string name) {
  meta().name = std::move(name);
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

Tensor Tensor::with_mask(Mask mask) const {
  const Shape& shape = value().shape();
  if (mask && (mask->dimension() > shape.size() || !std::equal(mask->shape().begin(), mask->shape().end(), shape.begin()))) {
    throw ShapeError("a mask of shape " + to_string(mask->shape()) + " cannot be attached to a tensor of shape " +
                     to_string(shape) + ": a mask covers the tensor's leading axes, as (batch, time) does for " +
                     "(batch, time, features)");
  }
  Tensor masked = checked();
  masked.mask_ = std::move(mask);
  return masked;
}

}  // namespace kiln
