#include "graph/node.hpp"

namespace kiln {

namespace {
// While a release runs on this thread: the nodes still to free. A node freed
// meanwhile (its last handle dropped by another node's destructor) is queued
// here instead of being destroyed in a deeper frame.
thread_local std::vector<Node>* pending = nullptr;
}  // namespace

void release_graph(Node& node) {
  Node taken = std::move(node);
  node = Node{};
  if (!taken) return;
  if (pending) {
    pending->push_back(std::move(taken));
    return;
  }
  std::vector<Node> queue;
  queue.push_back(std::move(taken));
  pending = &queue;
  while (!queue.empty()) {
    Node next = std::move(queue.back());
    queue.pop_back();
    next = Node{};  // may queue the nodes this one held last
  }
  pending = nullptr;
}

bool should_record(std::span<const Tensor> inputs) {
  if (!grad_enabled()) return false;
  for (const Tensor& t : inputs) {
    if (t.requires_grad()) return true;
  }
  return false;
}

std::vector<GradRef> grad_refs(std::span<const Tensor> inputs) {
  std::vector<GradRef> refs;
  refs.reserve(inputs.size());
  for (const Tensor& t : inputs) refs.push_back(t.grad_ref());
  return refs;
}

Tensor record_node(Array value, std::span<const Tensor> inputs, BackwardFn backward, bool keeps_output) {
  Tensor out(std::move(value));
  AutogradMeta& meta = out.meta();
  Node& node = meta.grad_fn;
  node.inputs.reserve(inputs.size());
  for (const Tensor& t : inputs) {
    if (t.requires_grad()) node.inputs.push_back(t.shared_meta());
  }
  node.backward = std::move(backward);
  if (keeps_output) node.output = out.shared_value();
  meta.requires_grad = true;
  return out;
}

}  // namespace kiln
