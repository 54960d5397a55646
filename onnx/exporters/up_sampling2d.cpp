// UpSampling2D: ONNX's Resize on the channels-first image to sizes read at
// run time times the factors: "nearest" with asymmetric coordinates and
// floor (each cell repeated), "bilinear" as linear with half-pixel centres
// (Keras 3's resize). No mask (kiln's drops it).

#include "layers/up_sampling2d.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

LayerOutputs export_up_sampling2d(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& o = layer_as<UpSampling2DLayer>(layer).options();
  const std::string p = layer.name();
  const std::string images = transpose(g, in.values[0], {0, 3, 1, 2}, p + "/channels_first");
  const std::string factors = g.int64s(p + "/factors", {1, 1, std::int64_t(o.size[0]), std::int64_t(o.size[1])});
  const std::string sizes = g.node1("Mul", {g.node1("Shape", {images}, p + "/shape"), factors}, p + "/sizes");
  std::vector<Attribute> attributes;
  if (o.interpolation == "nearest") {
    attributes = {string_attribute("mode", "nearest"), string_attribute("coordinate_transformation_mode", "asymmetric"),
                  string_attribute("nearest_mode", "floor")};
  } else {
    attributes = {string_attribute("mode", "linear"), string_attribute("coordinate_transformation_mode", "half_pixel")};
  }
  const std::string y = g.node1("Resize", {images, "", "", sizes}, p + "/Resize", attributes);
  return {{transpose(g, y, {0, 2, 3, 1}, p + "/channels_last")}, {}};
}

}  // namespace kiln::onnx_export
