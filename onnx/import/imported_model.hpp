#pragma once
// The model import_onnx returns: an ONNX graph run by the interpreter
// (onnx/import/interpreter.hpp) on every call. The graph's float
// initializers are its weights, trainable and named as in the file; its
// inputs and outputs keep the file's names and order. Inputs are kiln
// Arrays (float); an int64 or bool graph input (ids, say) receives them
// converted, and must then hold whole numbers. A kiln export's mask inputs
// and outputs (metadata "kiln.mask_inputs" / "kiln.mask_outputs", see
// OnnxExportOptions) are masks here, not inputs and outputs: a mask input
// is fed its input's mask (ones when it has none) and a mask output is
// attached to its output.

#include <memory>
#include <optional>

#include "models/model.hpp"
#include "onnx/import/interpreter.hpp"

namespace kiln::onnx_import {

class ImportedModel : public Model {
 public:
  ImportedModel(std::shared_ptr<const ::onnx::ModelProto> proto, const std::string& origin);

  const std::vector<std::string>& input_names() const { return input_names_; }
  std::vector<std::string> output_names() const override;
  std::vector<std::pair<std::string, Tensor>> named_weights() const override;
  const ::onnx::ModelProto& proto() const { return *proto_; }

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  // The weights fit any input the graph accepts; the graph's own ops check shapes.
  void check_compatible(const std::vector<PartialShape>&) const override {}
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  Array mask_for(const Tensor& input, std::size_t i, const CallContext& context) const;

  std::shared_ptr<const ::onnx::ModelProto> proto_;
  std::unique_ptr<Interpreter> interpreter_;
  std::vector<std::string> input_names_;
  std::vector<ElementType> input_types_;
  std::vector<std::size_t> input_ranks_;
  std::vector<std::string> input_mask_names_;   // per input: its mask input, or ""
  std::vector<std::string> output_names_;       // the graph's outputs less the mask outputs
  std::vector<std::size_t> output_positions_;   // where each is among the graph's outputs
  std::vector<std::optional<std::size_t>> output_mask_positions_;  // and its mask
  std::vector<std::pair<std::string, Tensor>> weights_;
  std::vector<std::pair<std::string, Value>> constants_;
};

}  // namespace kiln::onnx_import
