#include "plot/axis_ticks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "graph/error.hpp"

namespace kiln::plot {

namespace {

// The smallest of 1, 2, 5 (times a power of ten) at least `raw`.
double nice_step(double raw) {
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= raw * (1 - 1e-9)) return m * power;
  }
  return 10.0 * power;
}

AxisTicks ticks_with_step(double lo, double hi, double step) {
  AxisTicks t;
  t.step = step;
  t.lo = std::floor(lo / step + 1e-9) * step;
  t.hi = std::ceil(hi / step - 1e-9) * step;
  for (double v = t.lo; v <= t.hi + step * 1e-6; v += step) t.values.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  t.decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
  return t;
}

}  // namespace

AxisTicks nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) {
    throw Error("nice_ticks: needs finite lo <= hi, got " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  if (hi - lo <= std::max(std::abs(lo), std::abs(hi)) * 1e-12) {  // one value: show around it
    const double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  return ticks_with_step(lo, hi, nice_step((hi - lo) / std::max(1, target - 1)));
}

AxisTicks integer_ticks(std::size_t count, int target) {
  const double step = count <= 1 ? 1.0 : std::max(1.0, nice_step(double(count - 1) / std::max(1, target - 1)));
  AxisTicks t;
  t.step = step;
  t.lo = 1;
  t.hi = double(std::max<std::size_t>(count, 1));
  for (double v = 1; v <= t.hi + 1e-9; v += step) t.values.push_back(v);
  return t;
}

std::string tick_label(double value, const AxisTicks& ticks) {
  char text[32];
  if (ticks.decimals > 4 || ticks.step >= 1e6) {
    std::snprintf(text, sizeof text, "%.3g", value);
  } else {
    std::snprintf(text, sizeof text, "%.*f", ticks.decimals, value);
  }
  return text;
}

}  // namespace kiln::plot
