#include "ops/matmul.hpp"

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/blas.hpp"

namespace kiln {

namespace {

// How a matmul maps onto GEMM calls: `batch` products of op(A) (m, k) by
// op(B) (k, n). When B is shared (2-D) and A is not transposed, the batch
// folds into m and a single GEMM does everything.
struct Plan {
  int batch, m, n, k;
  bool shared_b;
  bool flat;  // batch folded into m
  Shape out_shape;
};

Plan plan_matmul(const Shape& a, const Shape& b, MatmulOptions o) {
  const bool ranks_ok = (a.size() == 2 && b.size() == 2) || (a.size() == 3 && b.size() == 2) ||
                        (a.size() == 3 && b.size() == 3);
  if (!ranks_ok) throw_shape_error("matmul", "supports 2-D/3-D x 2-D and 3-D x 3-D, got", a, b);
  const std::size_t ra = a.size(), rb = b.size();
  const std::size_t m = o.transpose_a ? a[ra - 1] : a[ra - 2];
  const std::size_t ka = o.transpose_a ? a[ra - 2] : a[ra - 1];
  const std::size_t kb = o.transpose_b ? b[rb - 1] : b[rb - 2];
  const std::size_t n = o.transpose_b ? b[rb - 2] : b[rb - 1];
  if (ka != kb) throw_shape_error("matmul", "inner sizes differ between", a, b);
  if (ra == 3 && rb == 3 && a[0] != b[0]) throw_shape_error("matmul", "batch sizes differ between", a, b);

  Plan p{};
  p.batch = ra == 3 ? int(a[0]) : 1;
  p.m = int(m);
  p.n = int(n);
  p.k = int(ka);
  p.shared_b = rb == 2;
  p.flat = p.shared_b && !o.transpose_a;
  p.out_shape = ra == 3 ? Shape{a[0], m, n} : Shape{m, n};
  if (p.flat) {
    p.m *= p.batch;
    p.batch = 1;
  }
  return p;
}

// Runs the batched product C[i] = op(A[i]) op(B[i]) (+ beta C[i]).
void run_batched(const Plan& p, bool ta, bool tb, const float* a, const float* b, float beta, float* c) {
  const std::size_t a_stride = std::size_t(p.m) * p.k, c_stride = std::size_t(p.m) * p.n;
  const std::size_t b_stride = p.shared_b ? 0 : std::size_t(p.k) * p.n;
  for (int i = 0; i < p.batch; ++i) {
    gemm(ta, tb, p.m, p.n, p.k, 1.0f, a + i * a_stride, b + i * b_stride, beta, c + i * c_stride);
  }
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, MatmulOptions o) {
  const Plan p = plan_matmul(a.shape(), b.shape(), o);
  Array out = Array::from_shape(p.out_shape);
  run_batched(p, o.transpose_a, o.transpose_b, a.value().data(), b.value().data(), 0.0f, out.data());

  // Each operand's value is kept only for the other's gradient.
  auto av = b.requires_grad() ? a.shared_value() : nullptr;
  auto bv_kept = a.requires_grad() ? b.shared_value() : nullptr;
  return record(std::move(out), {a, b},
                [ga = a.grad_ref(), gb = b.grad_ref(), av = std::move(av), bv_kept = std::move(bv_kept), p,
                 o](const Array& g) {
    // With A' = op(A), B' = op(B):  dA' = dC B'^T,  dB' = A'^T dC.
    // Transposed operands take the transpose of those: dA = B' dC^T, dB = dC^T A'.
    if (bv_kept && ga.requires_grad()) {
      const GradTarget da = grad_target(ga);
      const float beta = da.accumulate ? 1.0f : 0.0f;
      const float* bv = bv_kept->data();
      const std::size_t b_stride = p.shared_b ? 0 : std::size_t(p.k) * p.n;
      const std::size_t a_stride = std::size_t(p.m) * p.k, g_stride = std::size_t(p.m) * p.n;
      for (int i = 0; i < p.batch; ++i) {
        const float* gi = g.data() + i * g_stride;
        const float* bi = bv + i * b_stride;
        float* dai = da.data + i * a_stride;
        if (!o.transpose_a) gemm(false, !o.transpose_b, p.m, p.k, p.n, 1.0f, gi, bi, beta, dai);
        else gemm(o.transpose_b, true, p.k, p.m, p.n, 1.0f, bi, gi, beta, dai);
      }
    }
    if (av && gb.requires_grad()) {
      const GradTarget db = grad_target(gb);
      const float* a_data = av->data();
      const std::size_t a_stride = std::size_t(p.m) * p.k, g_stride = std::size_t(p.m) * p.n;
      const std::size_t b_stride = p.shared_b ? 0 : std::size_t(p.k) * p.n;
      for (int i = 0; i < p.batch; ++i) {
        // A shared B sums its gradient over the batch: beta = 1 after the first.
        const float beta = (db.accumulate || (p.shared_b && i > 0)) ? 1.0f : 0.0f;
        const float* ai = a_data + i * a_stride;
        const float* gi = g.data() + i * g_stride;
        float* dbi = db.data + i * b_stride;
        if (!o.transpose_b) gemm(!o.transpose_a, false, p.k, p.n, p.m, 1.0f, ai, gi, beta, dbi);
        else gemm(true, o.transpose_a, p.n, p.k, p.m, 1.0f, gi, ai, beta, dbi);
      }
    }
  });
}

}  // namespace kiln
