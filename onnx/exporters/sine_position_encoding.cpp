// SinePositionEncoding: keras_hub's sinusoids computed at run time for the
// input's length, in double as kiln computes them (float angles would drift
// by 1e-5 within a few hundred steps): angle[t, i] = t * timescale[i], sin at
// even i and cos at odd i (a Where on a constant parity mask), cast to
// float and expanded over the batch to the input's shape. No mask.

#include <cmath>

#include "layers/sine_position_encoding.hpp"
#include "onnx/exporters/exporters.hpp"

namespace kiln::onnx_export {

namespace {

constexpr auto double_type = ::onnx::TensorProto::DOUBLE;

// A Constant node holding a 1-D tensor (doubles, or bools as 0/1).
std::string constant(GraphBuilder& g, const std::string& hint, const std::vector<double>& values, bool as_bool) {
  Attribute a;
  a.set_name("value");
  a.set_type(::onnx::AttributeProto::TENSOR);
  auto& t = *a.mutable_t();
  t.set_data_type(as_bool ? ::onnx::TensorProto::BOOL : double_type);
  t.add_dims(std::int64_t(values.size()));
  for (double v : values) {
    if (as_bool) {
      t.add_int32_data(v != 0.0 ? 1 : 0);
    } else {
      t.add_double_data(v);
    }
  }
  return g.node1("Constant", {}, hint, {a});
}

}  // namespace

LayerOutputs export_sine_position_encoding(const Layer& layer, const LayerInputs& in, GraphBuilder& g) {
  const auto& encoding = layer_as<SinePositionEncodingLayer>(layer);
  const std::string p = layer.name();
  const std::int64_t hidden = in.shapes[0].at(2);
  if (hidden <= 0) throw Error("the feature axis must be known, got " + to_string(in.shapes[0]));
  const double min_freq = 1.0 / double(encoding.options().max_wavelength);
  std::vector<double> timescales, even;
  for (std::int64_t i = 0; i < hidden; ++i) {
    timescales.push_back(std::pow(min_freq, double(2 * (i / 2)) / double(hidden)));
    even.push_back(i % 2 == 0 ? 1.0 : 0.0);
  }
  const std::string x = in.values[0];
  const std::string length = g.node1("Shape", {x}, p + "/length", {int_attribute("start", 1), int_attribute("end", 2)});
  const std::string limit = g.node1("Cast", {squeeze(g, length, {0}, p + "/length_scalar")}, p + "/limit", {int_attribute("to", double_type)});
  const std::string zero = g.node1("Cast", {g.scalar(p + "/zero", 0.0f)}, p + "/start", {int_attribute("to", double_type)});
  const std::string one = g.node1("Cast", {g.scalar(p + "/one", 1.0f)}, p + "/delta", {int_attribute("to", double_type)});
  const std::string steps = unsqueeze(g, g.node1("Range", {zero, limit, one}, p + "/steps"), {1}, p + "/step_column");
  const std::string angles = g.node1("Mul", {steps, constant(g, p + "/timescales", timescales, false)}, p + "/angles");
  const std::string waves = g.node1("Where", {constant(g, p + "/even", even, true), g.node1("Sin", {angles}, p + "/Sin"),
                                              g.node1("Cos", {angles}, p + "/Cos")},
                                    p + "/waves");
  const std::string table = g.node1("Cast", {waves}, p + "/table", {int_attribute("to", ::onnx::TensorProto::FLOAT)});
  return {{g.node1("Expand", {table, g.node1("Shape", {x}, p + "/shape")}, p + "/Expand")}, {}};
}

}  // namespace kiln::onnx_export
