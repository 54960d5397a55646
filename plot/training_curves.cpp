#include "plot/training_curves.hpp"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>

#include "graph/error.hpp"
#include "io/atomic_file.hpp"
#include "plot/axis_ticks.hpp"

namespace kiln::plot {

namespace {

constexpr const char* kFont = "DejaVu Sans";
constexpr int kColumns = 2;
constexpr double kTitleBand = 46;  // the figure's title, above the panels
// Inside a panel: room for its title, the tick labels and the axis labels.
constexpr double kPanelTop = 34, kPanelBottom = 50, kPanelLeft = 78, kPanelRight = 18;
constexpr std::size_t kMarkersUpTo = 40;  // epochs; more and the markers crowd the line

struct Rgb {
  double r, g, b;
};
const Rgb kInk{0.15, 0.15, 0.15};
const Rgb kMuted{0.42, 0.42, 0.42};
const Rgb kGrid{0.90, 0.90, 0.90};
const Rgb kTraining{0.122, 0.467, 0.706};    // blue
const Rgb kValidation{0.890, 0.467, 0.129};  // orange: apart from blue for colour-blind readers too

using Surface = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using Context = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

bool is_validation(const std::string& name) { return name.rfind("val_", 0) == 0; }

// "learning_rate" -> "learning rate": axis labels read as words.
std::string readable(std::string name) {
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

void set_colour(cairo_t* cr, const Rgb& c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

void set_font(cairo_t* cr, double size, bool bold = false) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double text_width(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  return extents.x_advance;
}

// Draws `text` with its anchor at (x, y): align 0 left, 0.5 centred, 1 right;
// y is the baseline.
void draw_text(cairo_t* cr, const std::string& text, double x, double y, double align = 0) {
  cairo_move_to(cr, x - align * text_width(cr, text), y);
  cairo_show_text(cr, text.c_str());
}

// The panel's plot area in pixels and its data ranges.
struct Frame {
  double left, top, width, height;
  AxisTicks x, y;
  double px(double epoch) const { return left + (epoch - x.lo) / (x.hi - x.lo) * width; }
  double py(double value) const { return top + height - (value - y.lo) / (y.hi - y.lo) * height; }
};

Frame frame_for(const CurvePanel& panel, double left, double top, double width, double height) {
  double lo = INFINITY, hi = -INFINITY;
  std::size_t epochs = 0;
  for (const auto* series : {panel.training, panel.validation}) {
    if (!series) continue;
    epochs = std::max(epochs, series->size());
    for (const double v : *series) {
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  if (lo > hi) lo = 0, hi = 1;  // nothing finite: an empty frame
  Frame f{left + kPanelLeft, top + kPanelTop, width - kPanelLeft - kPanelRight, height - kPanelTop - kPanelBottom,
          integer_ticks(epochs), nice_ticks(lo, hi)};
  // Half an epoch of air at each end, so the first and last markers are whole.
  f.x.lo -= 0.5;
  f.x.hi += 0.5;
  return f;
}

void draw_axes(cairo_t* cr, const Frame& f, const CurvePanel& panel) {
  cairo_set_line_width(cr, 1);
  set_font(cr, 11);
  for (const double v : f.y.values) {  // horizontal grid lines, labels on the left
    const double y = std::round(f.py(v)) + 0.5;
    set_colour(cr, kGrid);
    cairo_move_to(cr, f.left, y);
    cairo_line_to(cr, f.left + f.width, y);
    cairo_stroke(cr);
    set_colour(cr, kMuted);
    draw_text(cr, tick_label(v, f.y), f.left - 8, y + 4, 1);
  }
  for (const double v : f.x.values) {  // epoch ticks below
    const double x = std::round(f.px(v)) + 0.5;
    set_colour(cr, kMuted);
    cairo_move_to(cr, x, f.top + f.height);
    cairo_line_to(cr, x, f.top + f.height + 5);
    cairo_stroke(cr);
    draw_text(cr, tick_label(v, f.x), x, f.top + f.height + 18, 0.5);
  }
  set_colour(cr, kMuted);
  cairo_rectangle(cr, f.left + 0.5, f.top + 0.5, f.width - 1, f.height - 1);
  cairo_stroke(cr);
  set_colour(cr, kInk);
  set_font(cr, 12);
  draw_text(cr, "Epoch", f.left + f.width / 2, f.top + f.height + 38, 0.5);
  cairo_save(cr);  // the y label reads upwards
  cairo_translate(cr, f.left - kPanelLeft + 16, f.top + f.height / 2);
  cairo_rotate(cr, -std::numbers::pi / 2);
  draw_text(cr, readable(panel.quantity), 0, 0, 0.5);
  cairo_restore(cr);
}

// The line through the finite values (broken at the others), and a dot on
// each value while there are few enough epochs to tell them apart.
void draw_series(cairo_t* cr, const Frame& f, const std::vector<double>& values, const Rgb& colour, bool dashed) {
  set_colour(cr, colour);
  cairo_set_line_width(cr, 2.2);
  const double dash[] = {7, 4};
  cairo_set_dash(cr, dash, dashed ? 2 : 0, 0);
  bool drawing = false;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      drawing = false;
      continue;
    }
    const double x = f.px(double(i + 1)), y = f.py(values[i]);
    if (drawing) cairo_line_to(cr, x, y);
    else cairo_move_to(cr, x, y);
    drawing = true;
  }
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
  if (values.size() > kMarkersUpTo && values.size() > 1) return;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) continue;
    cairo_arc(cr, f.px(double(i + 1)), f.py(values[i]), 3.4, 0, 2 * std::numbers::pi);
    cairo_fill(cr);
  }
}

// Above the frame, right-aligned on the panel title's line, where it never
// hides a curve: a line sample and the name of each series.
void draw_legend(cairo_t* cr, const Frame& f, const CurvePanel& panel, double baseline) {
  std::vector<std::pair<std::string, std::pair<Rgb, bool>>> entries;
  if (panel.training) entries.push_back({"training", {kTraining, false}});
  if (panel.validation) entries.push_back({"validation", {kValidation, true}});
  set_font(cr, 11);
  constexpr double sample = 26, gap = 6, spacing = 16;
  double x = f.left + f.width;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {  // laid out from the right
    x -= text_width(cr, it->first);
    set_colour(cr, kInk);
    draw_text(cr, it->first, x, baseline);
    x -= gap + sample;
    const double cy = baseline - 4;
    const auto& [colour, dashed] = it->second;
    set_colour(cr, colour);
    cairo_set_line_width(cr, 2.2);
    const double dash[] = {7, 4};
    cairo_set_dash(cr, dash, dashed ? 2 : 0, 0);
    cairo_move_to(cr, x, cy);
    cairo_line_to(cr, x + sample, cy);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    cairo_arc(cr, x + sample / 2, cy, 3.4, 0, 2 * std::numbers::pi);
    cairo_fill(cr);
    x -= spacing;
  }
}

std::size_t non_finite(const CurvePanel& panel) {
  std::size_t n = 0;
  for (const auto* series : {panel.training, panel.validation}) {
    if (series) n += std::size_t(std::count_if(series->begin(), series->end(), [](double v) { return !std::isfinite(v); }));
  }
  return n;
}

void draw_panel(cairo_t* cr, const CurvePanel& panel, double left, double top, const TrainingCurvesOptions& o) {
  const Frame f = frame_for(panel, left, top, o.panel_width, o.panel_height);
  draw_axes(cr, f, panel);
  if (panel.training) draw_series(cr, f, *panel.training, kTraining, false);
  if (panel.validation) draw_series(cr, f, *panel.validation, kValidation, true);
  set_colour(cr, kInk);
  set_font(cr, 14, true);
  std::string title = readable(panel.quantity);
  if (const std::size_t n = non_finite(panel)) title += " (" + std::to_string(n) + " non-finite not drawn)";
  draw_text(cr, title, f.left, top + 22);
  draw_legend(cr, f, panel, top + 22);
}

cairo_status_t append_png_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::vector<CurvePanel> curve_panels(const History& history) {
  std::vector<CurvePanel> panels;
  auto add = [&](const std::string& quantity) {
    CurvePanel p{quantity};
    if (const auto it = history.history.find(quantity); it != history.history.end()) p.training = &it->second;
    if (const auto it = history.history.find("val_" + quantity); it != history.history.end()) p.validation = &it->second;
    panels.push_back(p);
  };
  if (history.has("loss") || history.has("val_loss")) add("loss");
  for (const auto& [name, values] : history.history) {
    const std::string quantity = is_validation(name) ? name.substr(4) : name;
    if (quantity == "loss") continue;
    if (is_validation(name) && history.has(quantity)) continue;  // drawn with its training twin
    add(quantity);
  }
  return panels;
}

CurvesSize training_curves_size(const History& history, const TrainingCurvesOptions& options) {
  const std::size_t panels = curve_panels(history).size();
  CurvesSize s;
  s.columns = int(std::min<std::size_t>(panels, kColumns));
  s.rows = int((panels + kColumns - 1) / kColumns);
  s.width = s.columns * options.panel_width;
  s.height = int(kTitleBand) + s.rows * options.panel_height;
  return s;
}

void write_training_curves(const std::filesystem::path& path, const History& history,
                           const TrainingCurvesOptions& options) {
  const std::string who = "write_training_curves(" + path.string() + ")";
  if (history.epochs() == 0) throw Error(who + ": the history is empty; nothing to draw");
  if (options.panel_width < 200 || options.panel_height < 150) {
    throw Error(who + ": panels must be at least 200 x 150 pixels, got " + std::to_string(options.panel_width) + " x " +
                std::to_string(options.panel_height));
  }
  const auto panels = curve_panels(history);
  const CurvesSize size = training_curves_size(history, options);
  Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, size.width, size.height), cairo_surface_destroy);
  {
    Context context(cairo_create(surface.get()), cairo_destroy);
    cairo_t* cr = context.get();
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    set_colour(cr, kInk);
    set_font(cr, 18, true);
    draw_text(cr, options.title, size.width / 2.0, 30, 0.5);
    for (std::size_t i = 0; i < panels.size(); ++i) {
      draw_panel(cr, panels[i], double(i % kColumns) * options.panel_width,
                 kTitleBand + double(i / kColumns) * options.panel_height, options);
    }
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
      throw Error(who + ": drawing failed: " + cairo_status_to_string(cairo_status(cr)));
    }
  }
  std::string png;
  const cairo_status_t status = cairo_surface_write_to_png_stream(surface.get(), append_png_bytes, &png);
  if (status != CAIRO_STATUS_SUCCESS) throw Error(who + ": cannot encode the PNG: " + cairo_status_to_string(status));
  io::write_file_atomically(path, png);
}

}  // namespace kiln::plot
