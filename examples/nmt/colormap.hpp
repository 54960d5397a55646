#pragma once
// The viridis colour map (perceptually uniform, readable in grey and by
// colour-blind readers), sampled at nine points and interpolated linearly.

#include <algorithm>
#include <array>
#include <cmath>

namespace nmt {

struct Rgb {
  double r, g, b;  // each in [0, 1]
};

// t in [0, 1] (clamped) -> colour, dark purple (0) to yellow (1).
inline Rgb viridis(double t) {
  static constexpr std::array<std::array<double, 3>, 9> kStops = {{
      {68, 1, 84}, {72, 40, 120}, {62, 73, 137}, {49, 104, 142}, {38, 130, 142},
      {31, 158, 137}, {53, 183, 121}, {110, 206, 88}, {253, 231, 37},
  }};
  t = std::clamp(t, 0.0, 1.0) * (kStops.size() - 1);
  const std::size_t i = std::min(static_cast<std::size_t>(t), kStops.size() - 2);
  const double f = t - static_cast<double>(i);
  auto mix = [&](int c) { return ((1 - f) * kStops[i][c] + f * kStops[i + 1][c]) / 255.0; };
  return {mix(0), mix(1), mix(2)};
}

// Relative luminance, to choose black or white text on a cell.
inline double luminance(const Rgb& c) { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b; }

}  // namespace nmt
