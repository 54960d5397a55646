#pragma once
// Tensor: a cheap, shared handle to a float32 value and its place in the
// autograd graph. Copies of a Tensor refer to the same value and gradient, as
// Python names refer to the same torch.Tensor.
//
// The graph is owned by its results (PyTorch's and flashlight's design): a
// tensor an op produced holds that op's Node (graph/node.hpp); the Node holds
// what its backward needs and edges to its inputs' gradients, and so on back
// to the leaves. Dropping the last handle to a result frees every part of the
// graph that only it needed. There is no global tape.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "graph/shape.hpp"

namespace kiln {

// Pushes the gradient of an op's output back to its inputs. `output` is the
// op's result when the op asked to keep it, an empty array otherwise.
// `grad_output` belongs to the backward pass, which drops it after the call:
// a closure may move it on as an input's gradient instead of copying it.
using BackwardFn = std::function<void(Array& grad_output, const Array& output)>;

struct AutogradMeta;

// Keras' mask of a tensor (`_keras_mask`): which steps are real, usually
// (batch, time) of 1 (keep) and 0 (padding). Shared, never written: a mask
// passed on from layer to layer is one array.
using Mask = std::shared_ptr<const Array>;

// One recorded op, held by the tensor it produced (graph/node.hpp records it):
// edges to the gradient sides of the inputs that need a gradient, the closure
// that sends them theirs, and the output's value only when that closure reads it.
struct Node {
  std::vector<std::shared_ptr<AutogradMeta>> inputs;
  BackwardFn backward;
  std::shared_ptr<const Array> output;
  explicit operator bool() const { return static_cast<bool>(backward); }
};

// The gradient side of a tensor, shared by its handles and by the backward
// closures that send it a gradient. It is kept apart from the value so that
// a closure can target a tensor's gradient without keeping its value alive.
struct AutogradMeta {
  Array grad;                       // meaningful only when has_grad
  bool has_grad = false;
  bool requires_grad = false;
  bool graph_freed = false;         // backward() ran over grad_fn and released it
  Node grad_fn;                     // the op that produced the tensor; empty for leaves
  std::string name;
  std::atomic<std::uint64_t> visited{0};  // the last backward pass that reached it

  AutogradMeta() = default;
  AutogradMeta(const AutogradMeta&) = delete;
  AutogradMeta& operator=(const AutogradMeta&) = delete;
  ~AutogradMeta();  // releases grad_fn without recursing down a long graph
};

// Where a backward closure sends an input's gradient: the input's gradient
// side and the shape the op saw it with (gradients are reduced to it).
class GradRef {
 public:
  GradRef() = default;
  GradRef(std::shared_ptr<AutogradMeta> meta, Shape shape) : meta_(std::move(meta)), shape_(std::move(shape)) {}

  bool requires_grad() const { return meta_ && meta_->requires_grad; }
  AutogradMeta& meta() const { return *meta_; }
  const Shape& shape() const { return shape_; }

 private:
  std::shared_ptr<AutogradMeta> meta_;
  Shape shape_;
};

class Tensor {
 public:
  Tensor() = default;  // an undefined handle; defined() is false
  explicit Tensor(Array value, bool requires_grad = false, std::string name = {});

  // A trainable leaf: requires_grad is set.
  static Tensor parameter(Array value, std::string name = {});

  bool defined() const { return meta_ != nullptr; }

  const Array& value() const { return *checked().value_; }
  // Writing into a value that a recorded op has saved for its backward makes
  // that backward wrong; optimizers update leaves between steps only.
  Array& mutable_value() { return *checked().value_; }
  // The value as a backward closure keeps it (shared, not copied).
  std::shared_ptr<const Array> shared_value() const { return checked().value_; }
  // Where a backward closure sends this tensor's gradient, with the shape it
  // has now. A tensor that needs no gradient gives a ref to nothing (its shape
  // only); an undefined one (an absent bias) an empty ref.
  GradRef grad_ref() const {
    if (!meta_) return {};
    return GradRef(meta_->requires_grad ? meta_ : nullptr, value_->shape());
  }

  bool has_grad() const { return meta().has_grad; }
  const Array& grad() const;  // throws kiln::Error when there is none
  void zero_grad();           // forgets the gradient (like set_to_none)

  bool requires_grad() const { return meta_ && meta_->requires_grad; }
  // Only for leaves: a result's requires_grad follows from its inputs.
  Tensor& set_requires_grad(bool on);
  bool is_leaf() const { return !meta().grad_fn && !meta().graph_freed; }

  const std::string& name() const { return meta().name; }
  Tensor& set_name(std::string name);

  const Shape& shape() const { return value().shape(); }
  std::size_t shape(std::size_t axis) const;
  std::size_t ndim() const { return shape().size(); }
  std::size_t size() const { return value().size(); }

  float item() const;  // the value of a one-element tensor

  // A new leaf holding a copy of the value, cut from the graph.
  Tensor detach() const;

  // The mask this handle carries (null for none), as a Keras tensor carries
  // `_keras_mask`: set by the layer that produced the tensor (an Embedding
  // with mask_zero, a Masking layer) and read by the layers it is passed to.
  // Ops do not propagate masks; layers do (Layer::compute_mask).
  const Mask& mask() const { return mask_; }
  // This tensor (same value, same gradient) with `mask` attached.
  Tensor with_mask(Mask mask) const;

  AutogradMeta& meta() const { return *checked().meta_; }
  const std::shared_ptr<AutogradMeta>& shared_meta() const { return checked().meta_; }
  // The same tensor (not just an equal value): the handles share storage.
  bool same_as(const Tensor& other) const { return meta_ == other.meta_; }
  // A stable identity for maps keyed by tensor (an optimizer's slots).
  const void* id() const { return meta_.get(); }

 private:
  const Tensor& checked() const;  // throws for an undefined handle

  std::shared_ptr<Array> value_;
  std::shared_ptr<AutogradMeta> meta_;
  Mask mask_;
};

}  // namespace kiln
