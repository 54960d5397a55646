#pragma once
// Whole directories, written and read as one unit.
//
// DirectoryWrite builds the new version of a directory in a hidden sibling
// ("<parent>/.<name>.staging.<pid>"), syncs every file and the staging
// directory, then swaps it into place with one renameat2(RENAME_EXCHANGE)
// and removes the old version. A crash, a full disk or a kill at any moment
// leaves the old directory or the new one, never a mix of their files. (On
// a file system without RENAME_EXCHANGE the old version is first renamed
// aside: a crash in that instant leaves the target missing, with the old
// version beside it as ".<name>.old.<pid>", still never a mix.)
//
// A writer holds an exclusive flock() on "<parent>/.<name>.lock" from its
// constructor to its destruction, so a second writer of the same directory,
// in this process or another, fails at once instead of racing. The writer
// removes the lock file when it is done (a lock taken on a file removed
// meanwhile is retaken on the new one, so two writers never hold two files).
// Staging and old versions left by killed writers are removed by the next
// writer, which alone can hold the lock.
//
// DirectoryReader pins one version: it opens every file of the directory at
// once and checks that the path still names the directory it opened (else
// a swap came in between, and it opens the new version instead). Open files
// survive the removal of the old version, so a load that overlaps a swap
// reads one version throughout and never pairs files of two.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace kiln::io {

class DirectoryWrite {
 public:
  // Locks `target`, checks that it is absent or a directory holding only
  // names in `owned` (anything else is the user's and is never replaced),
  // and creates the staging directory with a probe file in it, so that an
  // unwritable place fails now, before any work. Throws kiln::Error naming
  // the directory and the cause.
  DirectoryWrite(std::filesystem::path target, std::vector<std::string> owned);
  DirectoryWrite(const DirectoryWrite&) = delete;
  DirectoryWrite& operator=(const DirectoryWrite&) = delete;
  // Removes the staging directory (an uncommitted version); unlocks.
  ~DirectoryWrite();

  // Where to write the new version's files (names from `owned` only). After
  // a commit, a fresh staging directory for the next version.
  const std::filesystem::path& staging();
  const std::filesystem::path& target() const { return target_; }

  // Syncs the staging directory's files, swaps it into place and removes
  // the old version. Throws kiln::Error (target unchanged) on failure. The
  // writer keeps the lock, so a long job can publish version after version
  // (checkpoints) with no other writer in between.
  void commit();

 private:
  void stage();
  void check_target() const;
  void check_staged_names() const;

  std::filesystem::path target_, staging_;
  std::vector<std::string> owned_;
  int lock_fd_ = -1;
  bool staged_ = false;
};

class DirectoryReader {
 public:
  // Opens `dir` and its files; kiln::FormatError when it is missing, not a
  // directory, or holds more than 64 entries (no model directory does).
  explicit DirectoryReader(std::filesystem::path dir);
  DirectoryReader(const DirectoryReader&) = delete;
  DirectoryReader& operator=(const DirectoryReader&) = delete;
  ~DirectoryReader();

  bool has(const std::string& name) const;
  // The whole content of `name` in the pinned version; kiln::FormatError
  // "<dir>/<name>: missing" or naming the read failure.
  std::string read(const std::string& name) const;
  const std::filesystem::path& path() const { return dir_; }

 private:
  bool open_version();  // false when the directory was swapped meanwhile
  void close_all();

  std::filesystem::path dir_;
  std::vector<std::pair<std::string, int>> files_;  // name, descriptor
};

}  // namespace kiln::io
