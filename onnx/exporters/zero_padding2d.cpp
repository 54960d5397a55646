// ZeroPadding2D: ONNX's Pad with zeros on the height and width axes of the
// channels-last value. No mask (kiln's drops it).

#include "layers/zero_padding2d.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_zero_padding2d(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& p = layer_as<ZeroPadding2DLayer>(layer).options().padding;  // {{top, bottom}, {left, right}}
  const std::vector<std::int64_t> pads{0, std::int64_t(p[0][0]), std::int64_t(p[1][0]), 0,
                                       0, std::int64_t(p[0][1]), std::int64_t(p[1][1]), 0};
  return {{g.node1("Pad", {in.values[0], g.int64s(layer.name() + "/pads", pads)}, layer.name() + "/Pad",
                   {string_attribute("mode", "constant")})},
          {}};
}

}  // namespace kiln::onnx_export
