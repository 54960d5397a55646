#include "examples/nmt/heatmap.hpp"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numbers>

#include "examples/nmt/colormap.hpp"
#include "graph/error.hpp"
#include "io/atomic_file.hpp"

namespace nmt {
namespace {

constexpr const char* kFont = "DejaVu Sans";
constexpr double kPad = 16;
constexpr double kTitleSize = 17;
constexpr double kCaptionSize = 12;
constexpr double kTickSize = 11;
constexpr double kBarWidth = 16;
constexpr double kSlant = -45;  // degrees: source labels read upwards to the right
const Rgb kInk{0.15, 0.15, 0.15};
const Rgb kMuted{0.4, 0.4, 0.4};

void check_inputs(const std::vector<std::string>& source, const std::vector<std::string>& target,
                  const kiln::Array& weights) {
  const kiln::Shape words{target.size(), source.size()};
  if (weights.dimension() != 2 || weights.shape() != words) {
    kiln::throw_shape_error("write_attention_heatmap",
                            "weights (target_len, source_len) and the word counts (target, source) differ:",
                            weights.shape(), words);
  }
  if (source.empty() || target.empty()) {
    throw kiln::Error("write_attention_heatmap: needs at least one source and one target word, got " +
                      std::to_string(source.size()) + " and " + std::to_string(target.size()));
  }
  for (std::size_t i = 0; i < target.size(); ++i) {
    for (std::size_t j = 0; j < source.size(); ++j) {
      if (!std::isfinite(weights(i, j))) {
        throw kiln::Error("write_attention_heatmap: weight (" + std::to_string(i) + ", " + std::to_string(j) +
                          ") is not finite");
      }
    }
  }
}

// Text widths from cairo's own font machinery, so layout and drawing agree.
class TextMeasure {
 public:
  TextMeasure()
      : surface_(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1), cairo_surface_destroy),
        cr_(cairo_create(surface_.get()), cairo_destroy) {}
  double width(const std::string& text, double size, bool bold = false) const {
    cairo_select_font_face(cr_.get(), kFont, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_.get(), size);
    cairo_text_extents_t extents;
    cairo_text_extents(cr_.get(), text.c_str(), &extents);
    return extents.x_advance;
  }

