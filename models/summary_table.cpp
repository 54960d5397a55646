#include "models/summary_table.hpp"

#include <algorithm>
#include <numeric>
#include <ostream>
#include <sstream>

namespace kiln {

std::string join_cells(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

namespace {

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// Lines broken at spaces, the first at most `first` characters, the others
// (indented by the caller) at most `rest`; a word longer than that gets a
// line of its own (column_widths() makes room for it).
std::vector<std::string> wrap(const std::string& text, std::size_t first, std::size_t rest) {
  std::vector<std::string> lines{""};
  for (const std::string& w : words(text)) {
    std::string& line = lines.back();
    const std::size_t width = lines.size() == 1 ? first : rest;
    if (line.empty()) {
      line = w;
    } else if (line.size() + 1 + w.size() <= width) {
      line += " " + w;
    } else {
      lines.push_back(w);
    }
  }
  return lines;
}

}  // namespace

SummaryTable::SummaryTable(std::vector<std::string> headers, std::vector<std::size_t> widths)
    : headers_(std::move(headers)), widths_(std::move(widths)) {}

void SummaryTable::add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

// A continuation line indents one space, so a word needs its length plus
// that space plus the gap.
std::vector<std::size_t> SummaryTable::column_widths() const {
  std::vector<std::size_t> widths = widths_;
  auto fit = [&](const std::vector<std::string>& cells) {
    for (std::size_t c = 0; c < widths.size() && c < cells.size(); ++c) {
      for (const auto& w : words(cells[c])) widths[c] = std::max(widths[c], w.size() + 2);
    }
  };
  fit(headers_);
  for (const auto& row : rows_) fit(row);
  return widths;
}

std::size_t SummaryTable::print(std::ostream& out) const {
  const std::vector<std::size_t> widths = column_widths();
  const std::size_t total = std::accumulate(widths.begin(), widths.end(), std::size_t(1));
  out << std::string(total, '_') << "\n";
  print_row(out, headers_, widths);
  out << std::string(total, '=') << "\n";
  for (const auto& row : rows_) print_row(out, row, widths);
  return total;
}

void SummaryTable::print_row(std::ostream& out, const std::vector<std::string>& cells,
                             const std::vector<std::size_t>& widths) const {
  std::vector<std::vector<std::string>> wrapped;
  std::size_t height = 1;
  for (std::size_t c = 0; c < widths.size(); ++c) {
    wrapped.push_back(wrap(c < cells.size() ? cells[c] : "", widths[c] - 1, widths[c] - 2));
    height = std::max(height, wrapped.back().size());
  }
  for (std::size_t line = 0; line < height; ++line) {
    std::string text = " ";
    for (std::size_t c = 0; c < widths.size(); ++c) {
      std::string cell = line < wrapped[c].size() ? wrapped[c][line] : "";
      if (line > 0 && !cell.empty()) cell = " " + cell;  // continuation lines indent one space
      cell.resize(widths[c], ' ');
      text += cell;
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  }
}

}  // namespace kiln
