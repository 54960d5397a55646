#pragma once
// Axis ranges and tick marks people read easily: steps of 1, 2 or 5 times a
// power of ten, the range widened to whole steps, labels with just enough
// decimals to tell the ticks apart.

#include <string>
#include <vector>

namespace kiln::plot {

struct AxisTicks {
  double lo = 0, hi = 1;        // the axis range, a whole number of steps
  double step = 1;
  std::vector<double> values;   // lo, lo + step, ..., hi
  int decimals = 0;             // for the labels
};

// About `target` ticks (at least 2) covering [lo, hi]. A range of one value
// is widened around it; lo > hi or a non-finite bound throws kiln::Error.
AxisTicks nice_ticks(double lo, double hi, int target = 6);

// Whole-number ticks from 1 to `count` (epochs), at most about `target`.
AxisTicks integer_ticks(std::size_t count, int target = 10);

// The tick's label: fixed notation with ticks.decimals decimals, or the
// shortest exponent form ("1e-05") for very small or large steps.
std::string tick_label(double value, const AxisTicks& ticks);

}  // namespace kiln::plot
