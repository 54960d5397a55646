#include "layers/spatial_options.hpp"

#include <algorithm>

#include "graph/error.hpp"

namespace kiln {

std::vector<std::size_t> standardize_tuple(std::vector<std::size_t> v, std::size_t rank, const std::string& who,
                                           const char* key, bool allow_zero) {
  if (v.size() == 1) v.assign(rank, v[0]);
  if (v.size() != rank) {
    throw Error(who + ": " + key + " must have 1 or " + std::to_string(rank) + " entries, got " +
                std::to_string(v.size()));
  }
  if (!allow_zero && std::find(v.begin(), v.end(), 0) != v.end()) {
    throw Error(who + ": " + key + " must not contain 0, got " + tuple_text(v));
  }
  return v;
}

std::string tuple_text(const std::vector<std::size_t>& v) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + (v.size() == 1 ? ",)" : ")");
}

void check_channels_last(const std::string& data_format, const std::string& who) {
  if (data_format == "channels_last") return;
  throw Error(who + ": kiln runs channels_last only (inputs (batch, ..., channels)), got data_format '" + data_format +
              "'; transpose channels_first data to channels_last");
}

std::string layer_label(const std::string& class_name, const std::string& name) {
  return name.empty() ? class_name : class_name + " '" + name + "'";
}

}  // namespace kiln
