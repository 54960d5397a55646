#pragma once
// Whole models on disk, as keras.Model.save and keras.models.load_model do
// it: a directory holding
//   model.json           the architecture, {"format": "kiln-model", "version": 1,
//                        "class_name": "Functional" | "Sequential", "config": {...}},
//                        the config being the model's get_config() (see
//                        models/model_config.cpp for the graph layout);
//   weights.safetensors  the weights, as Model::save_weights writes them;
//   optimizer.safetensors  for a compiled model whose optimizer has taken a
//                        step: its state (Model::save_optimizer_state).
// A compiled model's model.json also holds its "compile_config"
// (models/compile_config.hpp), so load_model returns it compiled, its
// optimizer state restored, as Keras' load_model does; a model compiled
// with C++ code (a loss function, a metric object, a learning-rate
// schedule) is saved uncompiled, with a note on stderr.
// The directory is replaced as one unit (io/atomic_dir.hpp): a crash or a
// full disk leaves the old pair or the new one, and a second concurrent
// save of the same directory fails at once.
//
// Layers are rebuilt through the layer registry (layers/registry.hpp): a
// user-defined layer must be registered before load_model, as Keras wants
// custom_objects. A subclassed model's architecture is code, not data: save
// its weights with save_weights() and load them into a model built in code.

#include <filesystem>
#include <memory>

#include "models/model.hpp"

namespace kiln {

// Creates `dir` if needed and writes model.json and weights.safetensors in
// it, replacing earlier ones. Throws kiln::Error for a subclassed model, a
// model with two layers of one name, a `dir` holding other files (they are
// never replaced), a concurrent save of `dir`, or an I/O failure.
void save_model(const Model& model, const std::filesystem::path& dir);

// Rebuilds the model save_model wrote in `dir`, with its layer names, graph
// and weights. A missing or damaged model.json is a FormatError naming the
// file and the fault ("model.json: layer 3 has no class_name"); an
// unregistered layer class is the registry's Error; weight mismatches are
// load_weights' FormatErrors naming weights.safetensors.
std::shared_ptr<Model> load_model(const std::filesystem::path& dir);

}  // namespace kiln
