#include "ops/matmul.hpp"

#include <algorithm>
#include <vector>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/blas.hpp"

namespace kiln {

namespace {

// How a matmul maps onto GEMM calls: for each batch entry i of the result,
// op(A[a_items[i]]) (m, k) by op(B[b_items[i]]) (k, n), where A[j] is the
// j-th (m, k) matrix of A's row-major storage. When B is one shared matrix
// and A is not transposed, A's batch folds into m and one GEMM does it all.
struct Plan {
  int m = 0, n = 0, k = 0;
  std::vector<std::size_t> a_items, b_items;
  std::size_t a_matrices = 1, b_matrices = 1;  // how many (m, k) / (k, n) matrices each operand holds
  Shape out_shape;
};

Shape batch_of(const Shape& s) { return Shape(s.begin(), s.end() - 2); }

// The broadcast batch shape of a and b's leading axes (numpy rules).
Shape broadcast_batch(const Shape& a, const Shape& b, const Shape& full_a, const Shape& full_b) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::size_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::size_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) throw_shape_error("matmul", "batch sizes differ between", full_a, full_b);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// For every entry of the broadcast batch `out`, the index of the matrix of
// an operand with batch shape `mine` (broadcast axes repeat index 0).
std::vector<std::size_t> matrix_indices(const Shape& mine, const Shape& out) {
  const std::size_t rank = out.size(), offset = rank - mine.size();
  std::vector<std::size_t> stride(rank, 0);  // in matrices; 0 along broadcast axes
  std::size_t s = 1;
  for (std::size_t d = rank; d-- > offset;) {
    stride[d] = mine[d - offset] == 1 ? 0 : s;
    s *= mine[d - offset];
  }
  std::vector<std::size_t> items(element_count(out));
  std::vector<std::size_t> index(rank, 0);
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::size_t item = 0;
    for (std::size_t d = 0; d < rank; ++d) item += index[d] * stride[d];
    items[i] = item;
    for (std::size_t d = rank; d-- > 0;) {  // next multi-index, last axis fastest
      if (++index[d] < out[d]) break;
      index[d] = 0;
    }
  }
  return items;
}

Plan plan_matmul(const Shape& a, const Shape& b, MatmulOptions o) {
  if (a.size() < 2 || b.size() < 2) {
    throw_shape_error("matmul", "needs operands of at least 2 axes, (..., m, k) and (..., k, n), got", a, b);
  }
  const std::size_t ra = a.size(), rb = b.size();
  const std::size_t m = o.transpose_a ? a[ra - 1] : a[ra - 2];
  const std::size_t ka = o.transpose_a ? a[ra - 2] : a[ra - 1];
  const std::size_t kb = o.transpose_b ? b[rb - 1] : b[rb - 2];
  const std::size_t n = o.transpose_b ? b[rb - 2] : b[rb - 1];
  if (ka != kb) throw_shape_error("matmul", "inner sizes differ between", a, b);

  Plan p;
  p.m = int(m);
  p.n = int(n);
  p.k = int(ka);
  const Shape batch_a = batch_of(a), batch_b = batch_of(b);
  const Shape batch = broadcast_batch(batch_a, batch_b, a, b);
  p.out_shape = batch;
  p.out_shape.push_back(m);
  p.out_shape.push_back(n);
  p.a_matrices = element_count(batch_a);
  p.b_matrices = element_count(batch_b);
  if (p.b_matrices == 1 && !o.transpose_a && element_count(batch) == p.a_matrices) {
    // One B for all, A's rows stacked: one (batch * m, k) x (k, n) product.
    p.m *= int(p.a_matrices);
    p.a_matrices = 1;
    p.a_items = p.b_items = {0};
    return p;
  }
  p.a_items = matrix_indices(batch_a, batch);
  p.b_items = matrix_indices(batch_b, batch);
  return p;
}

// Sets to zero the matrices of a gradient buffer that no product wrote.
void zero_unwritten(float* data, const std::vector<char>& written, std::size_t stride) {
  for (std::size_t j = 0; j < written.size(); ++j) {
    if (!written[j]) std::fill_n(data + j * stride, stride, 0.0f);
  }
}

