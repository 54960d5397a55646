#pragma once
// Shapes whose entries may be unknown: the batch dimension of a symbolic
// Input, or a time axis left open so one model accepts any sequence length.

#include <cstdint>
#include <string>
#include <vector>

#include "graph/shape.hpp"

namespace kiln {

constexpr std::int64_t unknown_dim = -1;

using PartialShape = std::vector<std::int64_t>;

// "(None, 20, 96)", as Keras prints it.
std::string to_string(const PartialShape& shape);

// "[(None, 4), (None, 5)]": a layer's several inputs, for its error messages.
std::string to_string(const std::vector<PartialShape>& shapes);

PartialShape partial_shape_of(const Shape& shape);

// Whether two partial shapes can describe the same tensor: same rank, and
// equal wherever both are known.
bool compatible(const PartialShape& a, const PartialShape& b);

// Whether a concrete shape fits a partial one (same rank, known dims equal).
bool matches(const PartialShape& expected, const Shape& actual);

}  // namespace kiln
