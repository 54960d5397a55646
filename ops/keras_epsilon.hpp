#pragma once
// Keras' backend epsilon (keras.config.epsilon()): what the cross-entropies
// clip probabilities by, and the floor under an L2 norm's divisor.

namespace kiln {

inline constexpr float keras_epsilon = 1e-7f;

}  // namespace kiln
