#pragma once
// Cutting arrays whose first axis is the sample into batches.

#include <vector>

#include "graph/shape.hpp"

namespace kiln {

// Rows along the first axis: the samples in `a` (0 for a scalar).
std::size_t rows_in(const Array& a);

// The samples in a model's inputs: the rows of the first (0 for none).
std::size_t samples_in(const std::vector<Array>& x);

// The rows `rows` of `a` along its first axis, in that order.
Array take_rows(const Array& a, const std::vector<std::size_t>& rows);

// Rows [begin, end) of `a`.
Array row_range(const Array& a, std::size_t begin, std::size_t end);

// Stacks arrays that agree on every axis but the first, along the first.
Array concat_rows(const std::vector<Array>& parts);

}  // namespace kiln
