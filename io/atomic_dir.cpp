#include "io/atomic_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "graph/error.hpp"
#include "io/atomic_file.hpp"

namespace kiln::io {

namespace fs = std::filesystem;

namespace {

// "M/" and "M" name the same directory; the swap needs its last component.
fs::path normalised(fs::path target) {
  target = target.lexically_normal();
  if (!target.has_filename()) target = target.parent_path();
  const std::string name = target.filename().string();
  if (name.empty() || name == "." || name == "..") {
    throw Error("cannot write the directory '" + target.string() + "': give it by name (not '.' or '..')");
  }
  return target;
}

fs::path parent_of(const fs::path& target) {
  return target.has_parent_path() ? target.parent_path() : fs::path(".");
}

fs::path sibling(const fs::path& target, const std::string& kind) {
  return parent_of(target) / ("." + target.filename().string() + "." + kind);
}

void sync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw Error("cannot sync " + path.string() + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  // Some file systems refuse fsync on a directory; the data files matter most.
  if (rc != 0 && !(flags & O_DIRECTORY && (error == EINVAL || error == ENOTSUP))) {
    throw Error("cannot sync " + path.string() + ": " + std::strerror(error));
  }
}

// The pid a lock file records, for the message; "another process" if unreadable.
std::string lock_holder(int fd) {
  char text[32] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  if (n <= 0) return "another process";
  std::string pid(text, std::size_t(n));
  pid.erase(std::remove(pid.begin(), pid.end(), '\n'), pid.end());
  return "process " + pid;
}

// Whether `fd` is still the file at `path`: a writer that finishes removes
// its lock file, so a lock taken on a file that was removed meanwhile
// protects nothing and must be taken again on the new file.
bool still_at(int fd, const fs::path& path) {
  struct stat held {}, named {};
  return ::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
         held.st_ino == named.st_ino;
}

int take_lock(const fs::path& target) {
  const fs::path lock = sibling(target, "lock");
  for (;;) {
    const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
      throw Error("cannot write " + target.string() + ": cannot create the lock file " + lock.string() + ": " +
                  std::strerror(errno));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      const std::string holder = error == EWOULDBLOCK ? lock_holder(fd) : std::string();
      ::close(fd);
      if (error == EWOULDBLOCK) {
        throw Error(target.string() + " is being written by " + holder + " (it holds " + lock.string() +
                    "); wait for it to finish or choose another directory");
      }
      throw Error("cannot lock " + lock.string() + ": " + std::strerror(error));
    }
    if (!still_at(fd, lock)) {
      ::close(fd);
      continue;
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    // The pid only serves the message of a writer that finds the lock taken.
    const bool recorded = ::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) == ssize_t(pid.size());
    (void)recorded;
    return fd;
  }
}

// Staging and old versions of `target` left by writers that were killed.
// Called with the lock held, so no live writer owns any of them.
void remove_leftovers(const fs::path& target) {
  const std::string staging = "." + target.filename().string() + ".staging.";
  const std::string old = "." + target.filename().string() + ".old.";
  std::error_code ec;
  for (fs::directory_iterator it(parent_of(target), ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with(staging) || name.starts_with(old)) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
}

int rename_exchange(const fs::path& a, const fs::path& b) {
  return ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE);
}

}  // namespace

DirectoryWrite::DirectoryWrite(fs::path target, std::vector<std::string> owned)
    : target_(normalised(std::move(target))), owned_(std::move(owned)) {
  std::error_code ec;
  fs::create_directories(parent_of(target_), ec);
  if (ec) throw Error("cannot write " + target_.string() + ": cannot create its parent directory: " + ec.message());
  lock_fd_ = take_lock(target_);
  staging_ = sibling(target_, "staging." + std::to_string(::getpid()));
  try {
    check_target();
    remove_leftovers(target_);
    stage();
  } catch (...) {
    if (staged_) fs::remove_all(staging_, ec);
    ::unlink(sibling(target_, "lock").c_str());
    ::close(lock_fd_);
    throw;
  }
}

// An empty staging directory, with a probe file written and removed in it,
// so that a place where files cannot be written fails here.
void DirectoryWrite::stage() {
  std::error_code ec;
  fs::remove_all(staging_, ec);  // an old version a previous commit could not remove; ours, we hold the lock
  if (::mkdir(staging_.c_str(), 0777) != 0) {
    throw Error("cannot write " + target_.string() + ": cannot create " + staging_.string() + ": " +
                std::strerror(errno));
  }
  staged_ = true;
  write_file_atomically(staging_ / ".probe", std::string("probe\n"));
  fs::remove(staging_ / ".probe");
}

const fs::path& DirectoryWrite::staging() {
  if (!staged_) stage();
  return staging_;
}

