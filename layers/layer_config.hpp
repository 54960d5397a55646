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
// A field type T is read and written by config::Value<T>
// (io/options_config.hpp has bool, integers, floats, strings, std::vector<T>
// and std::optional<T>; InitializerSpec and wrapped layers are here). A
// layer with an option of its own type specializes Value for it.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/error.hpp"
#include "io/options_config.hpp"
#include "layers/initializers.hpp"
#include "layers/layer.hpp"
#include "layers/registry.hpp"

namespace kiln {
namespace config {

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

}  // namespace config

// An option Keras takes as one integer or as a list of them (Softmax's
// axis, Dot's axes), written back in the form it was given: -1 stays -1,
// [1, 2] stays [1, 2].
struct IntOrList {
  std::vector<int> values;
  bool listed = false;  // given as a list
  IntOrList(int value) : values{value} {}
  IntOrList(std::initializer_list<int> list) : values(list), listed(true) {}
  IntOrList(std::vector<int> list, bool as_list) : values(std::move(list)), listed(as_list) {}
  bool operator==(const IntOrList&) const = default;
};

namespace config {

template <>
struct Value<IntOrList> {
  static json write(const IntOrList& v) {
    if (!v.listed && v.values.size() == 1) return v.values[0];
    return Value<std::vector<int>>::write(v.values);
  }
  static IntOrList read(const json& j, const std::string& where) {
    if (!j.is_array()) return IntOrList(Value<int>::read(j, where));
    return IntOrList(Value<std::vector<int>>::read(j, where), true);
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
  read_fields(config, options, class_name, known);
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
