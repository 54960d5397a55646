#pragma once
// Optimizers by Keras name, with Keras' default options, as
// model.compile(optimizer="adam") accepts them.

#include <memory>
#include <string>

#include "optimizers/optimizer.hpp"

namespace kiln {

// "adam", "adamw", "sgd" or "rmsprop" (any letter case). Throws kiln::Error
// naming the unknown name and the known ones.
std::shared_ptr<Optimizer> make_optimizer(const std::string& name);

}  // namespace kiln
