// Every ONNX operator kiln imports, by op_type: the groups of
// onnx/import/ops/, listed here so a static link keeps them all.

#include "onnx/import/ops/ops.hpp"

namespace kiln::onnx_import::detail {

std::map<std::string, OpHandler> builtin_ops() {
  std::map<std::string, OpHandler> ops;
  add_elementwise_ops(ops);
  add_shape_ops(ops);
  add_linear_ops(ops);
  add_recurrent_ops(ops);
  add_scan_op(ops);
  add_activation_ops(ops);
  add_reduction_ops(ops);
  add_window_ops(ops);
  add_image_ops(ops);
  add_normalization_ops(ops);
  return ops;
}

}  // namespace kiln::onnx_import::detail
