#pragma once
// kiln's exception types. Every user-facing failure is one of these, with a
// message that names the operation or file and says what was expected.

#include <stdexcept>
#include <string>

#include "graph/shape.hpp"

namespace kiln {

// Base of every error kiln throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An operation or layer got inputs of incompatible shapes.
class ShapeError : public Error {
 public:
  using Error::Error;
};

// A file (weights, config, corpus) is missing, truncated or malformed.
class FormatError : public Error {
 public:
  using Error::Error;
};

// "matmul: cannot multiply (3, 4) by (5, 2)"-style message for two shapes.
[[noreturn]] void throw_shape_error(const std::string& op, const std::string& what,
                                    const Shape& a, const Shape& b);

}  // namespace kiln
