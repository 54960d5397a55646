#include "examples/nmt/training_history.hpp"

#include "plot/training_curves.hpp"
#include "training/history_csv.hpp"

namespace nmt {

void write_training_history(const std::filesystem::path& dir, const kiln::History& history) {
  if (history.epochs() == 0) return;
  kiln::write_history_csv(dir / history_csv_file, history);
  kiln::plot::write_training_curves(dir / history_png_file, history, {.title = "nmt train: training history"});
}

}  // namespace nmt
