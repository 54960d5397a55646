#pragma once
// A public gradient checker for anyone writing an op or layer: compares the
// tape's gradients with central finite differences.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "graph/tensor.hpp"

namespace kiln {

struct GradCheckOptions {
  double step = 1e-3;        // finite-difference step (float32 values)
  double tolerance = 1e-2;   // worst error allowed, see GradCheckResult
  std::uint64_t seed = 1234; // for the random reduction weights R
};

struct GradCheckResult {
  // err = |analytic - numeric| / max(1, |analytic|, |numeric|): relative for
  // large gradients, absolute for small ones, where float32 noise is absolute.
  double worst_error = 0.0;
  std::string worst_where;  // "tensor 'W' element 7: analytic 0.12 numeric 0.13"
  std::size_t checked = 0;  // number of elements compared
  bool ok = true;
  std::string report() const;
};

// `f` computes an output of any shape from `wrt` (and anything it captures).
// The output is reduced to L = sum(f() * R) with fixed random R, so errors
// that cancel in a plain sum are still seen. Every element of every tensor
// in `wrt` (each must require grad) is perturbed by +-step.
GradCheckResult check_gradients(const std::function<Tensor()>& f, const std::vector<Tensor>& wrt,
                                GradCheckOptions options = {});

}  // namespace kiln
