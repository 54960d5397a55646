#include "ops/dot_product_attention.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "graph/node.hpp"
#include "ops/blas.hpp"
#include "ops/dropout_stream.hpp"
#include "ops/parallel.hpp"
#include "ops/row_math.hpp"

namespace kiln {

namespace {

constexpr const char* attention_op = "dot_product_attention";

struct AttentionDims {
  std::size_t batch, t, s, heads, d, dv;
  std::size_t mask_batch = 0, mask_t = 0;  // the mask's first two dims (0: no mask)
};

// A rank-3 (B, T, H * d) shape as the (B, T, H, d) it stores.
Shape split_heads(const Shape& s, std::size_t heads, const Shape& q, const Shape& k, const Shape& v) {
  if (s.size() != 3) return s;
  if (heads == 0 || s[2] % heads != 0) {
    throw ShapeError(std::string(attention_op) +
                     ": rank-3 q, k and v need options.heads dividing their widths, got heads " +
                     std::to_string(heads) + " for " + to_string(q) + ", " + to_string(k) + " and " + to_string(v));
  }
  return {s[0], s[1], heads, s[2] / heads};
}

AttentionDims check_shapes(const Shape& q3, const Shape& k3, const Shape& v3, const Array* mask, std::size_t heads) {
  if (q3.size() != k3.size() || q3.size() != v3.size() || (q3.size() != 3 && q3.size() != 4)) {
    throw ShapeError(std::string(attention_op) + ": expects q (batch, T, heads, d), k (batch, S, heads, d) and v (batch, S, " +
                     "heads, dv), or all three rank 3 with options.heads, got " + to_string(q3) + ", " + to_string(k3) +
                     " and " + to_string(v3));
  }
  const Shape q = split_heads(q3, heads, q3, k3, v3), k = split_heads(k3, heads, q3, k3, v3),
              v = split_heads(v3, heads, q3, k3, v3);
  if (q.size() != 4 || k.size() != 4 || v.size() != 4) {
    throw ShapeError(std::string(attention_op) + ": expects q (batch, T, heads, d), k (batch, S, heads, d) and v (batch, S, " +
                     "heads, dv), got " + to_string(q) + ", " + to_string(k) + " and " + to_string(v));
  }
  if (q[0] != k[0] || q[2] != k[2] || q[3] != k[3]) {
    throw_shape_error(attention_op, "q and k differ in batch, heads or width:", q, k);
  }
  if (k[0] != v[0] || k[1] != v[1] || k[2] != v[2]) {
    throw_shape_error(attention_op, "k and v differ in batch, length or heads:", k, v);
  }
  AttentionDims d{q[0], q[1], k[1], q[2], q[3], v[3]};
  if (mask) {
    const Shape& m = mask->shape();
    const bool ok = m.size() == 3 && (m[0] == 1 || m[0] == d.batch) && (m[1] == 1 || m[1] == d.t) && m[2] == d.s;
    if (!ok) {
      throw ShapeError(std::string(attention_op) + ": the mask must be (" + std::to_string(d.batch) + " or 1, " +
                       std::to_string(d.t) + " or 1, " + std::to_string(d.s) + ") for q " + to_string(q) +
                       " and k " + to_string(k) + ", got " + to_string(m));
    }
    d.mask_batch = m[0];
    d.mask_t = m[1];
  }
  return d;
}

// Softmax of one row of scores over the keys the query sees (in place).
void masked_softmax_row(float* row, std::size_t s, const float* keep, std::size_t visible) {
  // visible: keys 0 .. visible-1 pass the causal rule; keep: the mask row or
  // null. Hidden keys become -inf, whose exponential is exactly 0, so the
  // rest is the dispatched row kernels' softmax (ops/row_math.hpp).
  if (s == 0) return;  // no keys: nothing to weigh (row::max needs one)
  for (std::size_t j = 0; j < s; ++j) {
    if (j >= visible || (keep && keep[j] == 0.0f)) row[j] = -INFINITY;
  }
  const float top = row::max(row, s);
  if (top == -INFINITY) {  // no key visible
    std::fill_n(row, s, 1.0f / float(s));
    return;
  }
  const float inv = 1.0f / row::exp_shifted(row, top, row, s);
  for (std::size_t j = 0; j < s; ++j) row[j] *= inv;
}

struct Saved {
  Array probs;         // (B, H, T, S) after softmax
  bool dropped = false;
  Array drop;          // the dropout mask (same shape) when dropped
};

// q, k and v may be one tensor (attention(x, x, x)): then their targets are
// one buffer, which every GEMM must add to, starting from zeros.
void share_aliased_targets(std::initializer_list<GradTarget*> targets, const Shape& shape) {
  for (GradTarget* a : targets) {
    bool shared = false;
    for (GradTarget* b : targets) shared = shared || (a != b && a->data && a->data == b->data);
    if (!shared) continue;
    std::size_t n = 1;
    for (const std::size_t d : shape) n *= d;
    for (GradTarget* b : targets) {
      if (b->data != a->data) continue;
      if (!b->accumulate) std::fill_n(b->data, n, 0.0f);  // the fresh buffer (the first target of it)
      b->accumulate = true;
    }
  }
}

// Where an operand's heads live: element (b, t, h, c) of a (B, len, H, w)
// operand at data + (b * len + t) * stride + h * w + c. A separate q, k or v
// has stride H * w; q, k and v packed side by side in one (B, T, 3 H w)
// projection have stride 3 H w and data offset by 0, H w, 2 H w.
struct View {
  const float* data;
  std::size_t stride;
  const float* head(std::size_t b, std::size_t h, std::size_t len, std::size_t w) const {
    return data + b * len * stride + h * w;
  }
};
struct GradView {
  float* data;
  std::size_t stride;
  float beta;  // 0 for a fresh buffer, 1 to add to a gradient already there
  float* head(std::size_t b, std::size_t h, std::size_t len, std::size_t w) const {
    return data + b * len * stride + h * w;
  }
};

// The forward pass's products: q k^T and p v for every (batch row, head).
std::size_t attention_flops(const AttentionDims& d) { return 2 * d.batch * d.heads * d.t * d.s * (d.d + d.dv); }

// The probabilities, dropped as `saved` says, times v, head by head, into
// `out` (B, T, H * dv).
void attend_forward(const View& q, const View& k, const View& v, float* out, const AttentionDims& d,
                    const DotProductAttentionOptions& o, Saved& saved) {
  // Batch rows are independent: two halves at once (ops/parallel.hpp).
  parallel_halves(d.batch, attention_flops(d), [&](std::size_t first, std::size_t last) {
    std::vector<float> dropped(saved.dropped ? d.t * d.s : 0);
    for (std::size_t b = first; b < last; ++b) {
      for (std::size_t h = 0; h < d.heads; ++h) {
        float* p = saved.probs.data() + (b * d.heads + h) * d.t * d.s;
        gemm_strided(false, true, int(d.t), int(d.s), int(d.d), o.scale, q.head(b, h, d.t, d.d), int(q.stride),
                     k.head(b, h, d.s, d.d), int(k.stride), 0.0f, p, int(d.s));
        for (std::size_t i = 0; i < d.t; ++i) {
          const float* keep =
              o.mask ? o.mask->data() + ((d.mask_batch == 1 ? 0 : b) * d.mask_t + (d.mask_t == 1 ? 0 : i)) * d.s
                     : nullptr;
          const std::size_t visible = o.causal ? std::min(d.s, i + o.causal_offset + 1) : d.s;
          masked_softmax_row(p + i * d.s, d.s, keep, visible);
        }
        const float* weights = p;
        if (saved.dropped) {
          const float* m = saved.drop.data() + (b * d.heads + h) * d.t * d.s;
          for (std::size_t i = 0; i < d.t * d.s; ++i) dropped[i] = p[i] * m[i];
          weights = dropped.data();
        }
        gemm_strided(false, false, int(d.t), int(d.dv), int(d.s), 1.0f, weights, int(d.s), v.head(b, h, d.s, d.dv),
                     int(v.stride), 0.0f, out + (b * d.t * d.heads + h) * d.dv, int(d.heads * d.dv));
      }
    }
  });
}

// With P the probabilities, M the dropout mask, P' = P * M and dO the output's gradient:
//   dV = P'^T dO,  dP = (dO V^T) * M,  dS = P * (dP - rowsum(dP * P)),
//   dQ = scale * dS K,  dK = scale * dS^T Q
// Each (batch, head) block of dq, dk and dv is written by exactly one GEMM,
// straight into the gradient buffers (null: not wanted).
void attend_backward(const float* g, const View& q, const View& k, const View& v, const GradView& dq,
                     const GradView& dk, const GradView& dv, const AttentionDims& d, float scale, const Saved& saved) {
  const int ld_g = int(d.heads * d.dv);
  // Batch rows write disjoint blocks of dq, dk and dv: two halves at once.
  parallel_halves(d.batch, 2 * attention_flops(d), [&](std::size_t first, std::size_t last) {
    std::vector<float> dp(d.t * d.s), dropped(saved.dropped ? d.t * d.s : 0);
    for (std::size_t b = first; b < last; ++b) {
      for (std::size_t h = 0; h < d.heads; ++h) {
        const std::size_t block = (b * d.heads + h) * d.t * d.s;
        const float* p = saved.probs.data() + block;
        const float* weights = p;
        if (saved.dropped) {
          for (std::size_t i = 0; i < d.t * d.s; ++i) dropped[i] = p[i] * saved.drop.data()[block + i];
          weights = dropped.data();
        }
        const float* g_bh = g + (b * d.t * d.heads + h) * d.dv;
        if (dv.data) {
          gemm_strided(true, false, int(d.s), int(d.dv), int(d.t), 1.0f, weights, int(d.s), g_bh, ld_g, dv.beta,
                       dv.head(b, h, d.s, d.dv), int(dv.stride));
        }
        if (!dq.data && !dk.data) continue;
        gemm_strided(false, true, int(d.t), int(d.s), int(d.dv), 1.0f, g_bh, ld_g, v.head(b, h, d.s, d.dv),
                     int(v.stride), 0.0f, dp.data(), int(d.s));
        for (std::size_t i = 0; i < d.t; ++i) {
          float* dpr = dp.data() + i * d.s;
          const float* pr = p + i * d.s;
          if (saved.dropped) {
            const float* mr = saved.drop.data() + block + i * d.s;
            for (std::size_t j = 0; j < d.s; ++j) dpr[j] *= mr[j];
          }
          const float inner = row::dot(dpr, pr, d.s);
          for (std::size_t j = 0; j < d.s; ++j) dpr[j] = pr[j] * (dpr[j] - inner);
        }
        if (dq.data) {
          gemm_strided(false, false, int(d.t), int(d.d), int(d.s), scale, dp.data(), int(d.s),
                       k.head(b, h, d.s, d.d), int(k.stride), dq.beta, dq.head(b, h, d.t, d.d), int(dq.stride));
        }
        if (dk.data) {
          gemm_strided(true, false, int(d.s), int(d.d), int(d.t), scale, dp.data(), int(d.s),
                       q.head(b, h, d.t, d.d), int(q.stride), dk.beta, dk.head(b, h, d.s, d.d), int(dk.stride));
        }
      }
    }
  });
}

// The probabilities' storage and, with dropout, the mask.
std::shared_ptr<Saved> make_saved(const AttentionDims& d, const DotProductAttentionOptions& o) {
  if (o.dropout > 0.0f && !o.rng) throw Error(std::string(attention_op) + ": dropout needs a random generator");
  auto saved = std::make_shared<Saved>();
  saved->probs = Array::from_shape({d.batch, d.heads, d.t, d.s});
  if (o.dropout > 0.0f) {
    saved->dropped = true;
    // Inverted dropout's mask, 1 / (1 - rate) or 0 (ops/dropout_stream.hpp's draws).
    saved->drop = Array::from_shape(saved->probs.shape());
    DropoutStream(*o.rng, o.dropout).fill(saved->drop.data(), saved->drop.size(), 1.0f / (1.0f - o.dropout));
  }
  return saved;
}

GradView grad_view(const GradTarget& t, std::size_t offset, std::size_t stride) {
  return {t.data ? t.data + offset : nullptr, stride, t.accumulate ? 1.0f : 0.0f};
}

}  // namespace

Tensor dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                             const DotProductAttentionOptions& o) {
  const AttentionDims d = check_shapes(q.shape(), k.shape(), v.shape(), o.mask, o.heads);
  auto saved = make_saved(d, o);
  Array out = q.ndim() == 3 ? Array::from_shape({d.batch, d.t, d.heads * d.dv}) : Array::from_shape({d.batch, d.t, d.heads, d.dv});
  const std::size_t sqk = d.heads * d.d, sv = d.heads * d.dv;
  attend_forward({q.value().data(), sqk}, {k.value().data(), sqk}, {v.value().data(), sv}, out.data(), d, o, *saved);
  if (o.weights) *o.weights = saved->probs;
  return record(std::move(out), {q, k, v},
                [gq = q.grad_ref(), gk = k.grad_ref(), gv = v.grad_ref(), qv = q.shared_value(),
                 kv = k.shared_value(), vv = v.shared_value(), saved, d, scale = o.scale](const Array& g) {
    GradTarget dq = gq.requires_grad() ? grad_target(gq) : GradTarget{nullptr, false};
    GradTarget dk = gk.requires_grad() ? grad_target(gk) : GradTarget{nullptr, false};
    GradTarget dv = gv.requires_grad() ? grad_target(gv) : GradTarget{nullptr, false};
    share_aliased_targets({&dq, &dk, &dv}, gq.shape());
    const std::size_t sqk = d.heads * d.d, sv = d.heads * d.dv;
    attend_backward(g.data(), {qv->data(), sqk}, {kv->data(), sqk}, {vv->data(), sv}, grad_view(dq, 0, sqk),
                    grad_view(dk, 0, sqk), grad_view(dv, 0, sv), d, scale, *saved);
  });
}

