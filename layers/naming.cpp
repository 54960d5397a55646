#include "layers/naming.hpp"

#include <cctype>
#include <map>
#include <mutex>

namespace kiln {

namespace {
std::mutex names_mutex;
std::map<std::string, int>& counters() {
  static std::map<std::string, int> c;
  return c;
}
}  // namespace

std::string to_snake_case(const std::string& name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool upper = std::isupper(static_cast<unsigned char>(c));
    // A new word starts at an upper-case letter that follows a lower-case
    // one, or that begins a capitalised word after an acronym ("GRUCell").
    const bool after_lower = i > 0 && std::islower(static_cast<unsigned char>(name[i - 1]));
    const bool acronym_end = i > 0 && i + 1 < name.size() && std::isupper(static_cast<unsigned char>(name[i - 1])) &&
                             std::islower(static_cast<unsigned char>(name[i + 1]));
    if (upper && (after_lower || acronym_end)) out += '_';
    out += char(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string unique_layer_name(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(names_mutex);
  const int n = counters()[prefix]++;
  return n == 0 ? prefix : prefix + "_" + std::to_string(n);
}

void reset_layer_names() {
  std::lock_guard<std::mutex> lock(names_mutex);
  counters().clear();
}

}  // namespace kiln
