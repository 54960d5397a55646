#include "ops/reshape.hpp"

#include <algorithm>
#include <string>

#include "graph/backward.hpp"
#include "graph/error.hpp"

namespace kiln {

namespace {

template <class V>
std::string list_to_string(const V& values) {
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(values[i]);
  }
  return out + ")";
}

// The shape `dims` asks for, with its -1 (if any) replaced by what makes the
// element count of `from` come out.
Shape resolve_dims(const Shape& from, const std::vector<long>& dims) {
  const auto fail = [&](const std::string& why) {
    throw ShapeError("reshape: cannot reshape " + to_string(from) + " into " + list_to_string(dims) +
                     ": " + why);
  };
  Shape out(dims.size());
  std::size_t known = 1;
  std::size_t inferred = dims.size();  // none yet
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (inferred != dims.size()) fail("only one dimension may be -1");
      inferred = i;
    } else if (dims[i] < 0) {
      fail("dimension " + std::to_string(dims[i]) + " is negative");
    } else {
      out[i] = std::size_t(dims[i]);
      known *= out[i];
    }
  }
  if (inferred != dims.size()) {
    const std::size_t total = element_count(from);
    if (known == 0 || total % known != 0) {
      fail(std::to_string(total) + " elements do not divide into " + std::to_string(known));
    }
    out[inferred] = total / known;
  }
  return out;
}

// (a, b, c) -> (b, a, c): `b * a` contiguous rows of c floats. This is how
// RNNs switch between batch-major and time-major sequences.
void swap_leading_axes(const float* src, const Shape& shape, float* dst) {
  const std::size_t a = shape[0], b = shape[1], c = shape[2];
  for (std::size_t j = 0; j < b; ++j) {
    for (std::size_t i = 0; i < a; ++i) std::copy_n(src + (i * b + j) * c, c, dst + (j * a + i) * c);
  }
}

// Writes the elements of `src` (row-major `shape`) into dst in the row-major
// order of the permuted shape. An odometer walks the output's leading axes;
// the last output axis is a strided (or, if it stays last, contiguous) run.
void permute_into(const float* src, const Shape& shape, const std::vector<std::size_t>& axes,
                  float* dst) {
  const std::size_t rank = shape.size();
  const std::size_t total = element_count(shape);
  if (total == 0) return;
  if (rank == 0) {
    dst[0] = src[0];
    return;
  }
  if (rank == 3 && axes[0] == 1 && axes[1] == 0) return swap_leading_axes(src, shape, dst);

  std::vector<std::size_t> src_stride(rank, 1);
  for (std::size_t i = rank - 1; i > 0; --i) src_stride[i - 1] = src_stride[i] * shape[i];
  std::vector<std::size_t> out_shape(rank), step(rank);  // step: src stride of output axis i
  for (std::size_t i = 0; i < rank; ++i) {
    out_shape[i] = shape[axes[i]];
    step[i] = src_stride[axes[i]];
  }

  const std::size_t n = out_shape[rank - 1], last_step = step[rank - 1];
  std::vector<std::size_t> index(rank, 0);
  std::size_t offset = 0;
  for (std::size_t row = 0; row < total / n; ++row) {
    const float* s = src + offset;
    float* d = dst + row * n;
    if (last_step == 1) std::copy_n(s, n, d);
    else for (std::size_t j = 0; j < n; ++j) d[j] = s[j * last_step];
    for (std::size_t k = rank - 1; k-- > 0;) {  // advance the odometer
      offset += step[k];
      if (++index[k] < out_shape[k]) break;
      offset -= step[k] * out_shape[k];
      index[k] = 0;
    }
  }
}

void check_permutation(const Shape& shape, const std::vector<std::size_t>& axes) {
  std::vector<bool> seen(shape.size(), false);
  bool ok = axes.size() == shape.size();
  for (std::size_t a : axes) {
    if (a >= shape.size() || seen[a]) ok = false;
    else seen[a] = true;
  }
  if (!ok) {
    throw ShapeError("permute: axes " + list_to_string(axes) + " are not a permutation of the " +
                     std::to_string(shape.size()) + " axes of " + to_string(shape));
  }
}

}  // namespace

// d reshape(x) = reshape(g, x.shape)
Tensor reshape(const Tensor& x, const Shape& shape) {
  if (element_count(shape) != x.size()) {
    throw ShapeError("reshape: cannot reshape " + to_string(x.shape()) + " (" +
                     std::to_string(x.size()) + " elements) into " + to_string(shape) + " (" +
                     std::to_string(element_count(shape)) + " elements)");
  }
  Array y = x.value();
  y.reshape(shape);
  return record(std::move(y), {x}, [gx = x.grad_ref()](Array& g) {
    g.reshape(gx.shape());
    accumulate_grad(gx, std::move(g));
  });
}

Tensor reshape(const Tensor& x, const std::vector<long>& dims) {
  return reshape(x, resolve_dims(x.shape(), dims));
}

Tensor transpose(const Tensor& x) {
  if (x.ndim() != 2) {
    throw ShapeError("transpose: expected a 2-D tensor, got " + to_string(x.shape()) +
                     "; use permute for other ranks");
  }
  return permute(x, {1, 0});
}

// d permute(x, axes) = permute(g, inverse(axes)), where inverse[axes[i]] = i
Tensor permute(const Tensor& x, const std::vector<std::size_t>& axes) {
  check_permutation(x.shape(), axes);
  Shape out_shape(axes.size());
  for (std::size_t i = 0; i < axes.size(); ++i) out_shape[i] = x.shape()[axes[i]];
  Array y = Array::from_shape(out_shape);
  permute_into(x.value().data(), x.shape(), axes, y.data());

  return record(std::move(y), {x}, [gx = x.grad_ref(), axes](const Array& g) {
    std::vector<std::size_t> inverse(axes.size());
    for (std::size_t i = 0; i < axes.size(); ++i) inverse[axes[i]] = i;
    Array dx = Array::from_shape(gx.shape());
    permute_into(g.data(), g.shape(), inverse, dx.data());
    accumulate_grad(gx, std::move(dx));
  });
}

}  // namespace kiln
