#pragma once
// Runs a kiln op on the inputs of a TF.js reference case and compares the
// result and its gradients with TF.js's (scripts/references/tfjs/ops.js
// and activations.js write the cases: inputs <case>/x0, x1, ..., result
// <case>/y, cotangent <case>/r and gradients <case>/dx<k> of sum(y * r)).

#include <functional>
#include <string>
#include <vector>

#include "golden.hpp"
#include "graph/backward.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "support.hpp"

namespace kiln::testing {

struct TfjsCase {
  std::string file;                // "tfjs/ops.safetensors"
  std::string name;                // "pow_tensor"
  std::size_t inputs = 1;          // x0 .. x<inputs-1>
  std::vector<std::size_t> wrt{};  // inputs with a reference gradient (dx<k>)
  double tolerance = 1e-5;         // relative to the largest reference entry
};

// Checks op(inputs) against <name>/y and, for every input in c.wrt, the
// gradient of sum(y * r) against <name>/dx<k>.
inline void check_against_tfjs(const TfjsCase& c, const std::function<Tensor(const std::vector<Tensor>&)>& op) {
  CAPTURE(c.name);
  std::vector<Tensor> xs;
  for (std::size_t k = 0; k < c.inputs; ++k) {
    Array value = golden(c.file, c.name + "/x" + std::to_string(k));
    const bool differentiate = std::find(c.wrt.begin(), c.wrt.end(), k) != c.wrt.end();
    xs.push_back(differentiate ? Tensor::parameter(std::move(value)) : Tensor(std::move(value)));
  }
  const Tensor y = op(xs);
  CHECK(relative_error(y.value(), golden(c.file, c.name + "/y")) <= c.tolerance);
  if (c.wrt.empty()) return;
  backward(sum(y * Tensor(golden(c.file, c.name + "/r"))));
  for (std::size_t k : c.wrt) {
    CAPTURE(k);
    REQUIRE(xs[k].has_grad());
    CHECK(relative_error(xs[k].grad(), golden(c.file, c.name + "/dx" + std::to_string(k))) <= c.tolerance);
  }
}

}  // namespace kiln::testing
