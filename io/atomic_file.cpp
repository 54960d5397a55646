#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <streambuf>

#include "graph/error.hpp"

namespace kiln::io {

namespace {

std::string errno_text(int error) { return std::strerror(error); }

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

// "<dir>/<name>.tmp.<pid>.<random hex>": same directory as the target, so
// rename() stays within one file system.
std::filesystem::path temporary_path_for(const std::filesystem::path& path) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, ".tmp.%ld.%016llx", static_cast<long>(::getpid()),
                static_cast<unsigned long long>(rng()));
  std::filesystem::path temp = path;
  temp += suffix;
  return temp;
}

[[noreturn]] void throw_write_error(const std::filesystem::path& path, const std::string& step, int error) {
  throw Error("cannot write " + path.string() + ": " + step + ": " + errno_text(error));
}

// Creates the temporary file exclusively (retrying on the unlikely name
// clash); returns its descriptor.
int create_temporary(const std::filesystem::path& path, std::filesystem::path& temp) {
  for (int attempt = 0;; ++attempt) {
    temp = temporary_path_for(path);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    if (errno != EEXIST || attempt == 8) {
      throw_write_error(path, "cannot create temporary file " + temp.string(), errno);
    }
  }
}

// Writes and syncs the temporary file; throws on any failure.
void fill_temporary(const std::filesystem::path& path, const std::filesystem::path& temp, int fd,
                    const std::function<void(std::ostream&)>& write) {
  FileDescriptor file(fd);
  FdOutputBuffer buffer(file.get());
  std::ostream stream(&buffer);
  write(stream);
  stream.flush();
  if (buffer.error() != 0) throw_write_error(path, "writing " + temp.string(), buffer.error());
  if (!stream)
    throw Error("cannot write " + path.string() + ": the stream failed while writing " + temp.string());
  if (::fsync(file.get()) != 0) throw_write_error(path, "fsync of " + temp.string(), errno);
  if (const int error = file.close_now(); error != 0) {
    throw_write_error(path, "closing " + temp.string(), error);
  }
}

// Makes the rename itself durable. Best effort: some file systems refuse
// fsync on a directory, and by now the new content is already in place.
void sync_directory(const std::filesystem::path& path) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write) {
  std::filesystem::path temp;
  const int fd = create_temporary(path, temp);
  try {
    fill_temporary(path, temp, fd, write);
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      throw_write_error(path, "renaming " + temp.string() + " over it", errno);
    }
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  sync_directory(path);
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  });
}

std::string read_file(const std::filesystem::path& path) {
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) throw FormatError("cannot open " + path.string() + ": " + errno_text(errno));
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) {
    throw FormatError("cannot open " + path.string() + ": " + errno_text(errno));
  }
  if (S_ISDIR(info.st_mode)) throw FormatError("cannot open " + path.string() + ": " + errno_text(EISDIR));
  std::string content;
  if (S_ISREG(info.st_mode)) content.reserve(static_cast<std::size_t>(info.st_size));
  char chunk[1 << 16];
  for (;;) {
    const ssize_t n = ::read(file.get(), chunk, sizeof chunk);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw FormatError("cannot read " + path.string() + ": " + errno_text(errno));
    }
    content.append(chunk, static_cast<std::size_t>(n));
  }
  return content;
}

}  // namespace kiln::io
