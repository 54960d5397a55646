#pragma once
// Training curves: a History drawn as a PNG, one panel per logged quantity
// (loss, each metric, the learning rate), training and validation values
// per epoch in each, with labelled axes, a legend and a title; drawn with
// cairo, the library the NMT example draws its heatmaps with.
//
//   History h = model->fit(x, y, {.epochs = 20, .validation_split = 0.1});
//   kiln::plot::write_training_curves("history.png", h);
//
// Panels are laid out two per row in the order Keras displays the logs:
// "loss" first, then the others by name. Non-finite values are left out
// (the line breaks there) and counted in the panel's title.
//
// Part of the kiln-plot library (plot/), not of libkiln: only programs
// that draw link cairo.

#include <filesystem>
#include <string>
#include <vector>

#include "training/history.hpp"

namespace kiln::plot {

struct TrainingCurvesOptions {
  std::string title = "Training history";
  int panel_width = 520;   // pixels, per panel
  int panel_height = 340;
};

// One panel: a quantity and its training and validation series (either may
// be null: "val_x" without "x" has only a validation line).
struct CurvePanel {
  std::string quantity;  // "loss", "accuracy", "learning_rate"
  const std::vector<double>* training = nullptr;
  const std::vector<double>* validation = nullptr;
};

// The panels a History gives, in drawing order.
std::vector<CurvePanel> curve_panels(const History& history);

// The picture's size in pixels for `history` (for tests and layouts).
struct CurvesSize {
  int width = 0, height = 0, columns = 0, rows = 0;
};
CurvesSize training_curves_size(const History& history, const TrainingCurvesOptions& options = {});

// Writes the PNG atomically (a temporary file renamed over `path`). Throws
// kiln::Error for an empty History, panel sizes below 200 x 150, a failure
// to draw, or a path that cannot be written (naming it and why).
void write_training_curves(const std::filesystem::path& path, const History& history,
                           const TrainingCurvesOptions& options = {});

}  // namespace kiln::plot
