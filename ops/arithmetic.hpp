#pragma once
// Element-wise arithmetic with numpy broadcasting, plus scalar forms and
// operators, so `a * b + 1.0f` reads as it would in PyTorch.

#include "graph/tensor.hpp"

namespace kiln {

// The broadcast result shape of a and b (numpy rules). Throws ShapeError
// naming `op` and both shapes when they do not broadcast.
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& x);

Tensor add(const Tensor& x, float s);
Tensor mul(const Tensor& x, float s);
Tensor rsub(float s, const Tensor& x);  // s - x
Tensor rdiv(float s, const Tensor& x);  // s / x

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& x) { return neg(x); }
inline Tensor operator+(const Tensor& x, float s) { return add(x, s); }
inline Tensor operator+(float s, const Tensor& x) { return add(x, s); }
inline Tensor operator-(const Tensor& x, float s) { return add(x, -s); }
inline Tensor operator-(float s, const Tensor& x) { return rsub(s, x); }
inline Tensor operator*(const Tensor& x, float s) { return mul(x, s); }
inline Tensor operator*(float s, const Tensor& x) { return mul(x, s); }
inline Tensor operator/(const Tensor& x, float s) { return mul(x, 1.0f / s); }
inline Tensor operator/(float s, const Tensor& x) { return rdiv(s, x); }

}  // namespace kiln
