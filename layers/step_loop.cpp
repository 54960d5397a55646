#include "layers/step_loop.hpp"

#include "ops/arithmetic.hpp"
#include "ops/dropout.hpp"
#include "ops/slice.hpp"

namespace kiln {

namespace {

// Column t of the mask as (batch, 1), and whether it is all ones / all zeros.
struct StepMask {
  Array on, off;  // on = mask, off = 1 - mask
  bool all_on = true, all_off = true;
};

StepMask step_mask(const Array& mask, std::size_t t) {
  const std::size_t B = mask.shape()[0];
  StepMask m{Array::from_shape({B, 1}), Array::from_shape({B, 1})};
  for (std::size_t b = 0; b < B; ++b) {
    const bool on = mask(b, t) != 0.0f;
    m.on(b, 0) = on ? 1.0f : 0.0f;
    m.off(b, 0) = on ? 0.0f : 1.0f;
    m.all_on = m.all_on && on;
    m.all_off = m.all_off && !on;
  }
  return m;
}

// Keras' where(mask, new, old) as new * mask + old * (1 - mask); the mask is
// a constant, so each side's gradient is the cotangent times its weight.
Tensor blend(const Tensor& fresh, const Tensor& old, const StepMask& m) {
  return mask_multiply(fresh, m.on) + mask_multiply(old, m.off);
}

}  // namespace

SteppedSequence step_sequence(const Tensor& x, std::vector<Tensor> states, const StepFunction& step,
                              const StepLoopOptions& options) {
  const std::size_t B = x.shape(0), T = x.shape(1);
  SteppedSequence result;
  Tensor previous_output;  // Keras' loop starts it at zeros of the output's shape
  for (std::size_t s = 0; s < T; ++s) {
    const std::size_t t = options.go_backwards ? T - 1 - s : s;
    StepMask m;
    if (options.mask) m = step_mask(*options.mask, t);
    auto [output, next] = step(select(x, 1, t), states);
    if (!previous_output.defined()) previous_output = Tensor(Array(Shape{B, output.shape(1)}, 0.0f));
    if (!m.all_on) {
      const Tensor masked_output = options.zero_output_for_mask ? Tensor(Array(output.shape(), 0.0f)) : previous_output;
      output = blend(output, masked_output, m);
      for (std::size_t k = 0; k < next.size(); ++k) next[k] = blend(next[k], states[k], m);
    }
    result.outputs.push_back(output);
    previous_output = output;
    states = std::move(next);
  }
  result.final_states = std::move(states);
  return result;
}

}  // namespace kiln
