#pragma once
// The layer registry: class name -> factory, so a saved model's JSON config
// can be turned back into layers (Keras' from_config / custom_objects).
//
// The pattern every built-in layer follows (Dense is the model to copy): its
// Options struct lists its fields once, by Keras' keys, and the layer
// derives from KerasLayer<Layer, Options> (layers/layer_config.hpp), which
// gives get_config() and options_from_config() from that one list; the
// class says Keras' class name once, as `keras_name`, and is listed in
// layers/builtin_layers.cpp, so the registry holds it from its first use,
// in a static link too. Then layer_from_config(l.class_name(),
// l.get_config())->get_config() equals l.get_config(). A layer with a
// config of its own shape writes get_config() and a static
// options_from_config() by hand. "name" and "trainable" are the base
// Layer's keys: options read "name", layer_from_config applies "trainable".
//
// User layers register by calling register_layer_class() (or with a
// LayerRegistration, below) before loading a model that uses them.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "layers/layer.hpp"

namespace kiln {

// Makes a layer from its get_config() JSON.
using LayerFactory = std::function<std::shared_ptr<Layer>(const nlohmann::json& config)>;

// Registers `factory` under `class_name`. Registering a name again replaces
// the earlier factory (so a program may override a built-in layer).
void register_layer_class(const std::string& class_name, LayerFactory factory);

bool is_layer_class_registered(const std::string& class_name);

// The registered class names, sorted.
std::vector<std::string> registered_layer_classes();

// Builds a layer of a registered class from its config, then applies the
// config's "trainable" flag. Throws kiln::Error naming an unregistered class
// (register a factory for it, as Keras wants custom_objects), and FormatError
// naming the class when the config has a value of the wrong type.
std::shared_ptr<Layer> layer_from_config(const std::string& class_name, const nlohmann::json& config);

// Reads a size option ("units", "input_dim") from a config: a missing key
// gives `fallback`; anything but a non-negative integer throws FormatError
// naming the key and the value (JSON -1 must not wrap to a huge size_t).
std::size_t config_size(const nlohmann::json& config, const char* key, std::size_t fallback);

// {"class_name": ..., "config": ...}, as Keras serialises a layer (also how
// a wrapper such as TimeDistributed stores its inner layer).
nlohmann::json serialize_layer(const Layer& layer);
// The inverse of serialize_layer; FormatError when a key is missing.
std::shared_ptr<Layer> deserialize_layer(const nlohmann::json& serialized);

// The factory of a layer class L with L::options_from_config.
template <class L>
LayerFactory layer_factory() {
  return [](const nlohmann::json& config) -> std::shared_ptr<Layer> {
    return std::make_shared<L>(L::options_from_config(config));
  };
}

// A static of this type in a program's own file registers L before main:
//   namespace { const LayerRegistration<ScaleLayer> registration("Scale"); }
// (In a library linked statically, a file nothing references is left out,
// and its statics with it: call register_layer_class() instead.)
template <class L>
struct LayerRegistration {
  explicit LayerRegistration(const std::string& class_name) { register_layer_class(class_name, layer_factory<L>()); }
};

}  // namespace kiln
