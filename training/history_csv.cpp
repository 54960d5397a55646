#include "training/history_csv.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

#include "graph/error.hpp"
#include "io/atomic_file.hpp"

namespace kiln {

std::string csv_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest round trip
  return std::string(buffer, result.ptr);
}

void check_csv_separator(char separator, const std::string& who) {
  if (std::string_view("0123456789.-+eE\"\r\n").find(separator) != std::string_view::npos) {
    throw Error(who + ": the separator '" + separator + "' can be part of a value; the file would not read back");
  }
}

std::string history_csv(const History& history, char separator) {
  check_csv_separator(separator, "history_csv");
  std::string text = "epoch";
  for (const auto& [name, values] : history.history) text += separator + name;
  text += '\n';
  for (std::size_t epoch = 0; epoch < history.epochs(); ++epoch) {
    text += std::to_string(epoch);
    for (const auto& [name, values] : history.history) {
      text += separator;
      text += epoch < values.size() ? csv_number(values[epoch]) : "NA";
    }
    text += '\n';
  }
  return text;
}

void write_history_csv(const std::filesystem::path& path, const History& history, char separator) {
  io::write_file_atomically(path, history_csv(history, separator));
}

}  // namespace kiln
