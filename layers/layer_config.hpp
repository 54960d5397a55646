#pragma once
// A layer's Keras config, derived from one list of its options.
//
// A layer's Options struct lists its fields once, by the keys Keras'
// get_config() writes; get_config() and options_from_config() both follow
// that list, so the two directions cannot drift apart:
//
//   struct DenseOptions {
//     std::size_t units = 0;
//     std::string activation = "linear";
//     InitializerSpec kernel_initializer = "glorot_uniform";
//     std::string name = {};
//     static constexpr auto fields() {
//       return std::tuple{config::field("units", &DenseOptions::units),
//                         config::field("activation", &DenseOptions::activation),
//                         config::field("kernel_initializer", &DenseOptions::kernel_initializer)};
//     }
//   };
//   class DenseLayer : public KerasLayer<DenseLayer, DenseOptions> {
//    public:
//     static constexpr const char* keras_name = "Dense";   // Keras' class name, said once
//     ...
//   };
//
// Reading is strict, as Keras' from_config is (an unknown keyword argument
// is a TypeError there): a key that is not an option of the class is a
// FormatError naming it, except the keys Keras writes for features kiln
// leaves at their defaults ("dtype": float32, "*_regularizer" and
// "*_constraint": null, ...), which are accepted at those defaults only.
// A value of the wrong type is a FormatError naming the class, the key and
// the value. "name" is every layer's; "trainable" is applied by
// layer_from_config.
//
// A field type T is read and written by config::Value<T>; bool, integers,
// floats, strings, InitializerSpec, std::vector<T> and std::optional<T> are
// here. A layer with an option of its own type specializes Value for it.

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/error.hpp"
#include "layers/initializers.hpp"
#include "layers/layer.hpp"
#include "layers/registry.hpp"

namespace kiln {
namespace config {

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

template <>
struct Value<InitializerSpec> {
  static json write(const InitializerSpec& v) { return v.to_config(); }
  static InitializerSpec read(const json& j, const std::string& where) {
    try {
      return InitializerSpec::from_config(j);
    } catch (const FormatError& e) {
      throw FormatError(where + ": " + e.what());
    }
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

// A wrapped layer (TimeDistributed's, Bidirectional's), as Keras nests it:
// {"class_name": ..., "config": {...}}.
template <>
struct Value<std::shared_ptr<Layer>> {
  static json write(const std::shared_ptr<Layer>& v) { return serialize_layer(*v); }
  static std::shared_ptr<Layer> read(const json& j, const std::string& where) {
    try {
      return deserialize_layer(j);
    } catch (const FormatError& e) {
      throw FormatError(where + ": " + e.what());
    }
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

// Whether `key` is one Keras writes for a feature kiln does not have,
// holding that feature's default (so ignoring it changes nothing).
bool is_inert_keras_key(const std::string& key, const json& value);

// Throws FormatError: `key` is no option of `class_name` (listing `known`).
[[noreturn]] void fail_unknown_key(const std::string& class_name, const std::string& key, const json& value,
                                   const std::vector<std::string>& known);

// The Options of a `class_name` layer from its Keras config: listed options
// from their keys (defaults for missing ones), "name", and the strictness
// described above. `extra_keys` are keys the layer reads itself.
template <class Options>
Options read_options(const json& config, const std::string& class_name,
                     const std::vector<std::string>& extra_keys = {}) {
  if (!config.is_object()) throw FormatError(class_name + ": the config must be a JSON object, got " + config.dump());
  Options options;
  std::vector<std::string> known = {"name", "trainable"};
  std::apply(
      [&](const auto&... f) {
        (
            [&] {
              known.push_back(f.key);
              const auto found = config.find(f.key);
              if (found == config.end()) return;
              using T = std::decay_t<decltype(options.*(f.member))>;
              options.*(f.member) = Value<T>::read(*found, class_name + ": '" + std::string(f.key) + "'");
            }(),
            ...);
      },
      Options::fields());
  known.insert(known.end(), extra_keys.begin(), extra_keys.end());
  if (const auto name = config.find("name"); name != config.end()) {
    options.name = Value<std::string>::read(*name, class_name + ": 'name'");
  }
  if (const auto trainable = config.find("trainable"); trainable != config.end()) {
    Value<bool>::read(*trainable, class_name + ": 'trainable'");
  }
  for (const auto& [key, value] : config.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end() || is_inert_keras_key(key, value)) continue;
    fail_unknown_key(class_name, key, value, known);
  }
  return options;
}

}  // namespace config

// The base of a layer whose config is exactly its Options' field list
// (this file's header shows one). `Derived::keras_name` is Keras' class
// name; Options must have the `name` member and fields(). `Base` is Layer or
// a family's base (RecurrentLayer), whose constructor takes the class name,
// the layer name, then whatever the derived layer passes after its options.
template <class Derived, class OptionsType, class Base = Layer>
class KerasLayer : public Base {
 public:
  using Options = OptionsType;

  const Options& options() const { return options_; }

  // The inverse of get_config (layers/registry.hpp's factories call it).
  static Options options_from_config(const nlohmann::json& config) {
    return config::read_options<Options>(config, Derived::keras_name);
  }

  nlohmann::json get_config() const override {
    nlohmann::json config = Layer::get_config();
    config::write_fields(options_, config);
    return config;
  }

 protected:
  template <class... BaseArgs>
  explicit KerasLayer(Options options, BaseArgs&&... base_args)
      : Base(Derived::keras_name, options.name, std::forward<BaseArgs>(base_args)...), options_(std::move(options)) {}

  Options options_;
};

}  // namespace kiln
