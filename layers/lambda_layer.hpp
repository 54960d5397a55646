#pragma once
// Lambda: a C++ function as a layer, as keras.layers.Lambda.
//
//   Lambda half({.function = [](const Tensor& x) { return x * 0.5f; }});
//
// The function takes the layer's one input (const Tensor&), all its inputs
// (const std::vector<Tensor>&), or all its inputs and the call's context
// (training flag, masks) returning a list of outputs. Any differentiable ops
// may be used; gradients flow through them.
//
// Output shapes: given as `output_shape`, a function of the input shapes
// (batch included) or a fixed shape without the batch axis; without one,
// they are inferred as Keras infers them, by running the function, here on
// zeros twice with the unknown dimensions as 2 and as 3 (dimensions that
// differ between the two runs are unknown).
//
// Saving: Keras saves a Python lambda as bytecode; kiln saves the name a
// function was registered under (register_lambda_function), and load_model
// finds it there, or fails naming it. An unnamed function runs but cannot be
// saved. Keras' `mask` and `arguments` options are not supported (bind
// arguments in the C++ function); the output has no mask, as Keras' Lambda
// without `mask`.

#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "layers/layer_config.hpp"

namespace kiln {

using LambdaCallable = std::function<std::vector<Tensor>(const std::vector<Tensor>&, const CallContext&)>;
using LambdaShapeCallable = std::function<std::vector<PartialShape>(const std::vector<PartialShape>&)>;

// A Lambda layer's function and the name it is registered under (empty:
// unnamed, not saveable).
class LambdaFunction {
 public:
  LambdaFunction() = default;
  LambdaFunction(LambdaCallable call, std::string name) : call_(std::move(call)), name_(std::move(name)) {}

  // From a callable of one of the three forms, unnamed.
  template <class F>
    requires std::is_invocable_r_v<Tensor, F, const Tensor&>
  LambdaFunction(F f)
      : call_([f = std::move(f)](const std::vector<Tensor>& in, const CallContext&) {
          if (in.size() != 1) {
            throw ShapeError("the function takes one tensor; the layer was called on " + std::to_string(in.size()));
          }
          return std::vector<Tensor>{f(in[0])};
        }) {}
  template <class F>
    requires(!std::is_invocable_r_v<Tensor, F, const Tensor&> &&
             std::is_invocable_r_v<Tensor, F, const std::vector<Tensor>&>)
  LambdaFunction(F f)
      : call_([f = std::move(f)](const std::vector<Tensor>& in, const CallContext&) { return std::vector<Tensor>{f(in)}; }) {}
  template <class F>
    requires std::is_invocable_r_v<std::vector<Tensor>, F, const std::vector<Tensor>&, const CallContext&>
  LambdaFunction(F f) : call_(std::move(f)) {}

  explicit operator bool() const { return static_cast<bool>(call_); }
  const std::string& name() const { return name_; }
  std::vector<Tensor> operator()(const std::vector<Tensor>& inputs, const CallContext& context) const {
    return call_(inputs, context);
  }

 private:
  LambdaCallable call_;
  std::string name_;
};

// A Lambda layer's output shapes: none (inferred), a fixed shape without the
// batch axis (one output), or a function of the input shapes, which may be
// registered by name (register_lambda_output_shape).
class LambdaOutputShape {
 public:
  LambdaOutputShape() = default;
  LambdaOutputShape(PartialShape fixed) : fixed_(std::move(fixed)) {}
  LambdaOutputShape(LambdaShapeCallable f, std::string name = {}) : function_(std::move(f)), name_(std::move(name)) {}
  template <class F>
    requires std::is_invocable_r_v<PartialShape, F, const PartialShape&>
  LambdaOutputShape(F f)
      : function_([f = std::move(f)](const std::vector<PartialShape>& in) { return std::vector<PartialShape>{f(in.at(0))}; }) {}

  bool given() const { return fixed_.has_value() || static_cast<bool>(function_); }
  const std::optional<PartialShape>& fixed() const { return fixed_; }
  const LambdaShapeCallable& function() const { return function_; }
  const std::string& name() const { return name_; }

 private:
  std::optional<PartialShape> fixed_;
  LambdaShapeCallable function_;
  std::string name_;
};

// Registers `function` under `name` (replacing an earlier one) and returns
// it named, ready for a Lambda layer that saves and loads:
//   const auto half = register_lambda_function("half", [](const Tensor& x) { return x * 0.5f; });
//   Lambda layer({.function = half});
LambdaFunction register_lambda_function(const std::string& name, LambdaFunction function);
// The same for an output-shape function.
LambdaOutputShape register_lambda_output_shape(const std::string& name, LambdaShapeCallable function);
// The registered function named `name`; throws kiln::Error naming it (and
// how to register it) when there is none.
LambdaFunction registered_lambda_function(const std::string& name);
LambdaOutputShape registered_lambda_output_shape(const std::string& name);

struct LambdaOptions {
  LambdaFunction function = {};
  LambdaOutputShape output_shape = {};
  std::string name = {};
};

class LambdaLayer : public Layer {
 public:
  using Options = LambdaOptions;
  static constexpr const char* keras_name = "Lambda";
  // Throws kiln::Error without a function.
  explicit LambdaLayer(Options options);

  const Options& options() const { return options_; }

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  // Keras' layout: "function" (and "output_shape" when it is a function) as
  // {"module", "class_name": "function", "config": name, "registered_name"},
  // a fixed output_shape as a list, "arguments": {}. Throws kiln::Error for
  // an unnamed function or output-shape function.
  nlohmann::json get_config() const override;
  // Finds the functions by name in the registry (kiln::Error naming a
  // missing one); FormatError for Keras' Python bytecode ("__lambda__"),
  // a mask or non-empty arguments.
  static Options options_from_config(const nlohmann::json& config);

 protected:
  void check_compatible(const std::vector<PartialShape>& shapes) const override;  // no weights: any shapes
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  Options options_;
};

using Lambda = LayerHandle<LambdaLayer>;

}  // namespace kiln
