#pragma once
// Layer: Keras' contract in C++. A layer creates its weights in build() from
// the first input's shape, then computes in call(). Called on Tensors it
// computes at once; called on SymbolicTensors it records a node for a
// functional Model. Users hold layers through LayerHandle (below), so copies
// share one layer and its weights, exactly as Python references do.

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "graph/error.hpp"
#include "graph/tensor.hpp"
#include "layers/initializers.hpp"
#include "layers/partial_shape.hpp"
#include "layers/symbolic_tensor.hpp"

namespace kiln {

// Arguments every layer call accepts besides its tensors.
struct CallContext {
  bool training = false;  // Dropout drops, etc.
  // The inputs' masks ((batch, time): 1 keeps a step, 0 is padding), in
  // input order, null for none: Keras' `mask=` argument. An input without an
  // entry here (the list may be shorter, or empty) uses its own mask
  // (Tensor::mask()). Inside call() it holds one entry per input, resolved so.
  std::vector<const Array*> masks = {};
  // The mask of input `input`, or null.
  const Array* mask(std::size_t input = 0) const { return input < masks.size() ? masks[input] : nullptr; }
};

// A layer's results: a list, usable directly as its only element.
template <class T>
class Outputs : public std::vector<T> {
 public:
  Outputs() = default;
  Outputs(std::vector<T> v) : std::vector<T>(std::move(v)) {}
  operator T() const {
    if (this->size() != 1) {
      throw Error("this layer returned " + std::to_string(this->size()) +
                  " outputs; index them or use unpack<N>() instead of taking a single one");
    }
    return this->front();
  }
  // auto [sequence, state] = gru(x).unpack<2>();
  template <std::size_t N>
  std::array<T, N> unpack() const {
    if (this->size() != N) {
      throw Error("unpack<" + std::to_string(N) + ">: the layer returned " + std::to_string(this->size()) +
                  " outputs");
    }
    std::array<T, N> out;
    for (std::size_t i = 0; i < N; ++i) out[i] = (*this)[i];
    return out;
  }
};

class Layer : public std::enable_shared_from_this<Layer> {
 public:
  // `name` empty: a unique snake_case name from the class name.
  Layer(std::string class_name, std::string name);
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  const std::string& name() const { return name_; }
  const std::string& class_name() const { return class_name_; }
  // "GRU 'encoder_gru'": how error messages name this layer.
  std::string describe() const;

  bool built() const { return built_; }
  bool trainable() const { return trainable_; }
  // Keras' `layer.trainable = on`: applies to the sublayers too. A frozen
  // layer's weights stop requiring grad, so backward neither computes nor
  // keeps a gradient for them (and drops any they had).
  void set_trainable(bool on);

  // Eager calls: build on first use, then compute.
  Outputs<Tensor> operator()(const std::vector<Tensor>& inputs, const CallContext& context = {});
  Outputs<Tensor> operator()(const Tensor& input, const CallContext& context = {});
  // Symbolic calls: build, infer output shapes, record the call.
  Outputs<SymbolicTensor> operator()(const std::vector<SymbolicTensor>& inputs);
  Outputs<SymbolicTensor> operator()(const SymbolicTensor& input);

  // Creates the weights for inputs of these shapes (batch included; unknown
  // dims allowed where the layer does not need them) without calling.
  void build_for(const std::vector<PartialShape>& input_shapes);
  // The shapes the layer was built for (empty before).
  const std::vector<PartialShape>& built_input_shapes() const { return built_shapes_; }

  // Weights of this layer then of its sublayers, in creation order.
  std::vector<Tensor> weights() const;
  std::vector<Tensor> trainable_weights() const;
  std::vector<Tensor> non_trainable_weights() const;
  // ("encoder_gru/kernel", tensor), sublayers nested: "bidirectional/forward_gru/kernel".
  virtual std::vector<std::pair<std::string, Tensor>> named_weights() const;
  std::vector<Array> get_weights() const;
  // Shapes and count must match get_weights(); errors name the weight.
  void set_weights(const std::vector<Array>& values);
  std::size_t count_params() const;
  const std::vector<std::shared_ptr<Layer>>& sublayers() const { return sublayers_; }
  // The random generators this layer and its sublayers draw from while
  // training (dropout masks), named as weights are: "dropout/seed_generator",
  // nested "encoder/dropout/seed_generator". Keras keeps the same state in
  // each layer's SeedGenerator; saving and restoring it (BackupAndRestore)
  // makes a resumed fit draw the masks an uninterrupted one would.
  virtual std::vector<std::pair<std::string, std::mt19937_64*>> named_generators() const;

