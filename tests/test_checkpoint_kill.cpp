// A process killed while it saves weights -- with Model::save_weights or
// through ModelCheckpoint during fit() -- never destroys the file it was
// replacing. kiln-save-victim (tests/save_victim.cpp) saves in a loop,
// setting every weight to k = 1, 2, 3, ... before save k, and is SIGKILLed
// after a random delay. Each time the file must load and hold one single
// save: the last one the victim reported complete, or the one in flight.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "io/atomic_file.hpp"
#include "save_victim_model.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"

#ifndef KILN_SAVE_VICTIM
#error "tests/meson.build defines KILN_SAVE_VICTIM, the path of the kiln-save-victim executable"
#endif

extern char** environ;

using namespace kiln;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using kiln::testing::ScratchDir;

namespace {

// This process's environment; `assignment` ("NAME=value"), when given,
// replaces NAME's value or adds it.
std::vector<std::string> environment(const std::string& assignment = {}) {
  const std::string name = assignment.substr(0, assignment.find('=') + 1);
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (assignment.empty() || !std::string_view(*e).starts_with(name)) env.emplace_back(*e);
  }
  if (!assignment.empty()) env.push_back(assignment);
  return env;
}

// Pointers to the strings, null-terminated, as exec wants them.
std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Starts `args` (args[0] looked up in PATH when `search_path`) with `env`
// and its stdout on `out_pipe` (inherited when -1); returns the pid.
// posix_spawn, not fork: this process runs OpenBLAS threads.
pid_t spawn(std::vector<std::string> args, std::vector<std::string> env, int out_pipe, bool search_path = false) {
  const std::vector<char*> argv = c_strings(args), envp = c_strings(env);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (out_pipe >= 0) posix_spawn_file_actions_adddup2(&actions, out_pipe, STDOUT_FILENO);
  pid_t pid = -1;
  const int error = search_path ? ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data())
                                : ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) FAIL("cannot start " << args[0] << ": " << std::strerror(error));
  return pid;
}

// kiln-save-victim running with its stdout on a pipe we read; killed and
// reaped when it goes out of scope, whatever happened.
class Victim {
 public:
  Victim(const std::string& mode, const fs::path& path, long first_k) {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    out_ = fds[0];
    try {
      // One BLAS thread: the victim needs no more, and spinning threads would
      // slow its training steps (and everyone else on the machine).
      pid_ = spawn({KILN_SAVE_VICTIM, mode, path.string(), std::to_string(first_k)},
                   environment("OPENBLAS_NUM_THREADS=1"), fds[1]);
    } catch (...) {
      ::close(fds[0]);
      ::close(fds[1]);
      throw;
    }
    ::close(fds[1]);
  }
  Victim(const Victim&) = delete;
  Victim& operator=(const Victim&) = delete;
  ~Victim() {
    if (pid_ > 0) kill();
    ::close(out_);
  }

  // Reads its output until `text` appears at or after offset `from` (true),
  // or until the deadline or the end of the output (false).
  bool wait_for(const std::string& text, Clock::time_point deadline, std::size_t from = 0) {
    while (output_.find(text, from) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd readable{out_, POLLIN, 0};
      const int ready = ::poll(&readable, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno != EINTR) return false;
      if (ready > 0 && !read_some()) return false;
    }
    return true;
  }

  // SIGKILLs it, reaps it and reads the rest of its output; returns the wait status.
  int kill() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    while (read_some()) {
    }
    return status;
  }

  const std::string& output() const { return output_; }

 private:
  // Appends one read() of output; false at the end of it.
  bool read_some() {
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(out_, buffer, sizeof buffer)) < 0 && errno == EINTR) {
    }
    if (n <= 0) return false;
    output_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::string output_;
};

// The last "saving k" and "saved k" the victim printed.
struct Progress {
  std::optional<long> saving, saved;
  // Killed after "saving k" but before "saved k": a save was under way.
  bool in_flight() const { return saving && (!saved || *saving > *saved); }
};

Progress progress_of(const std::string& output) {
  Progress progress;
  std::istringstream lines(output);
  std::string word;
  long k = 0;
  while (lines >> word >> k) {
    if (word == "saving") progress.saving = k;
    if (word == "saved") progress.saved = k;
  }
  return progress;
}

// The one value every weight of `model` holds, or nullopt when they differ
// (the file mixed two saves).
std::optional<float> uniform_value(const Model& model) {
  std::optional<float> value;
  for (const auto& [name, weight] : model.named_weights()) {
    const float* data = weight.value().data();
    if (!value) value = data[0];
    if (!std::all_of(data, data + weight.value().size(), [&](float v) { return v == *value; })) return std::nullopt;
  }
  return value;
}

// Names in `dir` other than `target` that are not a save's temporary
// ("<target>.tmp.*"): nothing but the target should ever look like it.
std::vector<std::string> unexpected_files(const ScratchDir& dir, const std::string& target) {
  std::vector<std::string> unexpected;
  for (const auto& name : dir.listing()) {
    if (name != target && name.rfind(target + ".tmp.", 0) != 0) unexpected.push_back(name);
  }
  return unexpected;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return "[" + out + "]";
}

std::string last_lines(const std::string& output) {
  return output.size() <= 200 ? output : "..." + output.substr(output.size() - 200);
}

