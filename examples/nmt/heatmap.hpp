#pragma once
// Attention heatmaps for the NMT example: one cell per attention weight,
// source words along the x axis (labels slanted for readability), generated
// words down the y axis, viridis colours, a colour bar, a title, and the
// weight printed in each cell when the grid is small enough to read it.
//
//   write_attention_heatmap("attention.png", {"the", "cat", "."},
//                           {"le", "chat", "."}, weights /* (3, 3) */);

#include <string>
#include <vector>

#include "graph/shape.hpp"

namespace nmt {

struct HeatmapOptions {
  std::string title = "Attention weights";
  // Print each weight in its cell when cells are large enough (grids up to
  // about 20 x 20).
  bool print_values = true;
};

// Where things go, in pixels: the picture's size and the cell grid's
// top-left corner and cell size (cell (i, j) spans
// [grid_x + j * cell, grid_x + (j + 1) * cell) horizontally).
struct HeatmapGeometry {
  int width = 0, height = 0;
  double grid_x = 0, grid_y = 0, cell = 0;
  bool prints_values = false;
};

// Throws like write_attention_heatmap for bad inputs.
HeatmapGeometry attention_heatmap_geometry(const std::vector<std::string>& source_words,
                                           const std::vector<std::string>& target_words,
                                           const kiln::Array& weights, const HeatmapOptions& options = {});

// Writes a PNG atomically (temporary file + rename). weights is
// (target_words.size(), source_words.size()). Throws kiln::ShapeError naming
// both shapes when they differ, kiln::Error for empty word lists or
// non-finite weights, and kiln::Error when the file cannot be written.
void write_attention_heatmap(const std::string& png_path, const std::vector<std::string>& source_words,
                             const std::vector<std::string>& target_words, const kiln::Array& weights,
                             const HeatmapOptions& options = {});

// The same picture as an SVG document with the words as real text.
void write_attention_heatmap_svg(const std::string& svg_path, const std::vector<std::string>& source_words,
                                 const std::vector<std::string>& target_words, const kiln::Array& weights,
                                 const HeatmapOptions& options = {});

}  // namespace nmt
