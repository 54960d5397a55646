#include "graph/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include <xtensor/xbuilder.hpp>

namespace kiln {

namespace {

Array random_weights(const Shape& shape, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  Array r = Array::from_shape(shape);
  for (auto& v : r) v = uniform(rng);
  return r;
}

double weighted_sum(const Array& y, const Array& r) {
  double total = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) total += double(y.data()[i]) * double(r.data()[i]);
  return total;
}

}  // namespace

std::string GradCheckResult::report() const {
  std::ostringstream out;
  out << (ok ? "gradient check passed" : "gradient check FAILED") << ": worst error "
      << worst_error << " over " << checked << " elements";
  if (!worst_where.empty()) out << " at " << worst_where;
  return out.str();
}

GradCheckResult check_gradients(const std::function<Tensor()>& f, const std::vector<Tensor>& wrt,
                                GradCheckOptions options) {
  for (const auto& t : wrt) {
    if (!t.requires_grad()) throw Error("check_gradients: tensor '" + t.name() + "' does not require grad");
  }
  for (auto t : wrt) t.zero_grad();

  Tensor y = f();
  const Array r = random_weights(y.shape(), options.seed);
  backward(y, r);

  GradCheckResult result;
  for (std::size_t k = 0; k < wrt.size(); ++k) {
    Tensor t = wrt[k];
    const Array analytic = t.has_grad() ? t.grad() : xt::zeros<float>(t.shape());
    Array& value = t.mutable_value();
    for (std::size_t i = 0; i < value.size(); ++i) {
      NoGradGuard no_grad;
      const float original = value.data()[i];
      value.data()[i] = float(original + options.step);
      const double plus = weighted_sum(f().value(), r);
      value.data()[i] = float(original - options.step);
      const double minus = weighted_sum(f().value(), r);
      value.data()[i] = original;

      const double numeric = (plus - minus) / (2.0 * options.step);
      const double a = analytic.data()[i];
      const double err = std::abs(a - numeric) / std::max({1.0, std::abs(a), std::abs(numeric)});
      ++result.checked;
      if (err > result.worst_error || std::isnan(err)) {
        result.worst_error = std::isnan(err) ? INFINITY : err;
        std::ostringstream where;
        where << "tensor " << k << " '" << t.name() << "' " << to_string(t.shape()) << " element "
              << i << ": analytic " << a << " numeric " << numeric;
        result.worst_where = where.str();
      }
    }
  }
  result.ok = result.worst_error <= options.tolerance;
  return result;
}

}  // namespace kiln
