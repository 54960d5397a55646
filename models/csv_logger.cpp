#include "models/csv_logger.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "graph/error.hpp"
#include "training/history_csv.hpp"

namespace kiln {

namespace {

// The names in an existing file's header line, after its "epoch" column;
// empty when the file is missing or empty.
std::vector<std::string> existing_columns(const std::filesystem::path& path, char separator) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return {};  // a device or a pipe has no header to keep
  std::ifstream in(path);
  std::string header;
  if (!in || !std::getline(in, header) || header.empty()) return {};
  std::vector<std::string> columns;
  std::size_t begin = 0;
  while (true) {
    const std::size_t end = header.find(separator, begin);
    columns.push_back(header.substr(begin, end - begin));
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  if (!columns.empty() && columns.back().ends_with('\r')) columns.back().pop_back();
  if (columns.front() == "epoch") columns.erase(columns.begin());
  return columns;
}

bool is_validation(const std::string& name) { return name.rfind("val_", 0) == 0; }

}  // namespace

CSVLogger::CSVLogger(Options options) : options_(std::move(options)) {
  if (options_.filename.empty()) throw Error("CSVLogger: filename is empty");
  check_csv_separator(options_.separator, "CSVLogger");
}

void CSVLogger::fail(const std::string& what) const {
  throw Error("CSVLogger: cannot " + what + " " + options_.filename.string() + ": " + std::strerror(errno));
}

void CSVLogger::on_train_begin(const Logs&) {
  keys_.clear();
  write_header_ = true;
  if (options_.append) {
    keys_ = existing_columns(options_.filename, options_.separator);
    write_header_ = keys_.empty();
  }
  errno = 0;
  file_.reset(std::fopen(options_.filename.c_str(), options_.append ? "a" : "w"));
  if (!file_) fail("open");
}

void CSVLogger::write(const std::string& text) {
  errno = 0;
  if (std::fwrite(text.data(), 1, text.size(), file_.get()) != text.size() || std::fflush(file_.get()) != 0) {
    fail("write to");
  }
}

void CSVLogger::on_epoch_end(std::size_t epoch, const Logs& logs) {
  if (!file_) throw Error("CSVLogger: on_epoch_end before on_train_begin");
  if (keys_.empty()) {
    for (const auto& [name, value] : logs) keys_.push_back(name);  // sorted: Logs is an ordered map
    // Keras adds the val_ twins when the first epoch logged none (they may
    // come later, with validation_freq), so every row has the same columns.
    if (!keys_.empty() && std::none_of(keys_.begin(), keys_.end(), is_validation)) {
      const std::size_t train_keys = keys_.size();
      for (std::size_t i = 0; i < train_keys; ++i) keys_.push_back("val_" + keys_[i]);
    }
  }
  std::string text;
  if (write_header_) {
    text = "epoch";
    for (const auto& key : keys_) text += options_.separator + key;
    text += '\n';
    write_header_ = false;
  }
  text += std::to_string(epoch);
  for (const auto& key : keys_) {
    const auto found = logs.find(key);
    text += options_.separator;
    text += found == logs.end() ? "NA" : csv_number(found->second);
  }
  text += '\n';
  write(text);
}

void CSVLogger::on_train_end(const Logs&) {
  if (!file_) return;
  errno = 0;
  std::FILE* file = file_.release();
  if (std::fclose(file) != 0) fail("close");
}

}  // namespace kiln