 private:
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface_;
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr_;
};

double widest(const std::vector<std::string>& words, double size, const TextMeasure& m) {
  double w = 0;
  for (const auto& word : words) w = std::max(w, m.width(word, size));
  return w;
}

struct Layout {
  HeatmapGeometry geometry;
  double label_size = 0, value_size = 0;
  double bar_x = 0;
  double lo = 0, hi = 1;  // colour scale
  bool y_caption_fits = true;  // beside the grid, not running into the title
};

Layout make_layout(const std::vector<std::string>& source, const std::vector<std::string>& target,
                   const kiln::Array& weights, const HeatmapOptions& options) {
  check_inputs(source, target, weights);
  const TextMeasure m;
  Layout l;
  auto& g = l.geometry;
  const double rows = static_cast<double>(target.size());
  const double cols = static_cast<double>(source.size());
  g.cell = std::clamp(std::floor(560.0 / std::max(rows, cols)), 16.0, 48.0);
  l.label_size = std::clamp(g.cell * 0.55, 9.0, 14.0);
  l.value_size = std::clamp(g.cell * 0.3, 8.0, 12.0);
  g.prints_values = options.print_values && g.cell >= 28 && m.width("0.00", l.value_size) <= g.cell - 4;

  const double slant = std::sin(std::numbers::pi / 4);
  const double x_label = widest(source, l.label_size, m);
  const double y_label = widest(target, l.label_size, m);
  // Slanted source labels reach left of their cell; keep the first on the page.
  const double spill = x_label * slant + l.label_size - g.cell / 2;
  g.grid_x = std::ceil(std::max(kPad + kCaptionSize + 12 + y_label + 8, kPad + spill));
  g.grid_y = std::ceil(kPad + kTitleSize + 14);
  const double grid_w = cols * g.cell;
  const double grid_h = rows * g.cell;
  l.y_caption_fits = m.width("generated words", kCaptionSize) <= grid_h;

  l.bar_x = g.grid_x + grid_w + 20;
  const double tick_w = m.width("0.00", kTickSize) + 8;
  const double right = l.bar_x + kBarWidth + 6 + tick_w + kPad;
  g.width = static_cast<int>(std::ceil(std::max(right, m.width(options.title, kTitleSize, true) + 2 * kPad)));
  const double label_drop = 6 + x_label * slant + l.label_size;
  g.height = static_cast<int>(std::ceil(g.grid_y + grid_h + label_drop + 10 + kCaptionSize + kPad));

  // From 0 (or a negative minimum) to the largest weight, so that a diffuse
  // attention map still shows contrast; the colour bar gives the scale.
  const auto [lo, hi] = std::minmax_element(weights.begin(), weights.end());
  l.lo = std::min(0.0, double(*lo));
  l.hi = double(*hi) > l.lo ? double(*hi) : l.lo + 1;
  return l;
}

enum class Anchor { start, middle, end };

// The few drawing operations the heatmap needs, for PNG (cairo) and SVG.
class Canvas {
 public:
  virtual ~Canvas() = default;
  virtual void fill_rect(double x, double y, double w, double h, Rgb colour) = 0;
  virtual void stroke_rect(double x, double y, double w, double h, Rgb colour, double line_width) = 0;
  virtual void line(double x1, double y1, double x2, double y2, Rgb colour, double line_width) = 0;
  // Text vertically centred on y, anchored at x, rotated by `degrees`
  // (clockwise, as the y axis points down) around (x, y).
  virtual void text(double x, double y, const std::string& s, double size, Anchor anchor, Rgb colour,
                    bool bold = false, double degrees = 0) = 0;
};

std::string format_value(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

void draw(Canvas& c, const Layout& l, const std::vector<std::string>& source, const std::vector<std::string>& target,
          const kiln::Array& weights, const HeatmapOptions& options) {
  const auto& g = l.geometry;
  const double grid_w = static_cast<double>(source.size()) * g.cell;
  const double grid_h = static_cast<double>(target.size()) * g.cell;
  c.fill_rect(0, 0, g.width, g.height, {1, 1, 1});
  c.text(g.width / 2.0, kPad + kTitleSize / 2, options.title, kTitleSize, Anchor::middle, kInk, true);

  for (std::size_t i = 0; i < target.size(); ++i) {
    for (std::size_t j = 0; j < source.size(); ++j) {
      const double w = weights(i, j);
      const Rgb colour = viridis((w - l.lo) / (l.hi - l.lo));
      const double x = g.grid_x + static_cast<double>(j) * g.cell;
      const double y = g.grid_y + static_cast<double>(i) * g.cell;
      c.fill_rect(x, y, g.cell, g.cell, colour);
      if (g.prints_values) {
        const Rgb ink = luminance(colour) > 0.45 ? Rgb{0, 0, 0} : Rgb{1, 1, 1};
        c.text(x + g.cell / 2, y + g.cell / 2, format_value(w), l.value_size, Anchor::middle, ink);
      }
    }
  }
  c.stroke_rect(g.grid_x, g.grid_y, grid_w, grid_h, kMuted, 1);

  for (std::size_t i = 0; i < target.size(); ++i) {
    c.text(g.grid_x - 8, g.grid_y + (static_cast<double>(i) + 0.5) * g.cell, target[i], l.label_size, Anchor::end, kInk);
  }
  for (std::size_t j = 0; j < source.size(); ++j) {
    c.text(g.grid_x + (static_cast<double>(j) + 0.5) * g.cell, g.grid_y + grid_h + 8, source[j], l.label_size,
           Anchor::end, kInk, false, kSlant);
  }
  c.text(g.grid_x + grid_w / 2, g.height - kPad - kCaptionSize / 2, "source words", kCaptionSize, Anchor::middle, kMuted);
  if (l.y_caption_fits) {
    c.text(kPad + kCaptionSize / 2, g.grid_y + grid_h / 2, "generated words", kCaptionSize, Anchor::middle, kMuted,
           false, -90);
  }

  // Colour bar: low at the bottom, high at the top, ticks at both ends and the middle.
  constexpr int kSlices = 64;
  const double slice = grid_h / kSlices;
  for (int s = 0; s < kSlices; ++s) {
    const double t = (s + 0.5) / kSlices;
    c.fill_rect(l.bar_x, g.grid_y + grid_h - (s + 1) * slice, kBarWidth, slice + 0.5, viridis(t));
  }
  c.stroke_rect(l.bar_x, g.grid_y, kBarWidth, grid_h, kMuted, 1);
  for (double t : {0.0, 0.5, 1.0}) {
    const double y = g.grid_y + grid_h * (1 - t);
    c.line(l.bar_x + kBarWidth, y, l.bar_x + kBarWidth + 4, y, kMuted, 1);
    c.text(l.bar_x + kBarWidth + 6, y, format_value(l.lo + t * (l.hi - l.lo)), kTickSize, Anchor::start, kInk);
  }
}

class CairoCanvas final : public Canvas {
 public:
  explicit CairoCanvas(cairo_t* cr) : cr_(cr) {}
  void fill_rect(double x, double y, double w, double h, Rgb colour) override {
    cairo_set_source_rgb(cr_, colour.r, colour.g, colour.b);
    cairo_rectangle(cr_, x, y, w, h);
    cairo_fill(cr_);
  }
  void stroke_rect(double x, double y, double w, double h, Rgb colour, double line_width) override {
    cairo_set_source_rgb(cr_, colour.r, colour.g, colour.b);
    cairo_set_line_width(cr_, line_width);
    cairo_rectangle(cr_, x + 0.5, y + 0.5, w - 1, h - 1);  // on pixel centres: crisp 1 px lines
    cairo_stroke(cr_);
  }
  void line(double x1, double y1, double x2, double y2, Rgb colour, double line_width) override {
    cairo_set_source_rgb(cr_, colour.r, colour.g, colour.b);
    cairo_set_line_width(cr_, line_width);
    cairo_move_to(cr_, x1, std::floor(y1) + 0.5);
    cairo_line_to(cr_, x2, std::floor(y2) + 0.5);
    cairo_stroke(cr_);
  }
  void text(double x, double y, const std::string& s, double size, Anchor anchor, Rgb colour, bool bold,
            double degrees) override {
    cairo_save(cr_);
    cairo_select_font_face(cr_, kFont, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_, size);
    cairo_font_extents_t font;
    cairo_font_extents(cr_, &font);
    cairo_text_extents_t extents;
    cairo_text_extents(cr_, s.c_str(), &extents);
    const double dx = anchor == Anchor::start ? 0 : anchor == Anchor::middle ? -extents.x_advance / 2 : -extents.x_advance;
    cairo_translate(cr_, x, y);
    cairo_rotate(cr_, degrees * std::numbers::pi / 180);
    cairo_move_to(cr_, dx, (font.ascent - font.descent) / 2);
    cairo_set_source_rgb(cr_, colour.r, colour.g, colour.b);
    cairo_show_text(cr_, s.c_str());
    cairo_restore(cr_);
  }

 private:
  cairo_t* cr_;
};

std::string svg_colour(Rgb c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(std::lround(c.r * 255)),
                static_cast<int>(std::lround(c.g * 255)), static_cast<int>(std::lround(c.b * 255)));
  return buf;
}

std::string svg_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += ch;
    }
  }
  return out;
}

