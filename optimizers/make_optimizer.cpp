#include "optimizers/make_optimizer.hpp"

#include <algorithm>
#include <cctype>

#include "graph/error.hpp"
#include "optimizers/adam.hpp"
#include "optimizers/adamw.hpp"
#include "optimizers/rmsprop.hpp"
#include "optimizers/sgd.hpp"

namespace kiln {

std::shared_ptr<Optimizer> make_optimizer(const std::string& name) {
  std::string key = name;
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (key == "adam") return std::make_shared<Adam>();
  if (key == "adamw") return std::make_shared<AdamW>();
  if (key == "sgd") return std::make_shared<SGD>();
  if (key == "rmsprop") return std::make_shared<RMSprop>();
  throw Error("make_optimizer: unknown optimizer '" + name + "' (known: adam, adamw, rmsprop, sgd)");
}

}  // namespace kiln
