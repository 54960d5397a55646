#pragma once
// The fixed-width table Model::summary() prints, in Keras' layout. Long
// cells wrap onto continuation lines at spaces ("time_distributed" /
// "(TimeDistributed)", "(None, 20," / "96)"), never inside a word: a column
// too narrow for its longest word is widened to hold it.

#include <iosfwd>
#include <string>
#include <vector>

namespace kiln {

// "a, b, c"
std::string join_cells(const std::vector<std::string>& parts);

class SummaryTable {
 public:
  // `widths`: each column's width (its cells are one narrower, the last
  // character a gap), widened where a word needs more.
  SummaryTable(std::vector<std::string> headers, std::vector<std::size_t> widths);
  void add_row(std::vector<std::string> cells);
  // Prints the header and the rows; returns the table's width.
  std::size_t print(std::ostream& out) const;

 private:
  std::vector<std::size_t> column_widths() const;
  void print_row(std::ostream& out, const std::vector<std::string>& cells, const std::vector<std::size_t>& widths) const;

  std::vector<std::string> headers_;
  std::vector<std::size_t> widths_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace kiln
