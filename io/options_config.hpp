#pragma once
// Options structs to and from JSON, from one list of their fields.
//
// A struct lists its fields once, by their JSON keys:
//   struct SGDOptions {
//     float learning_rate = 0.01f;
//     bool nesterov = false;
//     static constexpr auto fields() {
//       return std::tuple{config::field("learning_rate", &SGDOptions::learning_rate),
//                         config::field("nesterov", &SGDOptions::nesterov)};
//     }
//   };
// and write_fields() / read_fields() follow that list, so the two
// directions cannot drift apart. A field type T is read and written by
// config::Value<T>: bool, integers, floats, strings, std::vector<T> and
// std::optional<T> are here; another type specializes Value. Layers build on
// this in layers/layer_config.hpp (Keras' layer configs), optimizers in
// optimizers/optimizer_config.cpp.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/error.hpp"

namespace kiln::config {

using json = nlohmann::json;

// Reads and writes one option's value. `where` names the class and key for
// errors ("Dense: 'units'").
template <class T, class Enable = void>
struct Value;

template <>
struct Value<bool> {
  static json write(bool v) { return v; }
  static bool read(const json& j, const std::string& where) {
    if (!j.is_boolean()) throw FormatError(where + " must be true or false, got " + j.dump());
    return j.get<bool>();
  }
};

// Integers: sizes (unsigned) must be >= 0; -1 must not wrap to a huge size.
template <class T>
struct Value<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  static json write(T v) { return v; }
  static T read(const json& j, const std::string& where) {
    const bool integral = j.is_number_integer() || (j.is_number_float() && std::floor(j.get<double>()) == j.get<double>());
    if (!integral) throw FormatError(where + " must be an integer, got " + j.dump());
    if constexpr (std::is_unsigned_v<T>) {
      if (j.is_number_float() ? j.get<double>() < 0 : (!j.is_number_unsigned() && j.get<std::int64_t>() < 0)) {
        throw FormatError(where + " must be a non-negative integer, got " + j.dump());
      }
    }
    return j.get<T>();
  }
};

template <class T>
struct Value<T, std::enable_if_t<std::is_floating_point_v<T>>> {
  static json write(T v) { return double(v); }
  static T read(const json& j, const std::string& where) {
    if (!j.is_number()) throw FormatError(where + " must be a number, got " + j.dump());
    return j.get<T>();
  }
};

template <>
struct Value<std::string> {
  static json write(const std::string& v) { return v; }
  static std::string read(const json& j, const std::string& where) {
    if (!j.is_string()) throw FormatError(where + " must be a string, got " + j.dump());
    return j.get<std::string>();
  }
};

// A list; Keras also writes a lone number where a tuple of one is meant
// (kernel_size 3 for (3,)), which reads as a list of one.
template <class T>
struct Value<std::vector<T>> {
  static json write(const std::vector<T>& v) {
    json out = json::array();
    for (const auto& e : v) out.push_back(Value<T>::write(e));
    return out;
  }
  static std::vector<T> read(const json& j, const std::string& where) {
    std::vector<T> out;
    if (!j.is_array()) {
      out.push_back(Value<T>::read(j, where));
      return out;
    }
    for (std::size_t i = 0; i < j.size(); ++i) out.push_back(Value<T>::read(j[i], where + "[" + std::to_string(i) + "]"));
    return out;
  }
};

// null <-> nullopt.
template <class T>
struct Value<std::optional<T>> {
  static json write(const std::optional<T>& v) { return v ? Value<T>::write(*v) : json(nullptr); }
  static std::optional<T> read(const json& j, const std::string& where) {
    if (j.is_null()) return std::nullopt;
    return Value<T>::read(j, where);
  }
};

// One option: its Keras key and where it lives in the Options struct.
template <class Options, class T>
struct Field {
  const char* key;
  T Options::*member;
};

template <class Options, class T>
constexpr Field<Options, T> field(const char* key, T Options::*member) {
  return {key, member};
}

// Writes every listed option of `options` into `config`.
template <class Options>
void write_fields(const Options& options, json& config) {
  std::apply(
      [&](const auto&... f) { ((config[f.key] = Value<std::decay_t<decltype(options.*(f.member))>>::write(options.*(f.member))), ...); },
      Options::fields());
}

// Reads every listed field present in `config` into `options` (missing
// ones keep their values), naming `where` in errors; appends the keys it
// knows to `known`.
template <class Options>
void read_fields(const json& config, Options& options, const std::string& where, std::vector<std::string>& known) {
  std::apply(
      [&](const auto&... f) {
        (
            [&] {
              known.push_back(f.key);
              const auto found = config.find(f.key);
              if (found == config.end()) return;
              using T = std::decay_t<decltype(options.*(f.member))>;
              options.*(f.member) = Value<T>::read(*found, where + ": '" + std::string(f.key) + "'");
            }(),
            ...);
      },
      Options::fields());
}

}  // namespace kiln::config
