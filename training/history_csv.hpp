#pragma once
// A History as CSV, in the layout keras.callbacks.CSVLogger writes: a header
// "epoch" + the logged names sorted, then one row per epoch (0-based), each
// value in the shortest form that reads back to the same double; a series
// shorter than the others leaves "NA". Written atomically (a crash leaves
// the old file or the new one).
//
//   epoch,loss,val_loss
//   0,0.6931471805599453,0.6802
//   1,0.5123,0.5311

#include <filesystem>
#include <string>

#include "training/history.hpp"

namespace kiln {

// The CSV text. Throws kiln::Error when the separator is a digit, '.', '-',
// '"' or a line break (the values would not read back).
std::string history_csv(const History& history, char separator = ',');

// Writes history_csv() to `path`; kiln::Error naming the path on failure.
void write_history_csv(const std::filesystem::path& path, const History& history, char separator = ',');

// Throws kiln::Error("<who>: ...") for a separator values could contain.
void check_csv_separator(char separator, const std::string& who);

// One value as CSV writes it: the shortest round-trip decimal form, "nan",
// "inf" or "-inf".
std::string csv_number(double value);

}  // namespace kiln
