#include "ops/window.hpp"

#include <algorithm>
#include <cctype>

#include "graph/error.hpp"

namespace kiln {

Padding parse_padding(const std::string& text, bool allow_causal, const std::string& who) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (lower == "valid") return Padding::valid;
  if (lower == "same") return Padding::same;
  if (lower == "causal" && allow_causal) return Padding::causal;
  throw Error(who + ": padding must be " + (allow_causal ? "'valid', 'same' or 'causal'" : "'valid' or 'same'") +
              ", got '" + text + "'");
}

std::string to_string(Padding padding) {
  switch (padding) {
    case Padding::valid: return "valid";
    case Padding::same: return "same";
    case Padding::causal: return "causal";
  }
  return "?";
}

std::size_t WindowAxis::output_size(std::size_t n) const {
  const std::size_t padded = n + pad_before + pad_after;
  return padded < span() ? 0 : (padded - span()) / stride + 1;
}

WindowAxis window_axis(std::size_t n, std::size_t size, std::size_t stride, std::size_t dilation, Padding padding) {
  WindowAxis axis{.size = size, .stride = stride, .dilation = dilation};
  if (padding == Padding::same) {
    const std::size_t out = (n + stride - 1) / stride;
    const std::size_t needed = out == 0 ? 0 : (out - 1) * stride + axis.span();
    const std::size_t total = needed > n ? needed - n : 0;
    axis.pad_before = total / 2;
    axis.pad_after = total - total / 2;
  } else if (padding == Padding::causal) {
    axis.pad_before = axis.span() - 1;
  }
  return axis;
}

std::size_t padded_output_size(std::size_t n, std::size_t size, std::size_t stride, std::size_t dilation,
                               Padding padding) {
  return window_axis(n, size, stride, dilation, padding).output_size(n);
}

WindowGrid window_grid(const char* op, const Shape& x, const WindowAxis& rows, const WindowAxis& cols) {
  WindowGrid g;
  if (x.size() == 4) {
    g = {.batch = x[0], .height = x[1], .width = x[2], .channels = x[3], .rows = rows, .cols = cols};
  } else if (x.size() == 3) {
    g = {.batch = x[0], .height = 1, .width = x[1], .channels = x[2], .rows = WindowAxis{}, .cols = cols};
  } else {
    throw ShapeError(std::string(op) + ": expected a channels-last input of rank 3 or 4, got " + to_string(x));
  }
  g.out_height = g.rows.output_size(g.height);
  g.out_width = g.cols.output_size(g.width);
  if (g.out_height == 0 || g.out_width == 0) {
    throw ShapeError(std::string(op) + ": the window (span " + std::to_string(g.rows.span()) + " x " +
                     std::to_string(g.cols.span()) + ") does not fit the input " + to_string(x));
  }
  return g;
}

}  // namespace kiln
