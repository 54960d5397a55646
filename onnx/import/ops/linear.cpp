// MatMul (numpy semantics, for the shapes layers produce), Gemm (PyTorch's
// Linear on 2-D input), Softmax and LogSoftmax over one axis.

#include "ops/arithmetic.hpp"
#include "ops/matmul.hpp"
#include "ops/reshape.hpp"
#include "ops/softmax.hpp"
#include "onnx/import/ops/ops.hpp"

namespace kiln::onnx_import {

namespace {

// (..., m, k) x (k, n) folds the leading axes into one GEMM; equal leading
// axes on both sides are one GEMM per entry (kiln's batched matmul).
std::vector<Value> matmul_op(const OpCall& c) {
  const Tensor& a = c.tensor(0);
  const Tensor& b = c.tensor(1);
  const Shape sa = a.shape(), sb = b.shape();
  if (sa.size() < 2 || sb.size() < 2) c.fail("1-D operands are not supported");
  if (sb.size() == 2) {
    if (sa.size() <= 3) return {Value::of(matmul(a, b))};
    Shape out(sa.begin(), sa.end() - 1);
    out.push_back(sb[1]);
    const Tensor flat = reshaped(a, {a.value().size() / sa.back(), sa.back()});
    return {Value::of(reshaped(matmul(flat, b), out))};
  }
  if (!std::equal(sa.begin(), sa.end() - 2, sb.begin(), sb.end() - 2)) {
    c.fail("broadcast batch axes are not supported: " + to_string(sa) + " x " + to_string(sb));
  }
  std::size_t batch = 1;
  for (std::size_t i = 0; i + 2 < sa.size(); ++i) batch *= sa[i];
  const Tensor fa = reshaped(a, {batch, sa[sa.size() - 2], sa.back()});
  const Tensor fb = reshaped(b, {batch, sb[sb.size() - 2], sb.back()});
  Shape out(sa.begin(), sa.end() - 1);
  out.push_back(sb.back());
  return {Value::of(reshaped(matmul(fa, fb), out))};
}

std::vector<Value> gemm_op(const OpCall& c) {
  Tensor y = matmul(c.tensor(0), c.tensor(1),
                    {.transpose_a = c.int_attribute("transA", 0) != 0, .transpose_b = c.int_attribute("transB", 0) != 0});
  const float alpha = c.float_attribute("alpha", 1.0f), beta = c.float_attribute("beta", 1.0f);
  if (alpha != 1.0f) y = y * alpha;
  if (c.has_input(2)) y = y + (beta == 1.0f ? c.tensor(2) : c.tensor(2) * beta);
  return {Value::of(y)};
}

std::vector<Value> softmax_op(const OpCall& c, bool log) {
  const Tensor& x = c.tensor(0);
  const int axis = int(c.axis(c.int_attribute("axis", -1), x.shape().size()));
  return {Value::of(log ? log_softmax(x, axis) : softmax(x, axis))};
}

}  // namespace

void add_linear_ops(std::map<std::string, OpHandler>& ops) {
  ops["MatMul"] = matmul_op;
  ops["Gemm"] = gemm_op;
  ops["Softmax"] = [](const OpCall& c) { return softmax_op(c, false); };
  ops["LogSoftmax"] = [](const OpCall& c) { return softmax_op(c, true); };
}

}  // namespace kiln::onnx_import