// Starts kiln-save-victim in `mode` over a first good file (k = 0) and kills
// it after a random 5-200 ms, again and again: at least `rounds` times and
// until one kill has caught a save in flight, but no longer than `budget`
// once 3 rounds have run (a sanitizer build is slower). Every other round
// aims at a save: after the delay it waits for the next "saving" line and
// kills 0-10 ms later, since on a busy machine a training step can take
// much longer than a save. Checks the file after every kill, and that the
// next save leaves the directory clean.
void kill_while_saving(const std::string& mode, int rounds, Clock::duration budget) {
  ScratchDir dir("kill");
  const std::string target = "weights.safetensors";
  const fs::path path = dir.path / target;
  const Functional model = testing::save_victim_model();
  testing::fill_weights(*model, 0.0f);
  model->save_weights(path);

  std::mt19937 rng(7);  // the same delays on every run
  std::uniform_int_distribution<int> delay_ms(5, 200), into_save_ms(0, 10);
  long file_k = 0, next_k = 1;
  int round = 0, in_flight_kills = 0, stray_temporaries = 0;
  const auto start = Clock::now();
  while ((round < rounds || in_flight_kills == 0) && (round < 3 || Clock::now() - start < budget)) {
    CAPTURE(round);
    Victim victim(mode, path, next_k);
    REQUIRE_MESSAGE(victim.wait_for("ready", Clock::now() + std::chrono::seconds(30)),
                    "kiln-save-victim did not start; its output: " << victim.output());
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (round % 2 == 1) {
      REQUIRE_MESSAGE(victim.wait_for("saving", Clock::now() + std::chrono::seconds(30), victim.output().size()),
                      "kiln-save-victim stopped saving; its output: " << last_lines(victim.output()));
      std::this_thread::sleep_for(std::chrono::milliseconds(into_save_ms(rng)));
    }
    const int status = victim.kill();
    INFO("kiln-save-victim printed: " << last_lines(victim.output()));
    REQUIRE_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
                    "kiln-save-victim ended by itself (wait status " << status << "); see its stderr");

    const Progress progress = progress_of(victim.output());
    const long complete = progress.saved.value_or(file_k);
    REQUIRE_NOTHROW(model->load_weights(path));
    const std::optional<float> k = uniform_value(*model);
    REQUIRE_MESSAGE(k.has_value(), "the file mixes weights from different saves");
    INFO("file holds k = " << *k << ", last complete save " << complete);
    CHECK((*k == complete || (progress.in_flight() && *k == *progress.saving)));
    CHECK_MESSAGE(unexpected_files(dir, target).empty(), "directory: " << joined(dir.listing()));
    stray_temporaries = static_cast<int>(dir.listing().size()) - 1;

    file_k = static_cast<long>(*k);
    next_k = std::max(progress.saving.value_or(0), file_k) + 1;
    in_flight_kills += progress.in_flight();
    ++round;
  }
  INFO(round << " rounds, " << in_flight_kills << " killed mid-save; temporaries in the directory after the last kill: "
             << stray_temporaries);
  CHECK(round >= 3);
  CHECK_MESSAGE(in_flight_kills > 0, "no kill landed while a save was under way: the test proved nothing");

  // The next save removes whatever temporaries the killed processes left.
  testing::fill_weights(*model, static_cast<float>(next_k));
  model->save_weights(path);
  CHECK_MESSAGE(dir.listing() == std::vector<std::string>{target}, "directory: " << joined(dir.listing()));
  testing::fill_weights(*model, -1.0f);
  model->load_weights(path);
  CHECK(uniform_value(*model) == static_cast<float>(next_k));
}

}  // namespace

TEST_CASE("a process killed at random moments during save_weights leaves the last complete save or the new one, "
          "never a broken or mixed file") {
  kill_while_saving("save_weights", 20, std::chrono::seconds(5));
}

TEST_CASE("a process killed during fit() while ModelCheckpoint saves leaves the last complete checkpoint "
          "or the new one") {
  kill_while_saving("checkpoint", 8, std::chrono::seconds(3));
}

TEST_CASE("the next atomic write of a file removes the temporaries of writers that died, and only those") {
  ScratchDir dir("kill");
  // A pid that is surely not running: a child that has exited and been reaped.
  const pid_t dead = spawn({"true"}, environment(), -1, true);
  int status = 0;
  REQUIRE(::waitpid(dead, &status, 0) == dead);
  auto temporary = [](const std::string& target, long pid, const std::string& suffix = "0123456789abcdef") {
    return target + ".tmp." + std::to_string(pid) + "." + suffix;
  };
  const std::vector<std::string> kept = {
      temporary("w.safetensors", ::getppid()),             // a live writer, maybe saving right now
      temporary("w.safetensors", ::getpid()),              // this process: another thread may be saving
      temporary("w.safetensors", dead, "notes"),           // not the temporary pattern
      temporary("w.safetensors", dead, "0123456789abcdeg"),
      temporary("other.safetensors", dead),                // another file's
  };
  for (const auto& name : kept) io::write_file_atomically(dir.path / name, std::string("keep"));
  io::write_file_atomically(dir.path / temporary("w.safetensors", dead), std::string("stale"));

  io::write_file_atomically(dir.path / "w.safetensors", std::string("new"));

  std::vector<std::string> expected = kept;
  expected.push_back("w.safetensors");
  std::sort(expected.begin(), expected.end());
  CHECK_MESSAGE(dir.listing() == expected, "directory: " << joined(dir.listing()) << ", expected " << joined(expected));
  CHECK(io::read_file(dir.path / "w.safetensors") == "new");
}
