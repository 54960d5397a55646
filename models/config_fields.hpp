#pragma once
// Reading the required fields of a model's JSON config. Every fault is a
// FormatError that says where and what: "layer 3 has no class_name",
// "layer 3 ('dense'): \"inbound_nodes\" must be an array, got 7".

#include <string>

#include <nlohmann/json.hpp>

#include "graph/error.hpp"
#include "layers/partial_shape.hpp"

namespace kiln::config_fields {

using json = nlohmann::json;

// Throws unless `value` is a JSON object.
inline void expect_object(const json& value, const std::string& where) {
  if (!value.is_object()) throw FormatError(where + " must be a JSON object, got " + value.dump());
}

// object[key], which must exist.
inline const json& field(const json& object, const char* key, const std::string& where) {
  expect_object(object, where);
  const auto it = object.find(key);
  if (it == object.end()) throw FormatError(where + " has no " + key);
  return *it;
}

inline std::string string_field(const json& object, const char* key, const std::string& where) {
  const json& value = field(object, key, where);
  if (!value.is_string()) throw FormatError(where + ": \"" + key + "\" must be a string, got " + value.dump());
  return value.get<std::string>();
}

inline const json& array_field(const json& object, const char* key, const std::string& where) {
  const json& value = field(object, key, where);
  if (!value.is_array()) throw FormatError(where + ": \"" + key + "\" must be an array, got " + value.dump());
  return value;
}

inline const json& object_field(const json& object, const char* key, const std::string& where) {
  const json& value = field(object, key, where);
  if (!value.is_object()) throw FormatError(where + ": \"" + key + "\" must be an object, got " + value.dump());
  return value;
}

// Whether `value` is a non-negative integer (parsed as unsigned, or built
// in memory from a signed type).
inline bool is_count(const json& value) {
  return value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0);
}

// An index or a size: a non-negative integer.
inline std::size_t index_value(const json& value, const std::string& where) {
  if (!is_count(value)) throw FormatError(where + " must be a non-negative integer, got " + value.dump());
  return value.get<std::size_t>();
}

// [null, 20, 96] <-> (None, 20, 96).
inline json shape_to_json(const PartialShape& shape) {
  json dims = json::array();
  for (const auto d : shape) dims.push_back(d == unknown_dim ? json(nullptr) : json(d));
  return dims;
}

inline PartialShape shape_from_json(const json& dims, const std::string& where) {
  if (!dims.is_array()) throw FormatError(where + " must be an array of sizes (null for unknown), got " + dims.dump());
  PartialShape shape;
  for (const auto& d : dims) {
    if (d.is_null()) {
      shape.push_back(unknown_dim);
    } else if (is_count(d)) {
      shape.push_back(d.get<std::int64_t>());
    } else {
      throw FormatError(where + " must hold sizes or null, got " + dims.dump());
    }
  }
  return shape;
}

}  // namespace kiln::config_fields
