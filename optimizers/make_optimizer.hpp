#pragma once
// Optimizers by Keras name, with Keras' default options, as
// model.compile(optimizer="adam") accepts them.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "optimizers/optimizer.hpp"

namespace kiln {

// "adam", "adamw", "sgd" or "rmsprop" (any letter case). Throws kiln::Error
// naming the unknown name and the known ones.
std::shared_ptr<Optimizer> make_optimizer(const std::string& name);

// {"class_name": "Adam", "config": get_config()}, as Keras serializes an
// optimizer (Optimizer::get_config's errors apply).
nlohmann::json serialize_optimizer(const Optimizer& optimizer);

// The inverse, also reading the configs Keras 3 writes: its null options
// (clipnorm: null) are off, and its keys for features kiln leaves at their
// defaults (use_ema: false, amsgrad: false, ...) are accepted at those
// defaults only. FormatError naming an unknown class, key or bad value.
std::shared_ptr<Optimizer> optimizer_from_config(const nlohmann::json& serialized);

}  // namespace kiln
