#pragma once
// A dataset over text files read lazily, line by line (tf.data's
// TextLineDataset): each batch is `lines_per_batch` consecutive lines of the
// files, in order, made into arrays by `parse` (tokenizing, say). Only the
// current batch's lines are in memory, so a corpus larger than memory can
// be trained on. The last batch may have fewer lines; its length is unknown
// until the files have been read.

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "data/sequential_dataset.hpp"

namespace kiln {

using LinesToBatch = std::function<Batch(const std::vector<std::string>& lines)>;

class TextLineDataset : public SequentialDataset {
 public:
  // Throws kiln::FormatError naming a file that cannot be opened.
  TextLineDataset(std::vector<std::filesystem::path> files, std::size_t lines_per_batch, LinesToBatch parse);
  std::optional<std::size_t> num_batches() const override { return std::nullopt; }

 protected:
  void rewind() override;
  std::optional<Batch> read_next() override;

 private:
  bool next_line(std::string& line);

  std::vector<std::filesystem::path> files_;
  std::size_t lines_per_batch_;
  LinesToBatch parse_;
  std::size_t file_ = 0;  // the file `in_` reads
  std::ifstream in_;
};

std::shared_ptr<TextLineDataset> text_lines(std::vector<std::filesystem::path> files, std::size_t lines_per_batch,
                                            LinesToBatch parse);

}  // namespace kiln
