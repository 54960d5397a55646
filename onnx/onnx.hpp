#pragma once
// ONNX export and import (https://onnx.ai): a kiln model leaves as an .onnx
// file that ONNX Runtime (or any ONNX backend) runs, and an .onnx file comes
// in as a kiln model that predicts and trains.
//
//   kiln::export_onnx(*model, "model.onnx");        // Functional or Sequential
//   std::shared_ptr<kiln::Model> m = kiln::import_onnx("model.onnx");
//
// Exports use opset 17 with the batch axis (and every axis the model left
// open, such as time) dynamic, and the model's input and output names. Each
// layer class has an exporter registered under its Keras class name
// (onnx/exporter.hpp, which is also the hook for a custom layer's own nodes);
// a layer without one is an Error naming it.
//
// This header does not depend on the ONNX or protobuf headers. kiln built
// without ONNX support (meson -Donnx=disabled, or libonnx-dev missing) still
// has these functions: they throw kiln::Error saying so.

#include <filesystem>
#include <memory>

namespace kiln {

class Model;

// True when this libkiln was built with ONNX support.
bool onnx_supported();

// Writes `model` (a Functional or Sequential model of layers that have
// exporters, or a model holding such models) as an ONNX file, replacing
// `path` atomically. Inputs are float32, as kiln's are (ids too: an
// Embedding casts them); outputs carry the model's output_names(). Dropout
// exports as inference (identity). Throws kiln::Error naming the first layer
// that has no exporter or an option the exporter cannot express.
void export_onnx(const Model& model, const std::filesystem::path& path);

// Reads an ONNX file (opset 13 or newer) into a model that computes its
// graph with kiln's differentiable ops: the float initializers are the
// model's weights (trainable, named as in the file), so it can be compiled
// and fine-tuned. Inputs and outputs keep the file's names and order;
// integer inputs (ids) are given as float Arrays of whole numbers. Dropout
// nodes run as the identity. Throws FormatError for a file that is not an
// ONNX model, and kiln::Error naming the node and its operator for an
// operator (or an attribute value) kiln does not implement.
std::shared_ptr<Model> import_onnx(const std::filesystem::path& path);

}  // namespace kiln
