#include "graph/gradient_tape.hpp"

#include "graph/backward.hpp"
#include "graph/error.hpp"

namespace kiln {

GradientTape::GradientTape(Options options) : options_(options) {}

GradientTape::~GradientTape() {
  for (Tensor& t : watched_) t.set_requires_grad(false);
}

void GradientTape::watch(const Tensor& t) {
  if (t.requires_grad()) return;
  Tensor handle = t;
  handle.set_requires_grad(true);
  watched_.push_back(handle);
}

std::vector<Tensor> GradientTape::gradient(const Tensor& target, const std::vector<Tensor>& sources) {
  if (used_ && !options_.persistent) {
    throw Error("GradientTape.gradient: a non-persistent tape answers once; make it "
                "GradientTape({.persistent = true}) to ask again");
  }
  used_ = true;
  if (target.size() != 1) {
    throw ShapeError("GradientTape.gradient: the target " + to_string(target.shape()) +
                     " must be a scalar (reduce it, for example with mean())");
  }
  std::vector<Tensor> none(sources.size());
  if (!target.requires_grad()) return none;  // nothing recorded leads to it: every gradient is None
  return gradients(target, sources, std::nullopt, {.retain_graph = options_.persistent});
}

}  // namespace kiln
