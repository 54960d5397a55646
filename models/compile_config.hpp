#pragma once
// Keras' compile_config: the arguments a model was compiled with, as
// save_model writes them into model.json so that load_model returns the
// model compiled as it was (optimizer with its options and, from
// optimizer.safetensors, its state; losses, metrics, loss weights):
//   {"optimizer": {"class_name": "Adam", "config": {...}},
//    "loss": "categorical_crossentropy" | [...] | {...},
//    "metrics": [...] | [[...], ...] | {...}, "loss_weights": null | [...] | {...},
//    "loss_options": {"from_logits": false, "reduction": "sum_over_batch_size",
//                     "label_smoothing": 0, "ignore_class": null, "delta": 1, "axis": -1}}
// Only what is data has a config: a loss given as a C++ function, a metric
// object or a learning-rate schedule function has none (Keras would need
// custom_objects), and neither has the communicator of a data-parallel run
// (compile again under mpirun).

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "models/compile_options.hpp"

namespace kiln {

class Model;

struct CompileConfig {
  std::optional<nlohmann::json> config;  // none: see why_not
  std::string why_not;                   // "the loss of output 'out' is a C++ function"
};

// The compile state of a compiled model.
CompileConfig compile_config(const Model& model);

// The CompileOptions a compile_config describes; FormatError naming the
// fault for anything else.
CompileOptions compile_options_from_config(const nlohmann::json& config);

}  // namespace kiln
