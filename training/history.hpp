#pragma once
// History: what Model::fit returns, as Keras' History callback records it:
// one value per epoch for each logged name ("loss", "accuracy",
// "val_loss", ...).

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "graph/error.hpp"

namespace kiln {

struct History {
  std::map<std::string, std::vector<double>> history;

  // Appends one epoch's logs: {{"loss", 0.5}, {"val_loss", 0.6}}.
  void record_epoch(const std::vector<std::pair<std::string, double>>& logs) {
    for (const auto& [name, value] : logs) history[name].push_back(value);
  }

  // Epochs recorded: the length of the longest series (0 when empty).
  std::size_t epochs() const {
    std::size_t n = 0;
    for (const auto& [name, values] : history) n = std::max(n, values.size());
    return n;
  }

  bool has(const std::string& name) const { return history.count(name) != 0; }

  // The latest value of `name`. Throws kiln::Error naming it and the names
  // recorded when there is no such series (or it is empty).
  double last(const std::string& name) const {
    const auto found = history.find(name);
    if (found == history.end() || found->second.empty()) {
      std::string names;
      for (const auto& [key, values] : history) names += (names.empty() ? "" : ", ") + key;
      throw Error("History: no value recorded for '" + name + "' (recorded: " +
                  (names.empty() ? std::string("nothing") : names) + ")");
    }
    return found->second.back();
  }
};

}  // namespace kiln
