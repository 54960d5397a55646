#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <random>
#include <streambuf>
#include <string_view>

#include "graph/error.hpp"

namespace kiln::io {

namespace {

// Owns a POSIX file descriptor; closes it unless release()d.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports close()'s errno (0 on success): on NFS and some
  // other file systems a failed write only shows up here.
  int close_now() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// write() until every byte is out; returns 0 or the errno of the failure.
int write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

// An output stream buffer over a file descriptor that remembers the errno
// of the first failed write, so the caller can report ENOSPC and friends.
class FdOutputBuffer : public std::streambuf {
 public:
  explicit FdOutputBuffer(int fd) : fd_(fd) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type ch) override {
    if (flush_buffer() != 0) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }

  std::streamsize xsputn(const char* data, std::streamsize size) override {
    // Large blocks (tensor data) skip the buffer.
    if (size >= static_cast<std::streamsize>(buffer_.size())) {
      if (flush_buffer() != 0) return 0;
      error_ = write_all(fd_, data, static_cast<std::size_t>(size));
      return error_ == 0 ? size : 0;
    }
    return std::streambuf::xsputn(data, size);
  }

  int sync() override { return flush_buffer() == 0 ? 0 : -1; }

 private:
  int flush_buffer() {
    if (error_ == 0) error_ = write_all(fd_, pbase(), static_cast<std::size_t>(pptr() - pbase()));
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return error_;
  }

  int fd_;
  int error_ = 0;
  std::array<char, 1 << 16> buffer_;
};

std::filesystem::path directory_of(const std::filesystem::path& path) {
  std::filesystem::path dir = path.parent_path();
  return dir.empty() ? std::filesystem::path(".") : dir;
}

// "<dir>/<name>.tmp.<pid>.<16 hex digits>": same directory as the target, so
// rename() stays within one file system. remove_stale_temporaries() parses it.
constexpr const char* kTemporaryInfix = ".tmp.";
constexpr std::size_t kTemporaryHexDigits = 16;

std::filesystem::path temporary_path_for(const std::filesystem::path& path) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char suffix[48];
  std::snprintf(suffix, sizeof suffix, "%s%ld.%016llx", kTemporaryInfix, static_cast<long>(::getpid()),
                static_cast<unsigned long long>(rng()));
  std::filesystem::path temp = path;
  temp += suffix;
  return temp;
}

// The pid in "<pid>.<16 hex digits>", or 0 when `tail` is not exactly that.
pid_t temporary_owner(std::string_view tail) {
  const auto dot = tail.find('.');
  if (dot == std::string_view::npos || tail.size() - dot - 1 != kTemporaryHexDigits) return 0;
  for (const char c : tail.substr(dot + 1)) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return 0;
  }
  long pid = 0;
  const auto [end, error] = std::from_chars(tail.data(), tail.data() + dot, pid);
  if (error != std::errc() || end != tail.data() + dot || pid <= 0 || pid != static_cast<pid_t>(pid)) return 0;
  return static_cast<pid_t>(pid);
}

// A process killed mid-save (SIGKILL, OOM killer, a crash) cannot remove its
// temporary file. Removes this target's temporaries whose writer is no longer
// running on this machine; temporaries of live processes (a concurrent save of
// the same file) and of this process (another thread) stay. Best effort: any
// error just leaves the file. On a file system shared between machines a pid
// means nothing elsewhere, so two machines saving the same path at the same
// time could remove each other's temporary: that save then fails loudly with
// "renaming ...", and the previous file is still intact.
void remove_stale_temporaries(const std::filesystem::path& path) {
  const std::string prefix = path.filename().string() + kTemporaryInfix;
  std::error_code error;
  std::filesystem::directory_iterator entry(directory_of(path), error);
  for (; !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
    const std::string name = entry->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const pid_t owner = temporary_owner(std::string_view(name).substr(prefix.size()));
    if (owner == 0 || owner == ::getpid()) continue;
    if (::kill(owner, 0) != 0 && errno == ESRCH) ::unlink(entry->path().c_str());
  }
}

[[noreturn]] void throw_write_error(const std::filesystem::path& path, const std::string& step, int error) {
  throw Error("cannot write " + path.string() + ": " + step + ": " + std::strerror(error));
}

