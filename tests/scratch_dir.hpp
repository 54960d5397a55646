#pragma once
// A directory of its own under the system's temporary directory for one
// test, removed with everything in it when the test ends.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace kiln::testing {

struct ScratchDir {
  std::filesystem::path path;
  explicit ScratchDir(const std::string& purpose) {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("kiln_" + purpose + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace kiln::testing
