// Checked output (see output.hpp).

#include "examples/nmt/output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "graph/error.hpp"

namespace nmt {

int FileOutput::flush_buffer() {
  const char* data = pbase();
  std::size_t size = static_cast<std::size_t>(pptr() - pbase());
  while (error_ == 0 && size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error_ = errno;
    if (n > 0) {
      data += n;
      size -= static_cast<std::size_t>(n);
    }
  }
  setp(buffer_.data(), buffer_.data() + buffer_.size());
  return error_;
}

FileOutput::int_type FileOutput::overflow(int_type ch) {
  if (flush_buffer() != 0) return traits_type::eof();
  if (!traits_type::eq_int_type(ch, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(ch);
    pbump(1);
  }
  return traits_type::not_eof(ch);
}

int FileOutput::sync() { return flush_buffer() == 0 ? 0 : -1; }

void check_output(std::ostream& out, const std::string& what) {
  out.flush();
  if (out) return;
  const auto* file = dynamic_cast<const FileOutput*>(out.rdbuf());
  const int error = file ? file->error() : 0;
  throw kiln::Error("cannot write " + what + ": " + (error != 0 ? std::strerror(error) : "the write failed"));
}

}  // namespace nmt
