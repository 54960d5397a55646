// Dot: Keras' batch_dot as kiln computes it. Each input's reduced axis is
// moved (x's to the end, y's next to the batch), both are folded to
// (batch, m, k) and (batch, k, n) with shapes read at run time (so unknown
// time axes stay dynamic), one batched MatMul, and the result unfolded to
// x's other axes then y's. With normalize, both are first scaled by
// min(1 / |v|, 1e7) along their axis. No mask, as kiln's Dot.

#include <limits>

#include "layers/dot.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

namespace {

constexpr std::int64_t last = std::numeric_limits<std::int64_t>::max();

std::string l2_normalize(GraphBuilder& g, const std::string& x, std::int64_t axis, const std::string& p) {
  const std::string squares = g.node1("Mul", {x, x}, p + "/squares");
  const std::string total = g.node1("ReduceSum", {squares, g.int64s(p + "/axes", {axis})}, p + "/sum_squares",
                                    {int_attribute("keepdims", 1)});
  const std::string inverse = g.node1("Reciprocal", {g.node1("Sqrt", {total}, p + "/norm")}, p + "/inverse_norm");
  const std::string bounded = g.node1("Min", {inverse, g.scalar(p + "/max_inverse_norm", 1e7f)}, p + "/bounded");
  return g.node1("Mul", {x, bounded}, p + "/normalized");
}

// The permutation moving `axis` of a rank-`rank` value to position `to`.
std::vector<std::int64_t> moving(std::size_t axis, std::size_t to, std::size_t rank) {
  std::vector<std::int64_t> order;
  for (std::size_t i = 0; i < rank; ++i) {
    if (i != axis) order.push_back(std::int64_t(i));
  }
  order.insert(order.begin() + std::ptrdiff_t(to), std::int64_t(axis));
  return order;
}

// Shape(x)[start:end] (end `last`: to the end).
std::string shape_slice(GraphBuilder& g, const std::string& x, std::int64_t start, std::int64_t end, const std::string& hint) {
  std::vector<Attribute> range{int_attribute("start", start)};
  if (end != last) range.push_back(int_attribute("end", end));
  return g.node1("Shape", {x}, hint, range);
}

std::string concat_shapes(GraphBuilder& g, const std::vector<std::string>& parts, const std::string& hint) {
  return g.node1("Concat", parts, hint, {int_attribute("axis", 0)});
}

}  // namespace

LayerOutputs export_dot(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& dot = layer_as<DotLayer>(layer);
  const std::string p = layer.name();
  const auto& given = dot.options().axes.values;
  std::array<std::size_t, 2> axes{};
  for (std::size_t i = 0; i < 2; ++i) {
    const long rank = long(in.shapes[i].size());
    const long a = given[given.size() == 2 ? i : 0];
    axes[i] = std::size_t(a < 0 ? a + rank : a);
  }
  std::string x = in.values[0], y = in.values[1];
  if (dot.options().normalize) {
    x = l2_normalize(g, x, std::int64_t(axes[0]), p + "/x");
    y = l2_normalize(g, y, std::int64_t(axes[1]), p + "/y");
  }
  const std::size_t rank_x = in.shapes[0].size(), rank_y = in.shapes[1].size();
  if (axes[0] != rank_x - 1) x = transpose(g, x, moving(axes[0], rank_x - 1, rank_x), p + "/x_moved");
  if (axes[1] != 1) y = transpose(g, y, moving(axes[1], 1, rank_y), p + "/y_moved");
  // x (batch, ..., k) -> (batch, m, k); y (batch, k, ...) -> (batch, k, n).
  const std::string minus_one = g.int64s(p + "/minus_one", {-1});
  const std::string x_folded = g.node1(
      "Reshape", {x, concat_shapes(g, {shape_slice(g, x, 0, 1, p + "/batch"), minus_one, shape_slice(g, x, -1, last, p + "/k")}, p + "/x_shape")},
      p + "/x_folded");
  const std::string y_folded =
      g.node1("Reshape", {y, concat_shapes(g, {shape_slice(g, y, 0, 2, p + "/batch_k"), minus_one}, p + "/y_shape")}, p + "/y_folded");
  const std::string product = g.node1("MatMul", {x_folded, y_folded}, p + "/MatMul");
  // x's other axes then y's; a result of rank 1 becomes (batch, 1).
  std::string out_shape;
  if (rank_x + rank_y == 4) {
    out_shape = concat_shapes(g, {shape_slice(g, x, 0, 1, p + "/out_batch"), g.int64s(p + "/one", {1})}, p + "/out_shape");
  } else {
    out_shape = concat_shapes(g, {shape_slice(g, x, 0, -1, p + "/x_rest"), shape_slice(g, y, 2, last, p + "/y_rest")}, p + "/out_shape");
  }
  return {{g.node1("Reshape", {product, out_shape}, p + "/Dot")}, {}};
}

}  // namespace kiln::onnx_export
