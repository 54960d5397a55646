// Pad and Resize on channels-last image batches, the forms kiln's exports
// of ZeroPadding2D and UpSampling2D write: Pad with zeros on the height and
// width axes of a (batch, height, width, channels) value, and Resize of a
// (batch, channels, height, width) value by whole factors, "nearest"
// (asymmetric coordinates, floor: each cell repeated) or "linear" with
// half-pixel centres (Keras 3's bilinear), given by sizes or scales.

#include <cmath>

#include "ops/reshape.hpp"
#include "ops/upsample.hpp"
#include "ops/zero_pad.hpp"
#include "onnx/import/ops/ops.hpp"

namespace kiln::onnx_import {

namespace {

std::vector<Value> pad_op(const OpCall& c) {
  const Tensor& x = c.tensor(0);
  if (c.string_attribute("mode", "constant") != "constant") c.fail("only constant padding is supported");
  if (c.has_input(2) && as_tensor(c.input(2)).value().data()[0] != 0.0f) c.fail("only zero padding is supported");
  if (c.has_input(3)) c.fail("the axes input is not supported");
  const auto pads = c.list(1);
  if (x.shape().size() != 4 || pads.size() != 8) c.fail("kiln imports Pad of 4-D values (batch, height, width, channels)");
  for (std::size_t k : {0, 3, 4, 7}) {
    if (pads[k] != 0) c.fail("only the height and width axes (1 and 2) may be padded");
  }
  for (std::int64_t p : pads) {
    if (p < 0) c.fail("negative pads (cropping) are not supported");
  }
  const Padding2D padding{{{std::size_t(pads[1]), std::size_t(pads[5])}, {std::size_t(pads[2]), std::size_t(pads[6])}}};
  return {Value::of(zero_pad2d(x, padding))};
}

std::vector<Value> resize_op(const OpCall& c) {
  const Tensor& x = c.tensor(0);
  const Shape in = x.shape();
  if (in.size() != 4) c.fail("kiln imports Resize of 4-D values (batch, channels, height, width)");
  std::vector<double> factors;
  if (c.has_input(3)) {
    const auto sizes = c.list(3);
    if (sizes.size() != 4) c.fail("sizes must have 4 entries");
    for (std::size_t k = 0; k < 4; ++k) factors.push_back(double(sizes[k]) / double(in[k]));
  } else if (c.has_input(2)) {
    const Array scales = as_tensor(c.input(2)).value();
    if (scales.size() != 4) c.fail("scales must have 4 entries");
    factors.assign(scales.begin(), scales.end());
  } else {
    c.fail("neither scales nor sizes is given");
  }
  if (factors[0] != 1.0 || factors[1] != 1.0) c.fail("only the height and width axes (2 and 3) may be resized");
  std::array<std::size_t, 2> size{};
  for (std::size_t k = 0; k < 2; ++k) {
    const double f = factors[2 + k];
    if (f < 1.0 || f != std::floor(f)) c.fail("only whole upsampling factors are supported");
    size[k] = std::size_t(f);
  }
  const std::string mode = c.string_attribute("mode", "nearest");
  const std::string coordinates = c.string_attribute("coordinate_transformation_mode", "half_pixel");
  const Tensor images = permute(x, {0, 2, 3, 1});
  Tensor y;
  if (mode == "nearest" && coordinates == "asymmetric" && c.string_attribute("nearest_mode", "round_prefer_floor") == "floor") {
    y = upsample_nearest2d(images, size);
  } else if (mode == "linear" && coordinates == "half_pixel") {
    y = upsample_bilinear2d(images, size);
  } else {
    c.fail("mode " + mode + " with coordinate_transformation_mode " + coordinates +
           " is not supported (nearest asymmetric floor and linear half_pixel are)");
  }
  return {Value::of(permute(y, {0, 3, 1, 2}))};
}

}  // namespace

void add_image_ops(std::map<std::string, OpHandler>& ops) {
  ops["Pad"] = pad_op;
  ops["Resize"] = resize_op;
}

}  // namespace kiln::onnx_import
