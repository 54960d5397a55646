#pragma once
// The command line the two convolution examples share: --epochs, --seed,
// --help, and the accuracy each must reach on its held-out data.

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

namespace conv_example {

struct Options {
  std::size_t epochs = 0;
  std::uint64_t seed = 1;
};

// Prints the help (and returns nothing) for --help; prints the problem and
// exits with status 2 for a bad command line.
inline std::optional<Options> parse_command_line(int argc, char** argv, const std::string& about,
                                                 std::size_t default_epochs) {
  const std::string usage = std::string("usage: ") + argv[0] + " [--epochs N] [--seed S] [--help]\n\n" + about +
                            "\n\n  --epochs N   passes over the training set (default " +
                            std::to_string(default_epochs) +
                            ")\n"
                            "  --seed S     seeds the data, the weights and the shuffling (default 1)\n"
                            "  --help       prints this text\n";
  Options options{.epochs = default_epochs};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      return std::nullopt;
    }
    if ((arg != "--epochs" && arg != "--seed") || i + 1 >= argc) {
      std::cerr << argv[0] << ": " << (i + 1 >= argc && arg.rfind("--", 0) == 0 ? arg + " needs a value" : "unknown argument '" + arg + "'") << "\n" << usage;
      std::exit(2);
    }
    const std::string text = argv[++i];
    char* end = nullptr;
    const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || text[0] == '-' || (arg == "--epochs" && value == 0)) {
      std::cerr << argv[0] << ": " << arg << " wants a positive whole number, got '" << text << "'\n";
      std::exit(2);
    }
    (arg == "--epochs" ? options.epochs : options.seed) = value;
  }
  return options;
}

}  // namespace conv_example
