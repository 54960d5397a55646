#include "layers/bidirectional.hpp"

#include <nlohmann/json.hpp>

#include "layers/registry.hpp"
#include "ops/arithmetic.hpp"
#include "ops/concat.hpp"
#include "ops/reverse.hpp"

namespace kiln {

namespace {

std::shared_ptr<RecurrentLayer> recurrent_template(const std::shared_ptr<Layer>& layer, const std::string& who) {
  if (!layer) throw Error(who + ": options.layer is empty; pass a GRU or LSTM");
  auto recurrent = std::dynamic_pointer_cast<RecurrentLayer>(layer);
  if (!recurrent) throw Error(who + ": layer must be a GRU or LSTM, got " + layer->describe());
  return recurrent;
}

}  // namespace

BidirectionalLayer::BidirectionalLayer(Options options)
    : KerasLayer(std::move(options)) {
  const std::string& m = options_.merge_mode;
  if (m != "concat" && m != "sum" && m != "mul" && m != "ave") {
    throw Error(describe() + ": unknown merge_mode '" + m + "' (known: concat, sum, mul, ave)");
  }
  const auto inner = recurrent_template(options_.layer, describe());
  RecurrentSettings s = inner->settings();
  s.zero_output_for_mask = s.return_sequences;  // as Keras sets it for both copies
  forward_ = inner->recreate("forward_" + inner->name(), s);
  s.go_backwards = !s.go_backwards;
  backward_ = inner->recreate("backward_" + inner->name(), s);
  track(forward_);
  track(backward_);
  set_supports_masking(true);
}

template <class T>
std::vector<T> BidirectionalLayer::direction_inputs(const std::vector<T>& inputs, bool backward) const {
  if (inputs.size() == 1) return inputs;
  const std::size_t S = forward_->state_count();
  std::vector<T> out{inputs[0]};
  const auto first = inputs.begin() + 1 + (backward ? S : 0);
  out.insert(out.end(), first, first + S);
  return out;
}

void BidirectionalLayer::check_input_count(std::size_t count) const {
  const std::size_t S = forward_->state_count();
  if (count != 1 && count != 1 + 2 * S) {
    fail("expected inputs [x] or [x, " + std::to_string(S) + " forward and " + std::to_string(S) +
         " backward initial states], got " + std::to_string(count) + " inputs");
  }
}

void BidirectionalLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  check_input_count(shapes.size());
}

void BidirectionalLayer::build(const std::vector<PartialShape>& shapes) {
  forward_->build_for(direction_inputs(shapes, false));
  backward_->build_for(direction_inputs(shapes, true));
}

std::vector<PartialShape> BidirectionalLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  check_input_count(shapes.size());
  std::vector<PartialShape> out = forward_->compute_output_shape(direction_inputs(shapes, false));
  const std::vector<PartialShape> back = backward_->compute_output_shape(direction_inputs(shapes, true));
  if (options_.merge_mode == "concat") out[0].back() *= 2;
  out.insert(out.end(), back.begin() + 1, back.end());
  return out;
}

std::vector<Mask> BidirectionalLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Mask>& masks) const {
  if (forward_->settings().return_sequences && !masks.empty() && masks[0]) return {masks[0]};
  return {};
}

Tensor BidirectionalLayer::merge(const Tensor& forward, const Tensor& backward) const {
  const std::string& m = options_.merge_mode;
  if (m == "concat") return concat({forward, backward}, -1);
  if (m == "sum") return forward + backward;
  if (m == "mul") return forward * backward;
  return (forward + backward) * 0.5f;  // "ave"
}

std::vector<Tensor> BidirectionalLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  check_input_count(inputs.size());
  // Each direction gets the sequence's mask; the states have none.
  const CallContext inner{.training = context.training, .masks = {context.mask(0)}};
  const Outputs<Tensor> fwd = (*forward_)(direction_inputs(inputs, false), inner);
  const Outputs<Tensor> bwd = (*backward_)(direction_inputs(inputs, true), inner);
  // The backward sequence comes last step first; line it up with the forward one.
  const Tensor back = forward_->settings().return_sequences ? reverse(bwd[0], 1) : bwd[0];
  std::vector<Tensor> out{merge(fwd[0], back)};
  out.insert(out.end(), fwd.begin() + 1, fwd.end());
  out.insert(out.end(), bwd.begin() + 1, bwd.end());
  return out;
}

}  // namespace kiln
