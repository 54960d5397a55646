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
#include <string>
#include <vector>

namespace kiln {

class Model;

// Masks (layers/layer.hpp: (batch, time), 1 keeps a step, 0 is padding)
// travel inside an exported graph as they do in kiln: an Embedding with
// mask_zero makes one, and every layer gets the masks of exactly its own
// inputs. A mask that kiln takes from outside the graph -- one given to the
// model's call (CallContext::masks) -- needs a graph input of its own, and
// a mask that kiln attaches to a model output (Tensor::mask(), what a loss
// weighs by) a graph output of its own; both are asked for here. Without
// them the graph computes what kiln computes when the call is given no
// masks, and its outputs carry none.
struct OnnxExportOptions {
  // Model inputs whose mask the graph takes as an input of its own, named
  // "<input>_mask": float32 (batch, time), the input's first two axes, as
  // the mask given to kiln's call for that input. Feeding ones is the same
  // as giving no mask. Each must name an input of rank 2 or more.
  std::vector<std::string> masked_inputs = {};
  // Adds an output "<output>_mask" (float32 0/1) for every model output
  // that carries a mask in kiln.
  bool output_masks = false;
};

// True when this libkiln was built with ONNX support.
bool onnx_supported();

// Writes `model` (a Functional or Sequential model of layers that have
// exporters, or a model holding such models) as an ONNX file, replacing
// `path` atomically. Inputs are float32, as kiln's are (ids too: an
// Embedding casts them); outputs carry the model's output_names(). Dropout
// exports as inference (identity). Throws kiln::Error naming the first layer
// that has no exporter or an option the exporter cannot express, and for a
// masked input that is not an input of the model (or too low a rank) or a
// mask name that another input or output already has. The mask inputs and
// outputs are listed in the file's metadata (keys "kiln.mask_inputs" and
// "kiln.mask_outputs": JSON objects from a value's name to its mask's), so
// import_onnx reads them back as masks.
void export_onnx(const Model& model, const std::filesystem::path& path, const OnnxExportOptions& options = {});

// Reads an ONNX file (opset 13 or newer) into a model that computes its
// graph with kiln's differentiable ops: the float initializers are the
// model's weights (trainable, named as in the file), so it can be compiled
// and fine-tuned. Inputs and outputs keep the file's names and order;
// integer inputs (ids) are given as float Arrays of whole numbers. The mask
// inputs and outputs of a kiln export (OnnxExportOptions) are not inputs
// and outputs of the model: a mask input is fed the mask the call gives
// that input (CallContext::masks or the tensor's own; ones when it has
// none), and a mask output is attached to its output (Tensor::mask()). Dropout
// nodes run as the identity. Throws FormatError for a file that is not an
// ONNX model, and kiln::Error naming the node and its operator for an
// operator (or an attribute value) kiln does not implement.
std::shared_ptr<Model> import_onnx(const std::filesystem::path& path);

}  // namespace kiln
