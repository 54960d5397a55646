#pragma once
// Keras' standardisation of the arguments the spatial layers share
// (convolutions, pooling, padding, upsampling): a size written as one
// number or a tuple, and the data layout.

#include <string>
#include <vector>

namespace kiln {

// A tuple argument with `rank` entries, one entry standing for all (Keras'
// standardize_tuple). Throws kiln::Error naming `who` and `key` for another
// count or, unless allow_zero, a zero entry.
std::vector<std::size_t> standardize_tuple(std::vector<std::size_t> values, std::size_t rank, const std::string& who,
                                           const char* key, bool allow_zero = false);

// "(3,)" / "(3, 3)", as Python prints a tuple.
std::string tuple_text(const std::vector<std::size_t>& values);

// Throws kiln::Error naming `who` unless data_format is "channels_last".
void check_channels_last(const std::string& data_format, const std::string& who);

// "Conv1D 'name'" (or the class alone for an unnamed layer), for errors
// raised before the layer exists.
std::string layer_label(const std::string& class_name, const std::string& name);

}  // namespace kiln
