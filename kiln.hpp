#pragma once
// kiln: Keras-style deep learning in C++ on a tape-based autograd engine.
// This umbrella header brings in the whole public API.

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "graph/gradcheck.hpp"
#include "graph/tape.hpp"
#include "graph/tensor.hpp"

#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "ops/blas.hpp"
#include "ops/matmul.hpp"