// An unnamed file in the target's directory (Linux O_TMPFILE): if the process
// dies while writing it, the kernel frees it and no trace is left. -1 where
// the kernel or the file system has none, or /proc (needed to name it) is
// missing; the caller then falls back to a named temporary file.
int open_unnamed(const std::filesystem::path& path) {
#ifdef O_TMPFILE
  static const bool proc_mounted = ::access("/proc/self/fd", X_OK) == 0;
  if (proc_mounted) return ::open(directory_of(path).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
#else
  (void)path;
#endif
  return -1;
}

// Gives the complete unnamed file a temporary name next to the target, ready
// for rename(): linkat() cannot replace an existing file, rename() can.
std::filesystem::path name_unnamed(const std::filesystem::path& path, int fd) {
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  for (int attempt = 0;; ++attempt) {
    std::filesystem::path temp = temporary_path_for(path);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, temp.c_str(), AT_SYMLINK_FOLLOW) == 0) return temp;
    if (errno != EEXIST || attempt == 8) {
      throw_write_error(path, "cannot name the temporary file " + temp.string(), errno);
    }
  }
}

// Creates a named temporary file exclusively (retrying on the unlikely name
// clash); sets `temp` to its name once it exists and returns its descriptor.
int create_named(const std::filesystem::path& path, std::filesystem::path& temp) {
  for (int attempt = 0;; ++attempt) {
    const std::filesystem::path candidate = temporary_path_for(path);
    const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      temp = candidate;
      return fd;
    }
    if (errno != EEXIST || attempt == 8) {
      throw_write_error(path, "cannot create temporary file " + candidate.string(), errno);
    }
  }
}

// Writes and syncs the temporary file; throws on any failure. `what` names
// it in messages.
void fill_temporary(const std::filesystem::path& path, const std::string& what, int fd,
                    const std::function<void(std::ostream&)>& write) {
  FdOutputBuffer buffer(fd);
  std::ostream stream(&buffer);
  write(stream);
  stream.flush();
  if (buffer.error() != 0) throw_write_error(path, "writing " + what, buffer.error());
  if (!stream) throw Error("cannot write " + path.string() + ": the stream failed while writing " + what);
  if (::fsync(fd) != 0) throw_write_error(path, "fsync of " + what, errno);
}

// Makes the rename itself durable. Best effort: some file systems refuse
// fsync on a directory, and by now the new content is already in place.
void sync_directory(const std::filesystem::path& path) {
  const int fd = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write) {
  remove_stale_temporaries(path);
  std::filesystem::path temp;  // empty while the file has no name
  try {
    const int unnamed = open_unnamed(path);
    FileDescriptor file(unnamed >= 0 ? unnamed : create_named(path, temp));
    const std::string what = temp.empty() ? "the temporary file in " + directory_of(path).string() : temp.string();
    fill_temporary(path, what, file.get(), write);
    if (temp.empty()) temp = name_unnamed(path, file.get());
    if (const int error = file.close_now(); error != 0) throw_write_error(path, "closing " + temp.string(), error);
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      throw_write_error(path, "renaming " + temp.string() + " over it", errno);
    }
  } catch (...) {
    if (!temp.empty()) ::unlink(temp.c_str());
    throw;
  }
  sync_directory(path);
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  });
}

void check_writable_directory(const std::filesystem::path& dir) {
  const std::filesystem::path where = dir.empty() ? std::filesystem::path(".") : dir;
  int fd = -1;
#ifdef O_TMPFILE
  fd = ::open(where.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    throw Error("cannot write in " + where.string() + ": " + std::strerror(errno));
  }
#endif
  if (fd < 0) {
    const std::filesystem::path probe = temporary_path_for(where / ".kiln-write-probe");
    fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw Error("cannot write in " + where.string() + ": " + std::strerror(errno));
    ::unlink(probe.c_str());
  }
  ::close(fd);
}

std::string read_file(const std::filesystem::path& path) {
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) throw FormatError("cannot open " + path.string() + ": " + std::strerror(errno));
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) {
    throw FormatError("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) throw FormatError("cannot open " + path.string() + ": " + std::strerror(EISDIR));
  std::string content;
  if (S_ISREG(info.st_mode)) content.reserve(static_cast<std::size_t>(info.st_size));
  char chunk[1 << 16];
  for (;;) {
    const ssize_t n = ::read(file.get(), chunk, sizeof chunk);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw FormatError("cannot read " + path.string() + ": " + std::strerror(errno));
    }
    content.append(chunk, static_cast<std::size_t>(n));
  }
  return content;
}

}  // namespace kiln::io
