#pragma once
// The built-in layer classes, for the registry to hold from its first use
// (layers/registry.cpp). Not installed: programs see them through
// registered_layer_classes() and layer_from_config().

#include <map>
#include <string>

#include "layers/registry.hpp"

namespace kiln::detail {

std::map<std::string, LayerFactory> builtin_layer_factories();

}  // namespace kiln::detail