class SvgCanvas final : public Canvas {
 public:
  SvgCanvas(int width, int height) {
    const std::string w = std::to_string(width), h = std::to_string(height);
    out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w +
           "\" height=\"" + h + "\" viewBox=\"0 0 " + w + " " + h +
           "\" font-family=\"DejaVu Sans, Verdana, sans-serif\">\n";
  }
  std::string finish() { return out_ + "</svg>\n"; }

  void fill_rect(double x, double y, double w, double h, Rgb colour) override {
    out_ += "<rect x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\" width=\"" + svg_number(w) + "\" height=\"" +
            svg_number(h) + "\" fill=\"" + svg_colour(colour) + "\"/>\n";
  }
  void stroke_rect(double x, double y, double w, double h, Rgb colour, double line_width) override {
    out_ += "<rect x=\"" + svg_number(x + 0.5) + "\" y=\"" + svg_number(y + 0.5) + "\" width=\"" + svg_number(w - 1) +
            "\" height=\"" + svg_number(h - 1) + "\" fill=\"none\" stroke=\"" + svg_colour(colour) +
            "\" stroke-width=\"" + svg_number(line_width) + "\"/>\n";
  }
  void line(double x1, double y1, double x2, double y2, Rgb colour, double line_width) override {
    out_ += "<line x1=\"" + svg_number(x1) + "\" y1=\"" + svg_number(y1) + "\" x2=\"" + svg_number(x2) + "\" y2=\"" +
            svg_number(y2) + "\" stroke=\"" + svg_colour(colour) + "\" stroke-width=\"" + svg_number(line_width) +
            "\"/>\n";
  }
  void text(double x, double y, const std::string& s, double size, Anchor anchor, Rgb colour, bool bold,
            double degrees) override {
    static constexpr const char* kAnchors[] = {"start", "middle", "end"};
    out_ += "<text x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\" font-size=\"" + svg_number(size) +
            "\" text-anchor=\"" + kAnchors[static_cast<int>(anchor)] + "\" dominant-baseline=\"central\" fill=\"" +
            svg_colour(colour) + "\"";
    if (bold) out_ += " font-weight=\"bold\"";
    if (degrees != 0) out_ += " transform=\"rotate(" + svg_number(degrees) + " " + svg_number(x) + " " + svg_number(y) + ")\"";
    out_ += ">" + xml_escape(s) + "</text>\n";
  }

