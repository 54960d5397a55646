#pragma once
// What Conv1D and Conv2D share (Keras' BaseConv): the options, their checks
// and normalisation, the kernel (kernel_size..., in / groups, filters) and bias
// (filters) weights in Keras' get_weights() order, output shapes that keep
// unknown steps / height / width unknown, and the call:
// activation(conv(x, kernel) + bias), on channels_last inputs.
//
// Masks: Keras 3's convolutions do not support masking, so a mask reaching
// one is dropped (Keras warns and drops it): the output carries none.

#include <string>
#include <vector>

#include "layers/layer_config.hpp"

namespace kiln {

struct ConvOptions {
  std::size_t filters = 0;
  std::vector<std::size_t> kernel_size = {};      // one entry, or one per spatial axis
  std::vector<std::size_t> strides = {1};
  std::string padding = "valid";                   // valid, same; causal for Conv1D
  std::string data_format = "channels_last";       // the only layout kiln runs
  std::vector<std::size_t> dilation_rate = {1};
  std::size_t groups = 1;                          // divides in and filters
  std::string activation = "linear";
  bool use_bias = true;
  InitializerSpec kernel_initializer = "glorot_uniform";
  InitializerSpec bias_initializer = "zeros";
  std::string name = {};
  static constexpr auto fields() {
    using O = ConvOptions;
    return std::tuple{config::field("filters", &O::filters),
                      config::field("kernel_size", &O::kernel_size),
                      config::field("strides", &O::strides),
                      config::field("padding", &O::padding),
                      config::field("data_format", &O::data_format),
                      config::field("dilation_rate", &O::dilation_rate),
                      config::field("groups", &O::groups),
                      config::field("activation", &O::activation),
                      config::field("use_bias", &O::use_bias),
                      config::field("kernel_initializer", &O::kernel_initializer),
                      config::field("bias_initializer", &O::bias_initializer)};
  }
};

// The options as Keras standardizes them for a `rank`-D convolution: tuples
// of `rank` entries (a single entry repeated), padding in lower case.
// Throws kiln::Error naming `class_name` for values Keras refuses (zero
// filters or sizes, filters not a multiple of groups, strides > 1 with
// dilation > 1, an unknown padding) and for channels_first, which kiln does
// not run.
ConvOptions standardize_conv_options(ConvOptions options, std::size_t rank, const std::string& class_name);

class BaseConvLayer : public Layer {
 public:
  BaseConvLayer(std::string class_name, std::string name, std::size_t rank);

  Tensor kernel() const { return kernel_; }  // (kernel_size..., in / groups, filters)
  Tensor bias() const { return bias_; }      // (filters), undefined without use_bias

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  // The standardized options (the derived layer's).
  virtual const ConvOptions& conv_options() const = 0;

  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  std::size_t rank_;
  Tensor kernel_, bias_;
};

}  // namespace kiln