// dA = dC op(B)^T (A' = A), or op(B) dC^T (transposed A), summed over the
// batch entries that share a matrix of A.
void backward_a(const Plan& p, MatmulOptions o, const Array& g, const float* b, const GradRef& ga) {
  const GradTarget da = grad_target(ga);
  const std::size_t a_stride = std::size_t(p.m) * p.k, b_stride = std::size_t(p.k) * p.n;
  const std::size_t g_stride = std::size_t(p.m) * p.n;
  std::vector<char> written(p.a_matrices, char(da.accumulate));
  for (std::size_t i = 0; i < p.a_items.size(); ++i) {
    const std::size_t j = p.a_items[i];
    const float beta = written[j] ? 1.0f : 0.0f;
    const float* gi = g.data() + i * g_stride;
    const float* bi = b + p.b_items[i] * b_stride;
    float* dai = da.data + j * a_stride;
    if (!o.transpose_a) gemm(false, !o.transpose_b, p.m, p.k, p.n, 1.0f, gi, bi, beta, dai);
    else gemm(o.transpose_b, true, p.k, p.m, p.n, 1.0f, bi, gi, beta, dai);
    written[j] = 1;
  }
  zero_unwritten(da.data, written, a_stride);
}

// dB = op(A)^T dC (B' = B), or dC^T op(A) (transposed B), summed over the
// batch entries that share a matrix of B.
void backward_b(const Plan& p, MatmulOptions o, const Array& g, const float* a, const GradRef& gb) {
  const GradTarget db = grad_target(gb);
  const std::size_t a_stride = std::size_t(p.m) * p.k, b_stride = std::size_t(p.k) * p.n;
  const std::size_t g_stride = std::size_t(p.m) * p.n;
  std::vector<char> written(p.b_matrices, char(db.accumulate));
  for (std::size_t i = 0; i < p.b_items.size(); ++i) {
    const std::size_t j = p.b_items[i];
    const float beta = written[j] ? 1.0f : 0.0f;
    const float* ai = a + p.a_items[i] * a_stride;
    const float* gi = g.data() + i * g_stride;
    float* dbi = db.data + j * b_stride;
    if (!o.transpose_b) gemm(!o.transpose_a, false, p.k, p.n, p.m, 1.0f, ai, gi, beta, dbi);
    else gemm(true, o.transpose_a, p.n, p.k, p.m, 1.0f, gi, ai, beta, dbi);
    written[j] = 1;
  }
  zero_unwritten(db.data, written, b_stride);
}

}  // namespace

// With A' = op(A), B' = op(B):  dA' = dC B'^T,  dB' = A'^T dC.
Tensor matmul(const Tensor& a, const Tensor& b, MatmulOptions o) {
  const Plan p = plan_matmul(a.shape(), b.shape(), o);
  Array out = Array::from_shape(p.out_shape);
  const std::size_t a_stride = std::size_t(p.m) * p.k, b_stride = std::size_t(p.k) * p.n;
  const std::size_t c_stride = std::size_t(p.m) * p.n;
  for (std::size_t i = 0; i < p.a_items.size(); ++i) {
    gemm(o.transpose_a, o.transpose_b, p.m, p.n, p.k, 1.0f, a.value().data() + p.a_items[i] * a_stride,
         b.value().data() + p.b_items[i] * b_stride, 0.0f, out.data() + i * c_stride);
  }
  if (p.a_items.empty()) out.fill(0.0f);  // an empty batch

  // Each operand's value is kept only for the other's gradient.
  auto av = b.requires_grad() ? a.shared_value() : nullptr;
  auto bv = a.requires_grad() ? b.shared_value() : nullptr;
  return record(std::move(out), {a, b},
                [ga = a.grad_ref(), gb = b.grad_ref(), av = std::move(av), bv = std::move(bv), p, o](const Array& g) {
                  if (bv && ga.requires_grad()) backward_a(p, o, g, bv->data(), ga);
                  if (av && gb.requires_grad()) backward_b(p, o, g, av->data(), gb);
                });
}

}  // namespace kiln
