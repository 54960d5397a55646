#pragma once
// Keras-style automatic layer names: the class name in snake_case, then
// "_1", "_2", ... for later layers of the same kind ("dense", "dense_1").

#include <string>

namespace kiln {

// "BahdanauAttention" -> "bahdanau_attention", "GRU" -> "gru".
std::string to_snake_case(const std::string& class_name);

// The next free name for this prefix in this process.
std::string unique_layer_name(const std::string& prefix);

// Forgets the counters (Keras' clear_session), so tests can rely on names.
void reset_layer_names();

}  // namespace kiln
