#pragma once
// The fixed-width table Model::summary() prints, in Keras' layout: long
// cells wrap onto continuation lines at ", " boundaries.

#include <iosfwd>
#include <string>
#include <vector>

namespace kiln {

// "a, b, c"
std::string join_cells(const std::vector<std::string>& parts);

class SummaryTable {
 public:
  SummaryTable(std::vector<std::string> headers, std::vector<std::size_t> widths);
  std::size_t total_width() const;
  void print_header(std::ostream& out) const;
  void print_row(std::ostream& out, const std::vector<std::string>& cells) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::size_t> widths_;
};

}  // namespace kiln