DirectoryWrite::~DirectoryWrite() {
  if (staged_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
  // Removed while still held, so that nobody can lock the old file after us
  // (take_lock retries when its file was removed under it).
  ::unlink(sibling(target_, "lock").c_str());
  ::close(lock_fd_);
}

void DirectoryWrite::check_target() const {
  std::error_code ec;
  const auto status = fs::symlink_status(target_, ec);
  if (ec || status.type() == fs::file_type::not_found) return;
  if (status.type() == fs::file_type::symlink) {
    throw Error(target_.string() + " is a symbolic link; give the directory itself, so that replacing it cannot "
                                   "break the link");
  }
  if (status.type() != fs::file_type::directory) throw Error(target_.string() + " exists and is not a directory");
  struct stat own {}, parent {};
  if (::stat(target_.c_str(), &own) == 0 && ::stat(parent_of(target_).c_str(), &parent) == 0 &&
      own.st_dev != parent.st_dev) {
    throw Error(target_.string() + " is a mount point, which cannot be replaced by a rename; give a directory "
                                   "inside it");
  }
  for (fs::directory_iterator it(target_, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (std::find(owned_.begin(), owned_.end(), name) == owned_.end()) {
      throw Error(target_.string() + " holds '" + name + "', which this program did not write; it replaces the " +
                  "whole directory, so choose another one or move '" + name + "' away");
    }
  }
  if (ec) throw Error("cannot read the directory " + target_.string() + ": " + ec.message());
}

void DirectoryWrite::check_staged_names() const {
  for (const auto& entry : fs::directory_iterator(staging_)) {
    const std::string name = entry.path().filename().string();
    if (std::find(owned_.begin(), owned_.end(), name) == owned_.end()) {
      throw Error("internal error: " + staging_.string() + " holds '" + name + "', which is not a declared part");
    }
    if (entry.is_regular_file()) sync_path(entry.path(), O_RDONLY);
  }
}

void DirectoryWrite::commit() {
  if (!staged_) throw Error("DirectoryWrite::commit: nothing staged for " + target_.string() + " since the last commit");
  check_staged_names();
  sync_path(staging_, O_RDONLY | O_DIRECTORY);
  check_target();  // the user may have put something there since the constructor looked
  if (fs::exists(fs::symlink_status(target_))) {
    if (rename_exchange(staging_, target_) != 0) {
      if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
        throw Error("cannot replace " + target_.string() + ": " + std::strerror(errno));
      }
      const fs::path old = sibling(target_, "old." + std::to_string(::getpid()));
      if (::rename(target_.c_str(), old.c_str()) != 0 || ::rename(staging_.c_str(), target_.c_str()) != 0) {
        throw Error("cannot replace " + target_.string() + ": " + std::strerror(errno));
      }
      std::error_code ec;
      fs::remove_all(old, ec);
    } else {
      std::error_code ec;
      fs::remove_all(staging_, ec);  // now the old version
    }
  } else if (::rename(staging_.c_str(), target_.c_str()) != 0) {
    throw Error("cannot create " + target_.string() + ": " + std::strerror(errno));
  }
  staged_ = false;
  sync_path(parent_of(target_), O_RDONLY | O_DIRECTORY);
}

DirectoryReader::DirectoryReader(fs::path dir) : dir_(std::move(dir)) {
  // Each retry means a writer swapped a new version in while we opened this
  // one; a handful in a row would take writers faster than any real one.
  for (int attempt = 0; attempt < 16; ++attempt) {
    if (open_version()) return;
    close_all();
  }
  throw FormatError(dir_.string() + ": replaced again and again while being read; try again");
}

DirectoryReader::~DirectoryReader() { close_all(); }

void DirectoryReader::close_all() {
  for (const auto& [name, fd] : files_) ::close(fd);
  files_.clear();
}

bool DirectoryReader::open_version() {
  const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    const int error = errno;
    if (error == ENOENT) throw FormatError(dir_.string() + ": no such directory");
    if (error == ENOTDIR) throw FormatError(dir_.string() + ": not a directory");
    throw FormatError(dir_.string() + ": cannot open: " + std::strerror(error));
  }
  bool whole = true;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec); whole && !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (files_.size() == 64) {
      ::close(dir_fd);
      throw FormatError(dir_.string() + ": holds more than 64 entries; not a directory this program wrote");
    }
    const int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0) files_.emplace_back(name, fd);
    whole = fd >= 0 || errno != ENOENT;  // a file removed under us: an old version going away
  }
  struct stat opened {}, named {};
  whole = whole && ::fstat(dir_fd, &opened) == 0 && ::stat(dir_.c_str(), &named) == 0 &&
          opened.st_ino == named.st_ino && opened.st_dev == named.st_dev;
  ::close(dir_fd);
  return whole;
}

bool DirectoryReader::has(const std::string& name) const {
  for (const auto& entry : files_) {
    if (entry.first == name) return true;
  }
  return false;
}

std::string DirectoryReader::read(const std::string& name) const {
  const std::string where = (dir_ / name).string() + ": ";
  int fd = -1;
  for (const auto& entry : files_) fd = entry.first == name ? entry.second : fd;
  if (fd < 0) throw FormatError(where + "missing");
  struct stat info {};
  if (::fstat(fd, &info) != 0) throw FormatError(where + "cannot read: " + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) throw FormatError(where + "not a regular file");
  std::string content;
  char chunk[1 << 16];
  for (off_t offset = 0;;) {
    const ssize_t n = ::pread(fd, chunk, sizeof chunk, offset);
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw FormatError(where + "cannot read: " + std::strerror(errno));
    content.append(chunk, std::size_t(n));
    offset += n;
  }
  return content;
}

}  // namespace kiln::io