Tensor dot_product_self_attention(const Tensor& qkv, const DotProductAttentionOptions& o) {
  const Shape& s = qkv.shape();
  if (s.size() != 3 || o.heads == 0 || s[2] % (3 * o.heads) != 0) {
    throw ShapeError(std::string(attention_op) + ": packed self-attention expects qkv (batch, T, 3 * heads * d) with options.heads, "
                     "got " + to_string(s) + " and heads " + std::to_string(o.heads));
  }
  const std::size_t width = s[2] / 3;  // H * d
  const Shape part{s[0], s[1], width};
  const AttentionDims d = check_shapes(part, part, part, o.mask, o.heads);
  auto saved = make_saved(d, o);
  Array out = Array::from_shape(part);
  const float* base = qkv.value().data();
  attend_forward({base, s[2]}, {base + width, s[2]}, {base + 2 * width, s[2]}, out.data(), d, o, *saved);
  if (o.weights) *o.weights = saved->probs;
  // q, k and v are disjoint column ranges of one gradient: every block of it
  // is written once, as in dot_product_attention.
  return record(std::move(out), {qkv}, [gx = qkv.grad_ref(), xv = qkv.shared_value(), saved, d, width,
                                        scale = o.scale](const Array& g) {
    if (!gx.requires_grad()) return;
    const GradTarget dx = grad_target(gx);
    const std::size_t stride = 3 * width;
    const float* base = xv->data();
    attend_backward(g.data(), {base, stride}, {base + width, stride}, {base + 2 * width, stride},
                    grad_view(dx, 0, stride), grad_view(dx, width, stride), grad_view(dx, 2 * width, stride), d, scale,
                    *saved);
  });
}

}  // namespace kiln
