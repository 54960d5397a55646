#include "models/summary_table.hpp"

#include <algorithm>
#include <numeric>
#include <ostream>

namespace kiln {

std::string join_cells(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

namespace {

// Splits `text` into lines of at most `width` characters, breaking after
// ", " where possible and hard-wrapping only a single over-long token.
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::string rest = text;
  while (rest.size() > width) {
    std::size_t cut = rest.rfind(", ", width - 1);
    cut = (cut == std::string::npos || cut == 0) ? width : cut + 1;
    lines.push_back(rest.substr(0, cut));
    rest = rest.substr(cut);
    if (!rest.empty() && rest[0] == ' ') rest = rest.substr(1);
  }
  lines.push_back(rest);
  return lines;
}

}  // namespace

SummaryTable::SummaryTable(std::vector<std::string> headers, std::vector<std::size_t> widths)
    : headers_(std::move(headers)), widths_(std::move(widths)) {}

std::size_t SummaryTable::total_width() const { return std::accumulate(widths_.begin(), widths_.end(), std::size_t(1)); }

void SummaryTable::print_header(std::ostream& out) const {
  out << std::string(total_width(), '_') << "\n";
  print_row(out, headers_);
  out << std::string(total_width(), '=') << "\n";
}

void SummaryTable::print_row(std::ostream& out, const std::vector<std::string>& cells) const {
  std::vector<std::vector<std::string>> wrapped;
  std::size_t height = 1;
  for (std::size_t c = 0; c < widths_.size(); ++c) {
    wrapped.push_back(wrap(c < cells.size() ? cells[c] : "", widths_[c] - 1));
    height = std::max(height, wrapped.back().size());
  }
  for (std::size_t line = 0; line < height; ++line) {
    std::string text = " ";
    for (std::size_t c = 0; c < widths_.size(); ++c) {
      std::string cell = line < wrapped[c].size() ? wrapped[c][line] : "";
      if (line > 0 && !cell.empty()) cell = " " + cell;  // continuation lines indent one space
      cell.resize(widths_[c], ' ');
      text += cell;
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  }
}

}  // namespace kiln
