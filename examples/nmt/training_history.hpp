#pragma once
// history.csv and history.png in the model directory: the training's
// History as CSV (kiln::write_history_csv, CSVLogger's layout) and drawn as
// training curves (kiln::plot::write_training_curves).

#include <filesystem>

#include "training/history.hpp"

namespace nmt {

inline constexpr const char* history_csv_file = "history.csv";
inline constexpr const char* history_png_file = "history.png";

// Writes both files into `dir` (a model directory being staged). A History
// of no epochs (a resumed run that had none left) writes neither.
void write_training_history(const std::filesystem::path& dir, const kiln::History& history);

}  // namespace nmt
