// The element-wise merge layers (Add, Subtract, Multiply, Average, Maximum,
// Minimum: kiln's MergeLayer, layers/merge.hpp), with Keras' rules: an
// input of lower rank gains axes of 1 after its batch axis (ONNX would
// align it from the right only), and masks, where inputs carry them, keep
// masked entries out of a product, a maximum or a minimum exactly as kiln's
// merge does (Where on the (batch, time, 1) mask, so values are exact). The
// output carries the OR of the masks when every input has one.

#include "layers/merge.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

namespace {

struct MergeInputs {
  std::vector<std::string> values;
  std::vector<std::optional<std::string>> kept;  // bool (batch, time, 1): an input's mask, where it has one
};

// The inputs at the output's rank, and their masks as conditions.
MergeInputs same_rank(GraphBuilder& g, const LayerInputs& in, const std::string& p) {
  std::size_t rank = 0;
  for (const auto& s : in.shapes) rank = std::max(rank, s.size());
  MergeInputs out;
  for (std::size_t i = 0; i < in.values.size(); ++i) {
    const std::string q = p + "/input" + std::to_string(i);
    const std::size_t r = in.shapes[i].size();
    std::string x = in.values[i];
    if (r < rank) {
      if (in.mask(i)) throw Error("cannot merge a masked input of rank " + std::to_string(r) + " with inputs of rank " + std::to_string(rank));
      std::vector<std::int64_t> axes;
      for (std::size_t k = 1; k <= rank - r; ++k) axes.push_back(std::int64_t(k));
      x = unsqueeze(g, x, axes, q + "/expanded");
    }
    out.values.push_back(x);
    if (const MaskName& mask = in.mask(i)) {
      if (r != 3) throw Error("a mask on an input of rank " + std::to_string(r) + " has no ONNX export (masks are (batch, time) of rank-3 inputs)");
      out.kept.push_back(unsqueeze(g, kept_steps(g, *mask, q), {2}, q + "/kept"));
    } else {
      out.kept.push_back(std::nullopt);
    }
  }
  return out;
}

std::string where(GraphBuilder& g, const std::string& keep, const std::string& a, const std::string& b, const std::string& hint) {
  return g.node1("Where", {keep, a, b}, hint);
}

// Keras' _apply_merge_op_and_or_mask: a masked entry of one side takes the other side's value.
std::string skipping_masked(GraphBuilder& g, const MergeInputs& m, const std::string& op, const std::string& p) {
  std::string output = m.values[0];
  std::optional<std::string> output_kept = m.kept[0];
  for (std::size_t i = 1; i < m.values.size(); ++i) {
    std::string x = m.values[i];
    if (m.kept[i]) x = where(g, *m.kept[i], x, output, p + "/masked_input");
    if (output_kept) output = where(g, *output_kept, output, x, p + "/masked_output");
    output_kept = m.kept[i] && output_kept ? std::optional(g.node1("Or", {*output_kept, *m.kept[i]}, p + "/kept_any"))
                                           : std::nullopt;
    output = g.node1(op, {output, x}, p + "/" + op);
  }
  return output;
}

std::string multiply(GraphBuilder& g, const MergeInputs& m, const std::string& p) {
  const bool masked_output = std::all_of(m.kept.begin(), m.kept.end(), [](const auto& k) { return k.has_value(); });
  std::string product, kept;
  for (std::size_t i = 0; i < m.values.size(); ++i) {
    std::string x = m.values[i];
    if (m.kept[i]) {
      x = where(g, *m.kept[i], x, g.scalar(p + "/one", 1.0f), p + "/masked_input");  // leaves the product unchanged
      if (masked_output) kept = kept.empty() ? *m.kept[i] : g.node1("Or", {kept, *m.kept[i]}, p + "/kept_any");
    }
    product = product.empty() ? x : g.node1("Mul", {product, x}, p + "/Mul");
  }
  return masked_output ? where(g, kept, product, g.scalar(p + "/zero", 0.0f), p + "/masked_product") : product;
}

std::string fold(GraphBuilder& g, const std::vector<std::string>& values, const std::string& op, const std::string& p) {
  std::string out = values[0];
  for (std::size_t i = 1; i < values.size(); ++i) out = g.node1(op, {out, values[i]}, p + "/" + op);
  return out;
}

// The output's mask: the OR of the inputs' when every input has one (0/1 float).
MaskName merged_mask(GraphBuilder& g, const LayerInputs& in, const std::string& p) {
  for (std::size_t i = 0; i < in.values.size(); ++i) {
    if (!in.mask(i)) return std::nullopt;
  }
  std::string any = kept_steps(g, *in.mask(0), p + "/mask0");
  for (std::size_t i = 1; i < in.values.size(); ++i) {
    any = g.node1("Or", {any, kept_steps(g, *in.mask(i), p + "/mask" + std::to_string(i))}, p + "/mask_any");
  }
  return g.node1("Cast", {any}, p + "/mask", {int_attribute("to", ::onnx::TensorProto::FLOAT)});
}

}  // namespace

LayerOutputs export_merge(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  layer_as<MergeLayer>(layer);
  const std::string p = layer.name();
  const std::string& kind = layer.class_name();
  const MergeInputs m = same_rank(g, in, p);
  std::string y;
  if (kind == "Add") {
    y = fold(g, m.values, "Add", p);
  } else if (kind == "Subtract") {
    y = g.node1("Sub", {m.values.at(0), m.values.at(1)}, p + "/Sub");
  } else if (kind == "Average") {
    y = g.node1("Mul", {fold(g, m.values, "Add", p), g.scalar(p + "/inverse_count", 1.0f / float(m.values.size()))}, p + "/Average");
  } else if (kind == "Multiply") {
    y = multiply(g, m, p);
  } else if (kind == "Maximum") {
    y = skipping_masked(g, m, "Max", p);
  } else if (kind == "Minimum") {
    y = skipping_masked(g, m, "Min", p);
  } else {
    throw Error("the merge exporter does not know class '" + kind + "'");
  }
  return {{y}, {merged_mask(g, in, p)}};
}

}  // namespace kiln::onnx_export
