#pragma once
// The options keras_hub's TransformerEncoder and TransformerDecoder share:
// one field list and one validation for both blocks' Options structs (kept
// as two plain aggregates so users can write designated initializers).

#include <string>
#include <tuple>

#include "graph/error.hpp"
#include "io/options_config.hpp"
#include "layers/activation.hpp"

namespace kiln {

// The config fields of either block, by keras_hub's keys.
template <class O>
constexpr auto transformer_block_fields() {
  return std::tuple{config::field("intermediate_dim", &O::intermediate_dim),
                    config::field("num_heads", &O::num_heads),
                    config::field("dropout", &O::dropout),
                    config::field("activation", &O::activation),
                    config::field("layer_norm_epsilon", &O::layer_norm_epsilon),
                    config::field("kernel_initializer", &O::kernel_initializer),
                    config::field("bias_initializer", &O::bias_initializer),
                    config::field("normalize_first", &O::normalize_first)};
}

// Throws for sizes and rates keras_hub would reject; `layer` names the block.
template <class O>
void check_transformer_block_options(const O& options, const std::string& layer) {
  if (options.intermediate_dim == 0 || options.num_heads == 0) {
    throw Error(layer + ": intermediate_dim and num_heads must be positive");
  }
  if (!(options.dropout >= 0.0f && options.dropout < 1.0f)) throw Error(layer + ": dropout must be in [0, 1)");
  check_activation_name(options.activation);
}

}  // namespace kiln
