#include "graph/backward.hpp"

#include <algorithm>
#include <atomic>
#include <span>
#include <unordered_set>

#include <xtensor/xmath.hpp>
#include <xtensor/xreducer.hpp>

#include "graph/error.hpp"
#include "graph/memory_policy.hpp"

namespace kiln {

namespace {

// The common case (a bias broadcast over batch and time): only leading axes
// were added, so the gradient is `outer` contiguous copies of the target to
// add up. A row loop does it at memory speed, unlike a general reducer.
bool only_leading_axes_added(const Shape& from, const Shape& target) {
  if (from.size() <= target.size()) return false;
  return std::equal(target.begin(), target.end(), from.end() - std::ptrdiff_t(target.size()));
}

Array sum_leading_rows(const Array& grad, const Shape& target) {
  Array summed = xt::zeros<float>(target);
  const std::size_t inner = summed.size();
  if (inner == 0) return summed;
  const std::size_t outer = grad.size() / inner;
  float* __restrict out = summed.data();
  for (std::size_t r = 0; r < outer; ++r) {
    const float* __restrict row = grad.data() + r * inner;
    for (std::size_t i = 0; i < inner; ++i) out[i] += row[i];
  }
  return summed;
}

}  // namespace

Array unbroadcast(Array grad, const Shape& target) {
  const Shape& from = grad.shape();
  if (only_leading_axes_added(from, target)) return sum_leading_rows(grad, target);
  if (from.size() < target.size()) throw_shape_error("unbroadcast", "cannot reduce", from, target);
  const std::size_t lead = from.size() - target.size();
  std::vector<std::size_t> axes;
  for (std::size_t i = 0; i < from.size(); ++i) {
    if (i < lead) {
      axes.push_back(i);
    } else if (target[i - lead] == 1 && from[i] != 1) {
      axes.push_back(i);
    } else if (target[i - lead] != from[i]) {
      throw_shape_error("unbroadcast", "gradient shape does not broadcast to", from, target);
    }
  }
  if (axes.empty()) return grad;
  Array summed = xt::sum(grad, axes);
  summed.reshape(target);
  return summed;
}

GradTarget grad_target(const GradRef& to) {
  AutogradMeta& meta = to.meta();
  if (meta.has_grad) return {meta.grad.data(), true};
  meta.grad = Array::from_shape(to.shape());
  meta.has_grad = true;
  return {meta.grad.data(), false};
}

namespace {

[[noreturn]] void throw_freed(const AutogradMeta& meta) {
  throw Error("backward: the graph that produced '" + meta.name +
              "' was already freed by an earlier backward(); pass {.retain_graph = true} to the earlier "
              "backward to run through the same graph again");
}

// Every tensor on a path to the root, each once, output first: a reverse
// topological order, so an op runs after every op that used its result.
// Found by an iterative depth-first walk: no recursion however deep the graph.
std::vector<std::shared_ptr<AutogradMeta>> plan_pass(const std::shared_ptr<AutogradMeta>& root) {
  struct Frame {
    std::shared_ptr<AutogradMeta> meta;
    std::size_t next_input;
  };
  static std::atomic<std::uint64_t> passes{0};
  const std::uint64_t pass = ++passes;  // marks what this walk has seen, without a set
  std::vector<Frame> stack;
  std::vector<std::shared_ptr<AutogradMeta>> order;  // inputs before the ops that used them
  auto visit = [&](const std::shared_ptr<AutogradMeta>& meta) {
    if (meta->graph_freed) throw_freed(*meta);
    if (meta->visited.exchange(pass, std::memory_order_relaxed) != pass) stack.push_back({meta, 0});
  };
  visit(root);
  while (!stack.empty()) {
    Frame& top = stack.back();
    const Node& node = top.meta->grad_fn;
    if (top.next_input < node.inputs.size()) {
      visit(node.inputs[top.next_input++]);  // may grow the stack: `top` is not used after
      continue;
    }
    order.push_back(std::move(top.meta));
    stack.pop_back();
  }
  std::reverse(order.begin(), order.end());
  return order;
}

bool is_kept(const AutogradMeta* meta, std::span<const AutogradMeta* const> keep) {
  return std::find(keep.begin(), keep.end(), meta) != keep.end();
}

// Runs each op's backward in `order`. Intermediate gradients are released
// once used, as in PyTorch (leaves and `keep` keep theirs), and, unless
// retained, each node as soon as it has run, so the memory its closure holds
// goes back while backward is still running.
void run_pass(const std::vector<std::shared_ptr<AutogradMeta>>& order, bool retain_graph,
              std::span<const AutogradMeta* const> keep = {}) {
  static const Array no_output;
  NoGradGuard no_grad;  // nothing inside a backward function is recorded (no higher-order graphs)
  for (const auto& meta : order) {
    Node& node = meta->grad_fn;
    if (!node) continue;  // a leaf
    if (meta->has_grad) {
      const Array& output = node.output ? *node.output : no_output;
      if (is_kept(meta.get(), keep)) {
        Array g = meta->grad;  // the closure may move its gradient on: this one stays
        node.backward(g, output);
      } else {
        node.backward(meta->grad, output);
        meta->has_grad = false;
        meta->grad = Array();
      }
    }
    if (!retain_graph) {
      release_graph(meta->grad_fn);
      meta->graph_freed = true;
    }
  }
}

void seed_output(const Tensor& output, std::optional<Array> seed) {
  if (!output.requires_grad()) {
    throw Error("backward: tensor '" + output.name() + "' " + to_string(output.shape()) +
                " does not require grad; nothing recorded leads to it");
  }
  if (!seed) {
    if (output.size() != 1) {
      throw ShapeError("backward: output " + to_string(output.shape()) +
                       " is not a scalar; pass a seed gradient of the same shape");
    }
    seed = Array::from_shape(output.shape());
    seed->fill(1.0f);
  } else if (seed->shape() != output.shape()) {
    throw_shape_error("backward", "seed gradient must match the output: got", seed->shape(),
                      output.shape());
  }
  accumulate_grad(output, std::move(*seed));
}

}  // namespace

void backward(const Tensor& output, std::optional<Array> seed, BackwardOptions options) {
  apply_memory_policy();
  const auto order = plan_pass(output.shared_meta());
  seed_output(output, std::move(seed));
  run_pass(order, options.retain_graph);
}

std::vector<Tensor> gradients(const Tensor& output, const std::vector<Tensor>& sources, std::optional<Array> seed,
                              BackwardOptions options) {
  apply_memory_policy();
  const auto order = plan_pass(output.shared_meta());
  // The leaves this pass reaches keep their stored gradients aside meanwhile,
  // so the pass hands back new gradients and changes no tensor's.
  struct Stashed {
    AutogradMeta* meta;
    Array grad;
    bool has_grad;
  };
  std::vector<Stashed> stash;
  for (const auto& meta : order) {
    if (meta->grad_fn) continue;
    stash.push_back({meta.get(), std::move(meta->grad), meta->has_grad});
    meta->has_grad = false;
    meta->grad = Array();
  }
  std::vector<const AutogradMeta*> keep;
  for (const Tensor& s : sources) keep.push_back(s.shared_meta().get());
  seed_output(output, std::move(seed));
  run_pass(order, options.retain_graph, keep);

  std::vector<Tensor> result(sources.size());
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const AutogradMeta& meta = sources[i].meta();
    if (meta.has_grad) result[i] = Tensor(meta.grad, false, meta.name);
  }
  // What the pass left in the sources it reached goes; the leaves' own comes back.
  const std::unordered_set<const AutogradMeta*> reached(keep.begin(), keep.end());
  for (const auto& meta : order) {
    if (!reached.contains(meta.get())) continue;
    meta->has_grad = false;
    meta->grad = Array();
  }
  for (Stashed& s : stash) {
    s.meta->grad = std::move(s.grad);
    s.meta->has_grad = s.has_grad;
  }
  return result;
}

}  // namespace kiln
