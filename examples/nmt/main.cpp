// nmt: the "Attention with Keras" NMT example (thushv89/attention_keras,
// examples/nmt) in C++ on kiln. This file only dispatches subcommands and
// turns failures into exit codes (see cli.hpp).

#include <unistd.h>

#include <csignal>
#include <iostream>
#include <new>

#include "examples/nmt/cli.hpp"
#include "examples/nmt/commands.hpp"
#include "examples/nmt/output.hpp"
#include "distributed/communicator.hpp"
#include "graph/error.hpp"

namespace {

// Under mpirun a rank that fails would leave the others waiting in a
// collective: the failure ends the whole job. Alone, it just returns.
int runtime_failure() {
  kiln::world()->abort_job(nmt::exit_failure);
  return nmt::exit_failure;
}

int run(const nmt::Invocation& inv, std::ostream& out) {
  switch (inv.command) {
    case nmt::Command::help:
      out << inv.help_text;
      return nmt::exit_ok;
    case nmt::Command::train:
      return nmt::run_train(inv.train, out);
    case nmt::Command::translate:
      return nmt::run_translate(inv.translate, std::cin, out, std::cerr);
    case nmt::Command::evaluate:
      return nmt::run_evaluate(inv.evaluate, out, std::cerr);
    case nmt::Command::export_onnx:
      return nmt::run_export(inv.export_onnx, out, std::cerr);
  }
  return nmt::exit_failure;
}

}  // namespace

int main(int argc, char** argv) {
  // A closed pipe on stdout must be an error the program reports (EPIPE),
  // not a silent death by SIGPIPE halfway through the output.
  std::signal(SIGPIPE, SIG_IGN);
  const std::vector<std::string> args(argv, argv + argc);
  nmt::FileOutput stdout_buffer(STDOUT_FILENO);  // remembers why a write failed
  std::ostream out(&stdout_buffer);
  try {
    const int code = run(nmt::parse_command_line(args), out);
    nmt::check_output(out, "standard output");
    return code;
  } catch (const nmt::UsageError& e) {
    std::cerr << e.what() << "\n";
    return nmt::exit_usage;
  } catch (const kiln::Error& e) {
    std::cerr << "nmt: error: " << e.what() << "\n";
  } catch (const std::bad_alloc&) {
    std::cerr << "nmt: error: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "nmt: error: " << e.what() << "\n";
  }
  return runtime_failure();
}
