// A custom training loop, as Keras users write one with tf.GradientTape: a
// model with two outputs, a loss on each, their weighted sum differentiated
// by a GradientTape and applied with apply_gradients(grads, weights).
//
// The task extends the api_styles toy (tools in toy_task.hpp): a GRU reads a
// sequence of one-hot tokens; one head echoes the previous token at every
// step (cross-entropy), a second head counts how many of the sequence's
// tokens are token 0 (mean squared error, on the last state).
//
//   two_losses [--epochs N] [--seed S]

#include <iostream>
#include <numeric>
#include <random>

#include <xtensor/xview.hpp>

#include "examples/api_styles/toy_task.hpp"
#include "graph/gradient_tape.hpp"
#include "layers/dense.hpp"
#include "layers/gru.hpp"
#include "data/batching.hpp"
#include "models/functional.hpp"
#include "ops/arithmetic.hpp"
#include "optimizers/adam.hpp"
#include "training/losses.hpp"

using namespace kiln;

namespace {

// (samples, 1): the number of steps whose token is 0, divided by the length.
Array zero_token_share(const Array& x) {
  Array share = Array::from_shape({x.shape()[0], 1});
  for (std::size_t i = 0; i < x.shape()[0]; ++i) {
    float zeros = 0.0f;
    for (std::size_t t = 0; t < x.shape()[1]; ++t) zeros += x(i, t, 0);
    share(i, 0) = zeros / float(x.shape()[1]);
  }
  return share;
}

Functional two_headed_model() {
  auto tokens = Input({toy::time_steps, toy::vocab}, "tokens");
  GRU gru({.units = 24, .return_sequences = true, .return_state = true, .name = "gru"});
  auto [states, last] = gru(tokens).unpack<2>();
  SymbolicTensor echo = Dense({.units = toy::vocab, .activation = "softmax", .name = "echo"})(states);
  SymbolicTensor share = Dense({.units = 1, .activation = "sigmoid", .name = "share"})(last);
  return Functional({tokens}, {echo, share}, "two_heads");
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = toy::parse_command_line(
      argc, argv, "Trains a two-headed GRU with a GradientTape loop: two losses, one apply_gradients per batch.");
  if (!options) return 0;
  try {
    set_random_seed(options->seed);
    const toy::Dataset data = toy::echo_previous_token(options->seed);
    const Array share_targets = zero_token_share(data.x);
    Functional model = two_headed_model();
    model->summary();
    Adam optimizer({.learning_rate = 0.01f});
    const auto weights = model->trainable_weights();
    constexpr std::size_t batch_size = 16;
    constexpr float share_weight = 5.0f;  // the regression's loss is small: weigh it up

    std::mt19937_64 rng(options->seed);
    std::vector<std::size_t> order(toy::samples);
    std::iota(order.begin(), order.end(), 0);
    double first_echo = 0.0, first_share = 0.0, echo_loss = 0.0, share_loss = 0.0;
    for (std::size_t epoch = 1; epoch <= options->epochs; ++epoch) {
      std::shuffle(order.begin(), order.end(), rng);
      echo_loss = share_loss = 0.0;
      for (std::size_t begin = 0; begin < order.size(); begin += batch_size) {
        const std::vector<std::size_t> rows(order.begin() + std::ptrdiff_t(begin),
                                            order.begin() + std::ptrdiff_t(begin + batch_size));
        GradientTape tape;
        const auto outputs = model({Tensor(take_rows(data.x, rows))}, {.training = true});
        Tensor echo = categorical_crossentropy(outputs[0], take_rows(data.y, rows));
        Tensor share = mean_squared_error(outputs[1], take_rows(share_targets, rows));
        Tensor loss = echo + share * share_weight;
        optimizer.apply_gradients(tape.gradient(loss, weights), weights);
        echo_loss += echo.item() / double(order.size() / batch_size);
        share_loss += share.item() / double(order.size() / batch_size);
      }
      if (epoch == 1) first_echo = echo_loss, first_share = share_loss;
      std::cout << "epoch " << epoch << ": echo loss " << echo_loss << ", share loss " << share_loss << "\n";
    }
    if (options->epochs > 1 && !(echo_loss < first_echo && share_loss < first_share)) {
      std::cerr << "two_losses: error: the losses did not fall (echo " << first_echo << " -> " << echo_loss
                << ", share " << first_share << " -> " << share_loss << ")\n";
      return 1;
    }
  } catch (const Error& e) {
    std::cerr << "two_losses: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
