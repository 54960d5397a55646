// Whole-directory writes (io/atomic_dir.hpp): the swap, the lock between
// processes, what a killed writer leaves, and the pinned reader.

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "graph/error.hpp"
#include "io/atomic_dir.hpp"
#include "io/atomic_file.hpp"

namespace fs = std::filesystem;
using kiln::io::DirectoryReader;
using kiln::io::DirectoryWrite;

namespace {

struct Scratch {
  fs::path path = fs::temp_directory_path() / ("kiln_atomic_dir_" + std::to_string(::getpid()));
  Scratch() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Scratch() { fs::remove_all(path); }
};

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

void write_version(const fs::path& target, const std::string& text) {
  DirectoryWrite write(target, {"a", "b"});
  kiln::io::write_file_atomically(write.staging() / "a", "a " + text);
  kiln::io::write_file_atomically(write.staging() / "b", "b " + text);
  write.commit();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const kiln::Error& e) {
    return e.what();
  }
  return "(no kiln::Error)";
}

}  // namespace

TEST_CASE("DirectoryWrite replaces a directory as a whole and leaves nothing beside it") {
  Scratch s;
  const fs::path target = s.path / "model";
  write_version(target, "1");
  write_version(target, "2");
  CHECK(kiln::io::read_file(target / "a") == "a 2");
  CHECK(kiln::io::read_file(target / "b") == "b 2");
  CHECK(names_in(s.path) == std::set<std::string>{"model"});  // no staging, old version or lock file
  write_version(s.path / "model/", "3");                       // a trailing slash names the same directory
  CHECK(kiln::io::read_file(target / "a") == "a 3");
}

TEST_CASE("one DirectoryWrite publishes version after version under one lock") {
  Scratch s;
  const fs::path target = s.path / "checkpoints";
  DirectoryWrite write(target, {"a"});
  for (const char* version : {"1", "2", "3"}) {
    kiln::io::write_file_atomically(write.staging() / "a", std::string(version));
    write.commit();
    CHECK(kiln::io::read_file(target / "a") == version);
    CHECK(error_of([&] { DirectoryWrite(target, {"a"}); }).find("is being written by") != std::string::npos);
  }
  CHECK(error_of([&] { write.commit(); }).find("nothing staged") != std::string::npos);
}

TEST_CASE("DirectoryWrite refuses what it must not replace, before any work") {
  Scratch s;
  kiln::io::write_file_atomically(s.path / "file", std::string("x"));
  CHECK(error_of([&] { DirectoryWrite(s.path / "file", {"a"}); }).find("exists and is not a directory") !=
        std::string::npos);
  fs::create_directories(s.path / "user");
  kiln::io::write_file_atomically(s.path / "user" / "thesis.tex", std::string("years of work"));
  CHECK(error_of([&] { DirectoryWrite(s.path / "user", {"a"}); }).find("holds 'thesis.tex'") != std::string::npos);
  CHECK(kiln::io::read_file(s.path / "user" / "thesis.tex") == "years of work");
  fs::create_directory_symlink(s.path / "user", s.path / "link");
  CHECK(error_of([&] { DirectoryWrite(s.path / "link", {"a"}); }).find("symbolic link") != std::string::npos);
  CHECK(error_of([] { DirectoryWrite("/proc/kiln-cannot-be-here", {"a"}); }).find("cannot") != std::string::npos);
  CHECK(error_of([] { kiln::io::check_writable_directory("/proc"); }).find("cannot write in /proc") !=
        std::string::npos);
  kiln::io::check_writable_directory(s.path);
  CHECK(names_in(s.path) == std::set<std::string>{"file", "user", "link"});
}

TEST_CASE("a second writer of the same directory, in another process, fails at once naming the holder") {
  Scratch s;
  const fs::path target = s.path / "model";
  int ready[2], release[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(release) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int code = 0;
    try {
      DirectoryWrite write(target, {"a"});
      char c = 'r';
      if (::write(ready[1], &c, 1) != 1 || ::read(release[0], &c, 1) != 1) code = 2;
    } catch (...) {
      code = 3;
    }
    ::_exit(code);
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  const std::string message = error_of([&] { write_version(target, "second"); });
  CHECK(message.find(target.string() + " is being written by process " + std::to_string(child)) != std::string::npos);
  CHECK(::write(release[1], &c, 1) == 1);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WEXITSTATUS(status) == 0);
  write_version(target, "after");  // the lock went with its holder
  CHECK(kiln::io::read_file(target / "a") == "a after");
  for (int fd : {ready[0], ready[1], release[0], release[1]}) ::close(fd);
}

TEST_CASE("a writer killed halfway leaves the old version whole; the next writer cleans up after it") {
  Scratch s;
  const fs::path target = s.path / "model";
  write_version(target, "old");
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    DirectoryWrite write(target, {"a", "b"});
    kiln::io::write_file_atomically(write.staging() / "a", std::string("a new"));
    ::raise(SIGKILL);  // before "b" and before the swap
    ::_exit(1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  CHECK(kiln::io::read_file(target / "a") == "a old");
  CHECK(kiln::io::read_file(target / "b") == "b old");
  CHECK(names_in(s.path).size() > 1);  // its staging directory and lock file remain...
  write_version(target, "next");
  CHECK(names_in(s.path) == std::set<std::string>{"model"});  // ...until the next writer
  CHECK(kiln::io::read_file(target / "b") == "b next");
}

TEST_CASE("DirectoryReader reads one version even when the directory is replaced meanwhile") {
  Scratch s;
  const fs::path target = s.path / "model";
  write_version(target, "1");
  const DirectoryReader reader(target);
  CHECK(reader.read("a") == "a 1");
  write_version(target, "2");
  CHECK(reader.read("b") == "b 1");  // not "b 2": a load never pairs two versions
  CHECK(reader.has("a"));
  CHECK(!reader.has("c"));
  CHECK_THROWS_WITH_AS(reader.read("c"), doctest::Contains("/model/c: missing"), kiln::FormatError);
  CHECK_THROWS_WITH_AS(DirectoryReader(s.path / "nowhere"), doctest::Contains("no such directory"),
                       kiln::FormatError);
}
