// The instruction-set variants of ops/kernels.hpp: every variant this CPU
// runs against a double-precision reference, at lengths that exercise the
// vector body, the scalar tail, and both (0 to 40 covers 4-, 8- and 16-wide).

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "graph/error.hpp"
#include "ops/kernels.hpp"
#include "support.hpp"

using namespace kiln;

namespace {

std::vector<float> ramp(std::size_t n, float lo, float hi) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = lo + (hi - lo) * float(i) / float(n > 1 ? n - 1 : 1);
  return v;
}

// Restores the variant in use when a test case ends, whatever it pinned.
struct KeepIsa {
  std::string isa = kernels::active().isa;
  ~KeepIsa() { kernels::use_isa(isa); }
};

void check_activations(const kernels::Table& k, std::size_t n) {
  std::vector<float> s = ramp(n, -12.0f, 12.0f), t = s;
  const std::vector<float> x = s;
  k.sigmoid(s.data(), n);
  k.tanh(t.data(), n);
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(s[i] == doctest::Approx(1.0 / (1.0 + std::exp(-double(x[i])))).epsilon(2e-6));
    CHECK(t[i] == doctest::Approx(std::tanh(double(x[i]))).epsilon(2e-6));
  }
}

// Every position of the one non-zero, as 1, -1 and NaN; -0 is zero.
void check_first_nonzero(const kernels::Table& k, std::size_t n) {
  std::vector<float> x(n, 0.0f);
  for (std::size_t i = 0; i < n; i += 2) x[i] = -0.0f;
  CHECK(k.first_nonzero(x.data(), n) == n);
  for (std::size_t at = 0; at < n; ++at) {
    for (const float v : {1.0f, -1.0f, NAN}) {
      std::vector<float> y = x;
      y[at] = v;
      if (at + 1 < n) y[n - 1] = 2.0f;  // a later non-zero does not count
      REQUIRE(k.first_nonzero(y.data(), n) == at);
    }
  }
}

void check_rows(const kernels::Table& k, std::size_t n) {
  const std::vector<float> a = ramp(n, -3.0f, 5.0f), b = ramp(n, 2.0f, -1.0f);
  double max = a[0], sum = 0.0, dot = 0.0, exp_sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    max = std::max(max, double(a[i]));
    sum += a[i];
    dot += double(a[i]) * b[i];
    exp_sum += std::exp(double(a[i]) - 5.0);
  }
  CHECK(k.row_max(a.data(), n) == float(max));
  CHECK(k.row_sum(a.data(), n) == doctest::Approx(sum).epsilon(1e-5));
  CHECK(k.row_dot(a.data(), b.data(), n) == doctest::Approx(dot).epsilon(1e-5));
  std::vector<float> e(n);
  CHECK(k.row_exp_shifted(a.data(), 5.0f, e.data(), n) == doctest::Approx(exp_sum).epsilon(1e-5));
  for (std::size_t i = 0; i < n; ++i) CHECK(e[i] == doctest::Approx(std::exp(double(a[i]) - 5.0)).epsilon(2e-6));
  // -inf (a hidden key in masked attention) gives exactly 0, in the vector body and in the tail.
  std::vector<float> hidden = a;
  for (std::size_t i = 0; i < n; i += 3) hidden[i] = -INFINITY;
  k.row_exp_shifted(hidden.data(), 5.0f, e.data(), n);
  for (std::size_t i = 0; i < n; i += 3) CHECK(e[i] == 0.0f);
}

void check_adam(const kernels::Table& k, std::size_t n) {
  const kernels::AdamConstants c{0.01f, 0.1f, 0.001f, 1e-7f};
  std::vector<float> w = ramp(n, -1.0f, 1.0f), g = ramp(n, 0.5f, -0.7f), m = ramp(n, 0.0f, 0.1f),
                     v = ramp(n, 0.01f, 0.2f);
  const std::vector<float> w0 = w, m0 = m, v0 = v;
  k.adam(c, w.data(), g.data(), m.data(), v.data(), n);
  for (std::size_t i = 0; i < n; ++i) {
    const double mi = m0[i] + (double(g[i]) - m0[i]) * 0.1;
    const double vi = v0[i] + (double(g[i]) * g[i] - v0[i]) * 0.001;
    CHECK(m[i] == doctest::Approx(mi).epsilon(1e-6));
    CHECK(v[i] == doctest::Approx(vi).epsilon(1e-6));
    CHECK(w[i] == doctest::Approx(w0[i] - 0.01 * mi / (std::sqrt(vi) + 1e-7)).epsilon(1e-6));
  }
}

