#include "layers/recurrent_dropout.hpp"

#include <sstream>

#include "graph/error.hpp"
#include "layers/initializers.hpp"
#include "ops/dropout.hpp"
#include "ops/matmul.hpp"
#include "ops/slice.hpp"

namespace kiln {

RecurrentDropout::RecurrentDropout(const std::string& owner, float rate, float recurrent_rate,
                                   std::optional<std::uint64_t> seed, std::size_t gates)
    : rate_(rate), recurrent_rate_(recurrent_rate), gates_(gates), rng_(seed ? *seed : global_generator()()) {
  for (auto [key, value] : {std::pair{"dropout", rate}, std::pair{"recurrent_dropout", recurrent_rate}}) {
    if (!(value >= 0.0f && value < 1.0f)) {
      std::ostringstream msg;
      msg << owner << ": " << key << " must be in [0, 1), got " << value;
      throw Error(msg.str());
    }
  }
}

std::vector<Array> RecurrentDropout::draw(float rate, std::size_t count, const Shape& shape) {
  std::vector<Array> masks;
  std::bernoulli_distribution keep(1.0 - double(rate));
  const float kept = 1.0f / (1.0f - rate);
  for (std::size_t k = 0; k < count; ++k) {
    Array mask = Array::from_shape(shape);
    for (float& m : mask) m = keep(rng_) ? kept : 0.0f;
    masks.push_back(std::move(mask));
  }
  return masks;
}

void RecurrentDropout::begin_sequence(std::size_t batch, std::size_t features, std::size_t units, bool training) {
  input_masks_.clear();
  recurrent_masks_.clear();
  if (!training) return;
  const std::size_t count = recurrent_rate_ > 0.0f ? gates_ : 1;  // Keras' dropout_mask_count
  if (rate_ > 0.0f) input_masks_ = draw(rate_, count, {batch, features});
  if (recurrent_rate_ > 0.0f) recurrent_masks_ = draw(recurrent_rate_, count, {batch, units});
}

std::vector<Tensor> masked_per_gate(const Tensor& x, const std::vector<Array>& masks, std::size_t gates) {
  if (masks.empty()) return std::vector<Tensor>(gates, x);
  if (masks.size() == 1) return std::vector<Tensor>(gates, mask_multiply(x, masks[0]));
  std::vector<Tensor> xs;
  for (std::size_t g = 0; g < gates; ++g) xs.push_back(mask_multiply(x, masks.at(g)));
  return xs;
}

std::vector<Tensor> project_per_gate(const std::vector<Tensor>& xs, const Tensor& kernel) {
  const std::size_t gates = xs.size(), H = kernel.shape(1) / gates;
  bool shared = true;
  for (const Tensor& x : xs) shared = shared && x.same_as(xs[0]);
  std::vector<Tensor> out;
  if (shared) {
    const Tensor all = matmul(xs[0], kernel);
    if (gates == 1) return {all};
    for (std::size_t g = 0; g < gates; ++g) out.push_back(slice(all, 1, g * H, (g + 1) * H));
    return out;
  }
  for (std::size_t g = 0; g < gates; ++g) out.push_back(matmul(xs[g], slice(kernel, 1, g * H, (g + 1) * H)));
  return out;
}

}  // namespace kiln
