#pragma once
// What the three api_styles programs share: a tiny sequence task and their
// command line. Only the model definition differs between sequential.cpp,
// functional.cpp and subclassed.cpp; with the same --seed the three build
// the same initial weights and print the same losses.
//
// The task, "echo the previous token": the input is a sequence of random
// one-hot tokens, the target at step t is the token at step t - 1 (token 0
// at step 0). A recurrent layer must remember one step to solve it, so the
// model is GRU(return_sequences) -> Dense(softmax) on every step.

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <random>
#include <string>

#include "graph/shape.hpp"

namespace toy {

struct Options {
  std::size_t epochs = 30;
  std::uint64_t seed = 1;
};

// --epochs N, --seed S, --help. Prints the help (and returns nothing) for
// --help; prints the problem and exits with status 2 for a bad command line.
inline std::optional<Options> parse_command_line(int argc, char** argv, const std::string& about) {
  const std::string usage = std::string("usage: ") + argv[0] + " [--epochs N] [--seed S] [--help]\n\n" + about +
                            "\n\n  --epochs N   passes over the 64 training sequences (default 30)\n"
                            "  --seed S     seeds the weights and the shuffling (default 1)\n"
                            "  --help       prints this text\n";
  Options options;
  auto number = [&](int& i, const std::string& flag) -> std::uint64_t {
    if (i + 1 >= argc) {
      std::cerr << argv[0] << ": " << flag << " needs a value\n" << usage;
      std::exit(2);
    }
    const std::string text = argv[++i];
    char* end = nullptr;
    const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || text[0] == '-') {
      std::cerr << argv[0] << ": " << flag << " wants a whole number, got '" << text << "'\n";
      std::exit(2);
    }
    return value;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      return std::nullopt;
    } else if (arg == "--epochs") {
      options.epochs = number(i, arg);
    } else if (arg == "--seed") {
      options.seed = number(i, arg);
    } else {
      std::cerr << argv[0] << ": unknown argument '" << arg << "'\n" << usage;
      std::exit(2);
    }
  }
  if (options.epochs == 0) {
    std::cerr << argv[0] << ": --epochs must be at least 1\n";
    std::exit(2);
  }
  return options;
}

constexpr std::size_t samples = 64, time_steps = 8, vocab = 6;

struct Dataset {
  kiln::Array x;  // (samples, time_steps, vocab), one-hot tokens
  kiln::Array y;  // the same shape, the previous step's token
};

inline Dataset echo_previous_token(std::uint64_t seed) {
  Dataset d{kiln::Array(xt::zeros<float>({samples, time_steps, vocab})),
            kiln::Array(xt::zeros<float>({samples, time_steps, vocab}))};
  std::mt19937_64 rng(seed);
  for (std::size_t n = 0; n < samples; ++n) {
    std::size_t previous = 0;
    for (std::size_t t = 0; t < time_steps; ++t) {
      const std::size_t token = rng() % vocab;
      d.x(n, t, token) = 1.0f;
      d.y(n, t, previous) = 1.0f;
      previous = token;
    }
  }
  return d;
}

}  // namespace toy