double sigmoid_of(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// One GRU row forward and backward against the formulas in double.
void check_gru(const kernels::Table& k, std::size_t H) {
  const std::vector<float> xp = ramp(3 * H, -2.0f, 1.5f), hp = ramp(3 * H, 1.0f, -1.0f), b = ramp(3 * H, 0.3f, -0.2f),
                           h = ramp(H, -0.9f, 0.8f), dh0 = ramp(H, 0.5f, -0.4f);
  std::vector<float> cache(4 * H), h_new(H), dh = dh0, dxp(3 * H), dhp(3 * H);
  k.gru_forward({H, xp.data(), hp.data(), b.data(), h.data(), cache.data(), h_new.data()});
  k.gru_backward({H, cache.data(), h.data(), dh.data(), dxp.data(), dhp.data()});
  for (std::size_t j = 0; j < H; ++j) {
    const double z = sigmoid_of(double(xp[j]) + hp[j] + b[j]);
    const double r = sigmoid_of(double(xp[H + j]) + hp[H + j] + b[H + j]);
    const double hph = double(hp[2 * H + j]) + b[2 * H + j];
    const double n = std::tanh(xp[2 * H + j] + r * hph);
    CHECK(h_new[j] == doctest::Approx(z * h[j] + (1 - z) * n).epsilon(1e-5));
    const double dz = dh0[j] * (h[j] - n), da = dh0[j] * (1 - z) * (1 - n * n), dr = da * hph;
    CHECK(dxp[j] == doctest::Approx(dz * z * (1 - z)).epsilon(1e-4));
    CHECK(dhp[H + j] == doctest::Approx(dr * r * (1 - r)).epsilon(1e-4));
    CHECK(dxp[2 * H + j] == doctest::Approx(da).epsilon(1e-4));
    CHECK(dhp[2 * H + j] == doctest::Approx(da * r).epsilon(1e-4));
    CHECK(dh[j] == doctest::Approx(dh0[j] * z).epsilon(1e-5));
  }
}

// One row of Bahdanau scores (Te encoder steps, width E) forward and
// backward against the formulas in double.
void check_additive(const kernels::Table& k, std::size_t te, std::size_t e) {
  const std::vector<float> q = ramp(e, -1.0f, 0.8f), keys = ramp(te * e, 0.7f, -0.9f), v = ramp(e, 0.4f, -0.6f),
                           g = ramp(te, -0.5f, 0.9f);
  std::vector<float> block(te * e), scores(te), dq(e, 0.25f), dkeys(te * e, -0.5f), dv(e, 1.0f);
  k.additive_scores({te, e, q.data(), keys.data(), v.data(), block.data(), scores.data()});
  k.additive_grad({te, e, q.data(), keys.data(), v.data(), g.data(), block.data(), dq.data(), dkeys.data(), dv.data()});
  std::vector<double> want_dq(e, 0.25), want_dv(e, 1.0);
  for (std::size_t j = 0; j < te; ++j) {
    double score = 0.0;
    for (std::size_t c = 0; c < e; ++c) {
      const double h = std::tanh(double(q[c]) + keys[j * e + c]), dpre = g[j] * v[c] * (1 - h * h);
      score += h * v[c];
      CHECK(dkeys[j * e + c] == doctest::Approx(-0.5 + dpre).epsilon(1e-5));
      want_dq[c] += dpre;
      want_dv[c] += g[j] * h;
    }
    CHECK(scores[j] == doctest::Approx(score).epsilon(1e-5));
  }
  for (std::size_t c = 0; c < e; ++c) {
    CHECK(dq[c] == doctest::Approx(want_dq[c]).epsilon(1e-5));
    CHECK(dv[c] == doctest::Approx(want_dv[c]).epsilon(1e-5));
  }
}

// Layer normalization of a few rows of n features, with and without the
// mean (rms), gamma and beta each, and with dx, dgamma or dbeta not wanted,
// forward and backward against double formulas.
void check_layer_norm(const kernels::Table& k, std::size_t rows, std::size_t n) {
  const std::vector<float> x = ramp(rows * n, -2.0f, 3.0f), dy = ramp(rows * n, 0.9f, -1.1f), gamma = ramp(n, 0.5f, 1.5f),
                           beta = ramp(n, -0.3f, 0.2f);
  for (int variant = 0; variant < 16; ++variant) {
    const bool rms = variant & 1, with_gamma = variant & 2, with_beta = (variant & 4) && !rms, want_dx = !(variant & 8);
    INFO("rms " << rms << ", gamma " << with_gamma << ", beta " << with_beta << ", dx " << want_dx);
    const float* gp = with_gamma ? gamma.data() : nullptr;
    const float* bp = with_beta ? beta.data() : nullptr;
    std::vector<float> y(rows * n), mean(rows), inv(rows), scratch(2 * n), dx(rows * n, 9.0f), dgamma(n, 0.5f),
        dbeta(n, -0.25f);
    k.layer_norm_forward({.rows = rows, .n = n, .epsilon = 1e-3f, .rms = rms, .x = x.data(), .gamma = gp, .beta = bp,
                          .y = y.data(), .mean = mean.data(), .inv = inv.data()});
    k.layer_norm_backward({.rows = rows, .n = n, .rms = rms, .dy = dy.data(), .x = x.data(), .gamma = gp,
                           .mean = mean.data(), .inv = inv.data(), .scratch = scratch.data(),
                           .dx = want_dx ? dx.data() : nullptr, .dgamma = gp ? dgamma.data() : nullptr,
                           .dbeta = bp ? dbeta.data() : nullptr});
    std::vector<double> want_dgamma(n, 0.5), want_dbeta(n, -0.25);
    for (std::size_t r = 0; r < rows; ++r) {
      const float* xr = x.data() + r * n;
      const float* dyr = dy.data() + r * n;
      double m = 0.0, var = 0.0, g_mean = 0.0, gx_mean = 0.0;
      if (!rms) {
        for (std::size_t i = 0; i < n; ++i) m += xr[i];
        m /= double(n);
      }
      for (std::size_t i = 0; i < n; ++i) var += (xr[i] - m) * (xr[i] - m);
      const double iv = 1.0 / std::sqrt(var / double(n) + 1e-3);
      std::vector<double> xhat(n), g(n);
      for (std::size_t i = 0; i < n; ++i) {
        xhat[i] = (xr[i] - m) * iv;
        g[i] = dyr[i] * (gp ? gp[i] : 1.0);
        g_mean += g[i] / double(n);
        gx_mean += g[i] * xhat[i] / double(n);
        want_dgamma[i] += dyr[i] * xhat[i];
        want_dbeta[i] += dyr[i];
        CHECK(y[r * n + i] == doctest::Approx(xhat[i] * (gp ? gp[i] : 1.0) + (bp ? bp[i] : 0.0)).epsilon(1e-5));
      }
      if (rms) g_mean = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double want = want_dx ? iv * (g[i] - g_mean - xhat[i] * gx_mean) : 9.0;  // untouched when not wanted
        CHECK(dx[r * n + i] == doctest::Approx(want).epsilon(2e-5));
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(dgamma[i] == doctest::Approx(gp ? want_dgamma[i] : 0.5).epsilon(1e-5));
      CHECK(dbeta[i] == doctest::Approx(bp ? want_dbeta[i] : -0.25).epsilon(1e-5));
    }
  }
}

// n columns of rows that are n + 3 floats apart.
void check_column_sums(const kernels::Table& k, std::size_t rows, std::size_t n) {
  const std::size_t stride = n + 3;
  const std::vector<float> x = ramp(rows * stride, -1.5f, 2.5f);
  std::vector<float> sums(n, 0.75f);
  k.column_sums(x.data(), rows, n, stride, sums.data());
  for (std::size_t j = 0; j < n; ++j) {
    double want = 0.75;
    for (std::size_t r = 0; r < rows; ++r) want += x[r * stride + j];
    CHECK(sums[j] == doctest::Approx(want).epsilon(1e-5));
  }
}

// The dropout draws of one variant against the sequential SplitMix64
// stream they stand for (state += golden, then mix), flag by flag.
void check_dropout(const kernels::Table& k, std::size_t n) {
  const std::uint64_t seed = 0x123456789ABCDEFull, threshold = std::uint64_t(0.3 * 16777216.0);
  std::vector<std::uint8_t> bytes(n, 7);
  std::vector<float> floats(n, -1.0f);
  k.dropout_bytes(seed, threshold, 1, bytes.data(), n);
  k.dropout_floats(seed, threshold, 2.5f, floats.data(), n);
  std::uint64_t state = seed, draw = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 2 == 0) {
      std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      draw = z ^ (z >> 31);
    }
    const bool kept = (i % 2 == 0 ? draw >> 40 : (draw >> 8) & 0xFFFFFFu) >= threshold;
    REQUIRE(bytes[i] == (kept ? 1 : 0));
    REQUIRE(floats[i] == (kept ? 2.5f : 0.0f));
  }
  // dropout_add's loops on those flags.
  const std::vector<float> x = ramp(n, -1.0f, 2.0f), residual = ramp(n, 0.5f, -0.5f), g = ramp(n, 3.0f, -2.0f);
  std::vector<float> y(n), dx(n);
  k.dropout_add_forward(x.data(), residual.data(), bytes.data(), 1.25f, y.data(), n);
  k.dropout_add_backward(g.data(), bytes.data(), 1.25f, dx.data(), n);
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(y[i] == doctest::Approx(residual[i] + (bytes[i] ? 1.25 * x[i] : 0.0)).epsilon(1e-6));
    CHECK(dx[i] == doctest::Approx(bytes[i] ? 1.25 * g[i] : 0.0).epsilon(1e-6));
  }
}

}  // namespace

