// Conv1D and Conv2D: ONNX's Conv is channels-first with its kernel as
// (filters, in / groups, taps...), so the input is transposed to channels
// first and back, and kiln's (taps..., in / groups, filters) kernel is
// transposed once into the initializer. Padding: valid is none, same is
// the same explicit pads with unit strides (SAME_UPPER, TensorFlow's rule:
// the larger half after, with larger strides), causal is
// dilation * (taps - 1) before the steps only. Bias and activation as kiln.
// No mask (kiln's convolutions drop it).

#include <algorithm>

#include <xtensor/xmanipulation.hpp>

#include "layers/conv1d.hpp"
#include "layers/conv2d.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

namespace {

LayerOutputs export_conv(const BaseConvLayer& layer, const ConvOptions& o, std::size_t rank, const LayerInputs& in,
                         GraphBuilder& g) {
  const std::string p = layer.name();
  // Channels last <-> first, and kiln's kernel as ONNX's.
  const std::vector<std::int64_t> to_first = rank == 1 ? std::vector<std::int64_t>{0, 2, 1} : std::vector<std::int64_t>{0, 3, 1, 2};
  const std::vector<std::int64_t> to_last = rank == 1 ? std::vector<std::int64_t>{0, 2, 1} : std::vector<std::int64_t>{0, 2, 3, 1};
  const std::vector<std::size_t> kernel_order = rank == 1 ? std::vector<std::size_t>{2, 1, 0} : std::vector<std::size_t>{3, 2, 0, 1};
  const Array kernel = xt::transpose(layer.kernel().value(), kernel_order);

  std::vector<Attribute> attributes{
      sizes_attribute("kernel_shape", o.kernel_size), sizes_attribute("strides", o.strides),
      sizes_attribute("dilations", o.dilation_rate), int_attribute("group", std::int64_t(o.groups))};
  const bool unit_strides = std::all_of(o.strides.begin(), o.strides.end(), [](std::size_t s) { return s == 1; });
  if (o.padding == "same" && unit_strides) {
    // Then the padding does not depend on the input's size: span - 1 in all,
    // the smaller half before (and ONNX Runtime has no dilated SAME_UPPER).
    std::vector<std::int64_t> before, after;
    for (std::size_t a = 0; a < rank; ++a) {
      const std::int64_t total = std::int64_t(o.dilation_rate[a] * (o.kernel_size[a] - 1));
      before.push_back(total / 2);
      after.push_back(total - total / 2);
    }
    before.insert(before.end(), after.begin(), after.end());
    attributes.push_back(ints_attribute("pads", before));
  } else if (o.padding == "same") {  // strides > 1 come without dilation (Keras refuses both)
    attributes.push_back(string_attribute("auto_pad", "SAME_UPPER"));
  } else if (o.padding == "causal") {
    attributes.push_back(ints_attribute("pads", {std::int64_t(o.dilation_rate[0] * (o.kernel_size[0] - 1)), 0}));
  } else {
    attributes.push_back(ints_attribute("pads", std::vector<std::int64_t>(2 * rank, 0)));
  }
  std::vector<std::string> inputs{transpose(g, in.values[0], to_first, p + "/channels_first"), g.initializer(p + "/kernel", kernel)};
  if (o.use_bias) inputs.push_back(g.initializer(p + "/bias", layer.bias().value()));
  const std::string y = g.node1("Conv", inputs, p + "/Conv", attributes);
  return {{apply_activation(g, o.activation, transpose(g, y, to_last, p + "/channels_last"), p)}, {}};
}

}  // namespace

LayerOutputs export_conv1d(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& conv = layer_as<Conv1DLayer>(layer);
  return export_conv(conv, conv.options(), 1, in, g);
}

LayerOutputs export_conv2d(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& conv = layer_as<Conv2DLayer>(layer);
  return export_conv(conv, conv.options(), 2, in, g);
}

}  // namespace kiln::onnx_export
