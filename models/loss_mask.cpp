#include "models/loss_mask.hpp"

#include <xtensor/xmanipulation.hpp>

#include "graph/error.hpp"

namespace kiln {

std::optional<Array> masked_loss_weights(const Tensor& prediction, const Array* sample_weight, Reduction reduction,
                                         const std::string& output) {
  const Mask& mask = prediction.mask();
  if (!mask) return std::nullopt;
  const Shape& shape = prediction.shape();
  const Shape positions(shape.begin(), shape.end() - (shape.empty() ? 0 : 1));
  if (mask->shape() != positions) {
    throw ShapeError("output '" + output + "' " + to_string(shape) + " carries a mask of shape " +
                     to_string(mask->shape()) + "; a loss needs it to cover the positions " + to_string(positions));
  }
  Array weights = xt::not_equal(*mask, 0.0f);
  if (reduction == Reduction::sum_over_batch_size) {
    const double kept = xt::sum(weights)();
    weights *= float(double(weights.size()) / (kept + 1e-7));
  }
  if (sample_weight) {
    if (sample_weight->shape() == positions) {
      weights *= *sample_weight;
    } else if (sample_weight->dimension() == 1 && sample_weight->shape()[0] == positions.at(0)) {
      Shape column(positions.size(), 1);  // (batch) -> (batch, 1, ...): one weight per row
      column[0] = positions[0];
      weights *= xt::reshape_view(*sample_weight, column);
    } else {
      throw ShapeError("output '" + output + "': sample_weight " + to_string(sample_weight->shape()) +
                       " must be (batch) or " + to_string(positions));
    }
  }
  return weights;
}

}  // namespace kiln