 private:
  std::string out_;
};

cairo_status_t append_png_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

HeatmapGeometry attention_heatmap_geometry(const std::vector<std::string>& source_words,
                                           const std::vector<std::string>& target_words,
                                           const kiln::Array& weights, const HeatmapOptions& options) {
  return make_layout(source_words, target_words, weights, options).geometry;
}

void write_attention_heatmap(const std::string& png_path, const std::vector<std::string>& source_words,
                             const std::vector<std::string>& target_words, const kiln::Array& weights,
                             const HeatmapOptions& options) {
  const Layout layout = make_layout(source_words, target_words, weights, options);
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, layout.geometry.width, layout.geometry.height),
      cairo_surface_destroy);
  {
    std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), cairo_destroy);
    CairoCanvas canvas(cr.get());
    draw(canvas, layout, source_words, target_words, weights, options);
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
      throw kiln::Error("write_attention_heatmap: drawing failed: " + std::string(cairo_status_to_string(cairo_status(cr.get()))));
    }
  }
  std::string png;
  const cairo_status_t status = cairo_surface_write_to_png_stream(surface.get(), append_png_bytes, &png);
  if (status != CAIRO_STATUS_SUCCESS) {
    throw kiln::Error("write_attention_heatmap: cannot encode " + png_path + ": " + cairo_status_to_string(status));
  }
  kiln::io::write_file_atomically(png_path, png);
}

void write_attention_heatmap_svg(const std::string& svg_path, const std::vector<std::string>& source_words,
                                 const std::vector<std::string>& target_words, const kiln::Array& weights,
                                 const HeatmapOptions& options) {
  const Layout layout = make_layout(source_words, target_words, weights, options);
  SvgCanvas canvas(layout.geometry.width, layout.geometry.height);
  draw(canvas, layout, source_words, target_words, weights, options);
  kiln::io::write_file_atomically(svg_path, canvas.finish());
}

}  // namespace nmt
