#include "layers/layer_config.hpp"

namespace kiln::config {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// float32 as Keras 2 ("float32"), Keras 3 (a DTypePolicy object) or
// TensorFlow.js write it.
bool is_float32(const json& dtype) {
  if (dtype.is_null()) return true;
  if (dtype.is_string()) return dtype == "float32";
  if (dtype.is_object() && dtype.contains("config") && dtype.at("config").is_object()) {
    return dtype.at("config").value("name", std::string()) == "float32";
  }
  return false;
}

}  // namespace

bool is_inert_keras_key(const std::string& key, const json& value) {
  if (key == "dtype") return is_float32(value);
  if (ends_with(key, "_regularizer") || ends_with(key, "_constraint")) return value.is_null();
  // The input shape a first layer may carry (Sequential reads it itself).
  if (key == "batch_input_shape" || key == "batch_shape") return true;
  // Recurrent options at the only values kiln runs.
  if (key == "stateful" || key == "unroll" || key == "time_major") return value == false;
  // Keras 2's Embedding input_length (Keras 3 ignores it), Keras 3's sparse
  // Embedding and LoRA, Dropout's noise_shape: kiln's behaviour is their default.
  if (key == "input_length") return true;
  if (key == "sparse") return value == false;
  if (key == "lora_rank" || key == "noise_shape") return value.is_null();
  return false;
}

void fail_unknown_key(const std::string& class_name, const std::string& key, const json& value,
                      const std::vector<std::string>& known) {
  std::string options;
  for (const auto& k : known) options += (options.empty() ? "" : ", ") + k;
  if (key == "dtype") {
    throw FormatError(class_name + ": kiln computes in float32 only, the config asks for dtype " + value.dump());
  }
  if (ends_with(key, "_regularizer") || ends_with(key, "_constraint")) {
    throw FormatError(class_name + ": '" + key + "' is not supported by kiln (only null), got " + value.dump());
  }
  if (key == "stateful" || key == "unroll" || key == "time_major") {
    throw FormatError(class_name + ": '" + key + "': true is not supported by kiln");
  }
  throw FormatError(class_name + ": '" + key + "' is not an option of " + class_name + " (its options: " + options +
                    ")");
}

}  // namespace kiln::config
