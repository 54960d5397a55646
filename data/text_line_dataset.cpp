#include "data/text_line_dataset.hpp"

namespace kiln {

TextLineDataset::TextLineDataset(std::vector<std::filesystem::path> files, std::size_t lines_per_batch,
                                 LinesToBatch parse)
    : files_(std::move(files)), lines_per_batch_(lines_per_batch), parse_(std::move(parse)) {
  if (lines_per_batch_ == 0) throw Error("text_lines: lines_per_batch must be positive");
  if (!parse_) throw Error("text_lines: the parse function is empty");
  for (const auto& f : files_) {
    if (!std::ifstream(f)) throw FormatError(f.string() + ": cannot be opened for reading");
  }
  rewind();
}

void TextLineDataset::rewind() {
  file_ = 0;
  in_ = std::ifstream();
  if (!files_.empty()) in_.open(files_[0]);
}

bool TextLineDataset::next_line(std::string& line) {
  while (file_ < files_.size()) {
    if (std::getline(in_, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF files
      return true;
    }
    if (!in_.eof()) throw FormatError(files_[file_].string() + ": read error");
    if (++file_ < files_.size()) {
      in_ = std::ifstream(files_[file_]);
      if (!in_) throw FormatError(files_[file_].string() + ": cannot be opened for reading");
    }
  }
  return false;
}

std::optional<Batch> TextLineDataset::read_next() {
  std::vector<std::string> lines;
  std::string line;
  while (lines.size() < lines_per_batch_ && next_line(line)) lines.push_back(std::move(line));
  if (lines.empty()) return std::nullopt;
  return parse_(lines);
}

std::shared_ptr<TextLineDataset> text_lines(std::vector<std::filesystem::path> files, std::size_t lines_per_batch,
                                            LinesToBatch parse) {
  return std::make_shared<TextLineDataset>(std::move(files), lines_per_batch, std::move(parse));
}

}  // namespace kiln
