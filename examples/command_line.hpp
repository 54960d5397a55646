#pragma once
// Flag parsing the small examples share: a bad flag or value prints the
// problem and the usage to stderr and exits with status 2.

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

namespace examples {

class CommandLine {
 public:
  CommandLine(int argc, char** argv, const char* usage_text) : argc_(argc), argv_(argv), usage_(usage_text) {}

  [[noreturn]] void fail(const std::string& problem) const {
    std::cerr << argv_[0] << ": " << problem << "\nusage: " << argv_[0] << usage_;
    std::exit(2);
  }
  void print_usage() const { std::cout << "usage: " << argv_[0] << usage_; }

  // The value after flag argv[i]; advances i past it.
  std::string value(int& i) const {
    if (i + 1 >= argc_) fail(std::string(argv_[i]) + " needs a value");
    return argv_[++i];
  }

  // A whole number in [lo, hi] after flag argv[i].
  std::size_t whole(int& i, std::size_t lo, std::size_t hi) const {
    const std::string flag = argv_[i], text = value(i);
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || text[0] == '-' || v < lo || v > hi) {
      fail(flag + " wants a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" +
           text + "'");
    }
    return std::size_t(v);
  }

  // A number in [lo, hi] after flag argv[i].
  double number(int& i, double lo, double hi) const {
    const std::string flag = argv_[i], text = value(i);
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(v >= lo && v <= hi)) {
      fail(flag + " wants a number from " + shortest(lo) + " to " + shortest(hi) + ", got '" + text + "'");
    }
    return v;
  }

  // A number in [0, 1] after flag argv[i].
  double fraction(int& i) const { return number(i, 0.0, 1.0); }

 private:
  static std::string shortest(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", v);
    return text;
  }

  int argc_;
  char** argv_;
  const char* usage_;
};

}  // namespace examples
