#pragma once
// Checked output. A full disk, /dev/full or a closed pipe makes a write to
// standard output fail quietly: the stream only sets its badbit, and the
// process would go on and exit 0 with the output lost. `nmt` writes its
// standard output through a FileOutput, which remembers the errno of the
// first failed write, and every command calls check_output after each block
// it writes (main once more at the end), so such a failure ends the program
// with "cannot write standard output: No space left on device" and exit 1.

#include <array>
#include <ostream>
#include <streambuf>
#include <string>

namespace nmt {

// A stream buffer over a file descriptor (not owned) that keeps the errno
// of the first failed write; nothing is written after a failure.
class FileOutput : public std::streambuf {
 public:
  explicit FileOutput(int fd) : fd_(fd) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type ch) override;
  int sync() override;

 private:
  int flush_buffer();
  int fd_;
  int error_ = 0;
  std::array<char, 1 << 14> buffer_;
};

// Flushes `out` and throws kiln::Error("cannot write <what>: <reason>") if
// any write to it has failed.
void check_output(std::ostream& out, const std::string& what);

}  // namespace nmt
