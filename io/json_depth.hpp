#pragma once
// Parsing untrusted JSON with a nesting limit. nlohmann's parser itself is
// iterative, but copying, dumping (for an error message) or walking a parsed
// value recurses once per level: a file of a million '[' overflows the
// stack. Readers of files (tokenizer, model.json) parse through this and
// reject nesting deeper than any valid file has.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "graph/error.hpp"

namespace kiln::io {

// Json::parse(text), throwing kiln::FormatError "JSON nests deeper than
// <max_depth> levels" as soon as the parser goes deeper. Other faults stay
// nlohmann's exceptions for the caller to word: catch Json::exception, not
// only parse_error, since a number beyond double's range is out_of_range.
template <class Json>
Json parse_json_with_depth_limit(std::string_view text, int max_depth) {
  const auto check = [max_depth](int depth, typename Json::parse_event_t, Json&) {
    if (depth > max_depth) throw FormatError("JSON nests deeper than " + std::to_string(max_depth) + " levels");
    return true;
  };
  return Json::parse(text, check);
}

}  // namespace kiln::io