TEST_CASE("every kernel variant this CPU runs matches double-precision formulas at every length") {
  KeepIsa keep;
  for (const std::string& isa : kernels::supported_isas()) {
    kernels::use_isa(isa);
    const kernels::Table& k = kernels::active();
    REQUIRE(std::string(k.isa) == isa);
    for (std::size_t n = 1; n <= 40; ++n) {
      INFO(isa << ", n = " << n);
      check_activations(k, n);
      check_rows(k, n);
      check_first_nonzero(k, n);
      check_adam(k, n);
      check_gru(k, n);
      check_additive(k, 1 + n % 7, n);
      check_layer_norm(k, 1 + n % 3, n);
      check_column_sums(k, 1 + n % 5, n);
      check_dropout(k, n);
      check_dropout(k, 250 + 7 * n);  // past one block of 128 draws, odd and even
    }
    for (const std::size_t n : {255, 256, 257}) {  // at the edge of one block of 128 draws
      INFO(isa << ", n = " << n);
      check_dropout(k, n);
    }
  }
}

TEST_CASE("kernels: sigmoid saturates to exactly 0 and 1, empty spans are left alone") {
  KeepIsa keep;
  for (const std::string& isa : kernels::supported_isas()) {
    kernels::use_isa(isa);
    INFO(isa);
    std::vector<float> x(19, -200.0f);
    for (std::size_t i = 0; i < x.size(); i += 2) x[i] = 200.0f;
    kernels::active().sigmoid(x.data(), x.size());
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(x[i] == (i % 2 == 0 ? 1.0f : 0.0f));
    kernels::active().tanh(nullptr, 0);
    CHECK(kernels::active().row_sum(nullptr, 0) == 0.0f);
    kernels::active().column_sums(nullptr, 0, 0, 0, nullptr);
    kernels::active().dropout_bytes(1, 2, 1, nullptr, 0);
    kernels::active().dropout_floats(1, 2, 1.0f, nullptr, 0);
    kernels::active().dropout_add_forward(nullptr, nullptr, nullptr, 1.0f, nullptr, 0);
    kernels::active().dropout_add_backward(nullptr, nullptr, 1.0f, nullptr, 0);
    kernels::active().layer_norm_forward({.rows = 0, .n = 4, .epsilon = 1e-3f, .rms = false, .x = nullptr, .gamma = nullptr,
                                          .beta = nullptr, .y = nullptr, .mean = nullptr, .inv = nullptr});
  }
}

TEST_CASE("kernels: the widest variant the CPU runs is chosen, the baseline always runs") {
  const std::vector<std::string> isas = kernels::supported_isas();
  REQUIRE(!isas.empty());
  CHECK(isas.front() == "x86-64-v2");
  // Every test case that pins a variant restores the one chosen at start.
  const char* forced = std::getenv("KILN_ISA");
  if (!forced || !*forced) CHECK(std::string(kernels::active().isa) == isas.back());
}

TEST_CASE("kernels: an unknown or unsupported instruction set is a clear error, and changes nothing") {
  KeepIsa keep;
  CHECK_THROWS_WITH_AS(kernels::use_isa("avx9"), doctest::Contains("unknown instruction set 'avx9'"), Error);
  CHECK(std::string(kernels::active().isa) == keep.isa);
  if (kernels::supported_isas().size() < 3) {
    CHECK_THROWS_WITH_AS(kernels::use_isa("x86-64-v4"), doctest::Contains("this CPU cannot run"), Error);
  }
}
