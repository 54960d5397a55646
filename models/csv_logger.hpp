#pragma once
// keras.callbacks.CSVLogger: one row per epoch, streamed to a CSV file as
// training goes (flushed after every row, so a killed run keeps its rows).
//
// The header is "epoch" (0-based, as Keras writes it) and the first epoch's
// log names, sorted; when those have no "val_" name, "val_<name>" columns
// are added for each (Keras does so for validation that starts later) and
// hold "NA" until logged. Values are written in the shortest form that
// reads back to the same double ("nan", "inf" as Python writes them).
//
// append: keep an existing file and add rows after it; its header is kept
// and its columns are used, so rows of a resumed run (BackupAndRestore)
// line up under it. Otherwise the file is replaced.
//
// A file that cannot be opened fails fit() before the first step, and a row
// that cannot be written (a full disk) fails it at that epoch, with a
// kiln::Error naming the file and the system's reason.

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "models/callbacks.hpp"

namespace kiln {

class CSVLogger : public Callback {
 public:
  struct Options {
    std::filesystem::path filename;
    char separator = ',';
    bool append = false;
  };
  explicit CSVLogger(Options options);
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(std::size_t epoch, const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  bool root_only() const override { return true; }

 private:
  void write(const std::string& text);
  [[noreturn]] void fail(const std::string& what) const;

  Options options_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_{nullptr, &std::fclose};
  std::vector<std::string> keys_;  // the columns after "epoch"; empty until the header is known
  bool write_header_ = true;
};

}  // namespace kiln
