// Softmax layer: a mask lowers the logits of masked positions by 1e9 first
// ((1 - mask) * -1e9, as kiln adds; a (batch, time) mask on a rank-3 input
// covers every last-axis entry), then ONNX's Softmax on one axis, or for
// several axes the input with them moved to the end and joined into one
// (shapes read at run time), normalised, and put back. A (batch, time) mask
// on a rank-3 input passes on, as in kiln.

#include <algorithm>

#include "layers/softmax_layer.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

namespace {

std::string with_mask(GraphBuilder& g, const std::string& x, const std::string& mask, std::size_t rank,
                      const std::string& p) {
  const std::string dropped = g.node1("Sub", {g.scalar(p + "/one", 1.0f), mask}, p + "/dropped");
  std::string adder = g.node1("Mul", {dropped, g.scalar(p + "/masked_logit", -1e9f)}, p + "/mask_adder");
  if (rank == 3) {
    adder = unsqueeze(g, adder, {2}, p + "/mask_adder");
  } else if (rank != 2) {
    throw Error("a (batch, time) mask on an input of rank " + std::to_string(rank) + " has no ONNX export");
  }
  return g.node1("Add", {x, adder}, p + "/masked_logits");
}

std::string over_axes(GraphBuilder& g, const std::string& x, const std::vector<std::size_t>& axes, std::size_t rank,
                      const std::string& p) {
  std::vector<std::int64_t> order;
  for (std::size_t i = 0; i < rank; ++i) {
    if (!std::binary_search(axes.begin(), axes.end(), i)) order.push_back(std::int64_t(i));
  }
  const std::int64_t kept = std::int64_t(order.size());
  for (std::size_t a : axes) order.push_back(std::int64_t(a));
  const std::string moved = transpose(g, x, order, p + "/moved");
  const std::string moved_shape = g.node1("Shape", {moved}, p + "/moved_shape");
  const std::string leading = g.node1("Shape", {moved}, p + "/leading", {int_attribute("start", 0), int_attribute("end", kept)});
  const std::string joined_shape =
      g.node1("Concat", {leading, g.int64s(p + "/minus_one", {-1})}, p + "/joined_shape", {int_attribute("axis", 0)});
  const std::string joined = g.node1("Reshape", {moved, joined_shape}, p + "/joined");
  const std::string y = g.node1("Softmax", {joined}, p + "/Softmax", {int_attribute("axis", -1)});
  const std::string back = g.node1("Reshape", {y, moved_shape}, p + "/unjoined");
  std::vector<std::int64_t> inverse(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) inverse[std::size_t(order[i])] = std::int64_t(i);
  return transpose(g, back, inverse, p + "/restored");
}

}  // namespace

LayerOutputs export_softmax(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& softmax = layer_as<SoftmaxLayer>(layer);
  const std::string p = layer.name();
  const std::size_t rank = in.shapes[0].size();
  std::string x = in.values[0];
  if (const MaskName& mask = in.mask(0)) x = with_mask(g, x, *mask, rank, p);
  std::vector<std::size_t> axes;
  for (int a : softmax.options().axis.values) axes.push_back(std::size_t(a < 0 ? a + int(rank) : a));
  std::sort(axes.begin(), axes.end());
  const std::string y = axes.size() == 1
                            ? g.node1("Softmax", {x}, p + "/Softmax", {int_attribute("axis", std::int64_t(axes[0]))})
                            : over_axes(g, x, axes, rank, p);
  return {{y}, {rank == 3 ? in.mask(0) : std::nullopt}};
}

}  // namespace kiln::onnx_export