  // Output shapes for inputs of these shapes (Keras' compute_output_shape).
  virtual std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& input_shapes) const = 0;
  // Keras' compute_mask: the outputs' masks given the inputs and their masks
  // (one entry per input, null for none). One entry per output, or fewer:
  // outputs past the end, and null entries, get no mask. By default a layer
  // that supports masking passes its first input's mask to its first
  // output; others give none. An eager or functional call attaches these to
  // the outputs that call() left without one (Tensor::mask()).
  virtual std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const;
  // The layer's constructor arguments as JSON (Keras' get_config).
  virtual nlohmann::json get_config() const;

 protected:
  // Checks input count and ranks before the first build; throws ShapeError
  // naming the layer. The default accepts anything.
  virtual void validate_inputs(const std::vector<PartialShape>& input_shapes) const;
  virtual void build(const std::vector<PartialShape>& input_shapes);
  // Checked on every call after the first build: by default the last axes
  // must match the build's. Layers whose weights do not depend on the last
  // axis (Embedding's last axis is time) or that have none override it.
  virtual void check_compatible(const std::vector<PartialShape>& input_shapes) const;
  virtual std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) = 0;

  Tensor add_weight(const std::string& name, const Shape& shape, const Initializer& initializer,
                    bool trainable = true);
  // Registers a layer this one owns, so its weights are tracked and saved.
  void track(std::shared_ptr<Layer> sublayer);
  // Registers a generator call() draws from (a member of the layer, so it
  // lives as long as the layer), for named_generators().
  void track_generator(std::mt19937_64& generator);
  void set_supports_masking(bool on) { supports_masking_ = on; }

  // Throws ShapeError("<describe()>: <message>").
  [[noreturn]] void fail(const std::string& message) const;
  // Throws unless there are exactly `count` inputs of rank `rank` (0: any).
  void expect_inputs(const std::vector<PartialShape>& shapes, std::size_t count, std::size_t rank,
                     const char* layout) const;
  // The size of the last axis, which must be known to build.
  std::size_t known_last_dim(const PartialShape& shape) const;

 private:
  struct Weight {
    std::string name;
    Tensor tensor;
    bool trainable;
  };
  void ensure_built(const std::vector<PartialShape>& input_shapes);
  // Each input's mask: the one the context gives, else the tensor's own.
  std::vector<Mask> input_masks(const std::vector<Tensor>& inputs, const CallContext& context) const;

  std::string class_name_;
  std::string name_;
  bool built_ = false;
  bool trainable_ = true;
  bool supports_masking_ = false;
  std::vector<PartialShape> built_shapes_;
  std::vector<Weight> weights_;
  std::vector<std::shared_ptr<Layer>> sublayers_;
  std::vector<std::mt19937_64*> generators_;
};

// A shared handle to a layer of type L, built from L::Options so that
// construction reads like Keras: Dense({.units = 10, .activation = "relu"}).
template <class L>
class LayerHandle {
 public:
  using Options = typename L::Options;
  explicit LayerHandle(Options options = {}) : layer_(std::make_shared<L>(std::move(options))) {}
  LayerHandle(std::shared_ptr<L> layer) : layer_(std::move(layer)) {}

  L* operator->() const { return layer_.get(); }
  L& operator*() const { return *layer_; }
  const std::shared_ptr<L>& ptr() const { return layer_; }
  operator std::shared_ptr<Layer>() const { return layer_; }

  Outputs<Tensor> operator()(const Tensor& x, const CallContext& c = {}) const { return (*layer_)(x, c); }
  Outputs<Tensor> operator()(const std::vector<Tensor>& xs, const CallContext& c = {}) const {
    return (*layer_)(xs, c);
  }
  Outputs<SymbolicTensor> operator()(const SymbolicTensor& x) const { return (*layer_)(x); }
  Outputs<SymbolicTensor> operator()(const std::vector<SymbolicTensor>& xs) const { return (*layer_)(xs); }

 private:
  std::shared_ptr<L> layer_;
};

}  // namespace kiln
