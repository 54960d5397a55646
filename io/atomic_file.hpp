#pragma once
// Whole-file reads and crash-safe whole-file writes.
//
// A write goes to a temporary file next to the target, is flushed and
// fsync'ed, then rename()d over the target. rename() within one directory is
// atomic on POSIX, so a reader (or a crash) sees either the old file or the
// complete new one, never a half-written mix.
//
// The temporary file is unnamed while it is written (Linux O_TMPFILE), so a
// process killed mid-save leaves nothing behind; it gets a name
// "<target>.tmp.<pid>.<16 hex digits>" only for the instant before rename().
// Where O_TMPFILE is missing it is named from the start. Either way the
// next write of the same target removes such files left by processes that
// are no longer running.

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace kiln::io {

// Calls `write` with a stream into a temporary file in the target's
// directory, then atomically replaces `path` with it. On failure the
// temporary file is removed and `path` is left as it was: an I/O failure
// throws kiln::Error("cannot write <path>: <step>: <strerror>"); an exception
// thrown by `write` itself propagates unchanged.
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write);

// Same, with the whole content given up front.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

// Throws kiln::Error("cannot write in <dir>: <reason>") unless a file can be
// created in `dir` now. Leaves nothing behind (an unnamed O_TMPFILE, or a
// named probe removed at once), so a command can check where it will write
// before it starts long work.
void check_writable_directory(const std::filesystem::path& dir);

// The whole content of a file. Throws kiln::FormatError
// ("cannot open <path>: <reason>") when it cannot be opened or read.
std::string read_file(const std::filesystem::path& path);

}  // namespace kiln::io
