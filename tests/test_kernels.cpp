// The instruction-set variants of ops/kernels.hpp: every variant this CPU
// runs against a double-precision reference, at lengths that exercise the
// vector body, the scalar tail, and both (0 to 40 covers 4-, 8- and 16-wide).

#include <cmath>
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
      check_adam(k, n);
      check_gru(k, n);
      check_additive(k, 1 + n % 7, n);
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
