#pragma once
// The model import_onnx returns: an ONNX graph run by the interpreter
// (onnx/import/interpreter.hpp) on every call. The graph's float
// initializers are its weights, trainable and named as in the file; its
// inputs and outputs keep the file's names and order. Inputs are kiln
// Arrays (float); an int64 or bool graph input (ids, say) receives them
// converted, and must then hold whole numbers.

#include <memory>

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
  std::shared_ptr<const ::onnx::ModelProto> proto_;
  std::unique_ptr<Interpreter> interpreter_;
  std::vector<std::string> input_names_;
  std::vector<ElementType> input_types_;
  std::vector<std::size_t> input_ranks_;
  std::vector<std::pair<std::string, Tensor>> weights_;
  std::vector<std::pair<std::string, Value>> constants_;
};

}  // namespace kiln::onnx_import
