// The Sequential API: a model that is a plain stack of layers, each taking
// the previous one's single output (keras.Sequential). It is the shortest
// way to write such a model. When a model needs several inputs or outputs,
// or a layer that takes two tensors (attention, an initial state), use the
// functional API instead (functional.cpp).
//
//   sequential [--epochs N] [--seed S]

#include <iostream>

#include "examples/api_styles/toy_task.hpp"
#include "layers/dense.hpp"
#include "layers/gru.hpp"
#include "models/sequential.hpp"
#include "optimizers/adam.hpp"

using namespace kiln;

int main(int argc, char** argv) {
  const auto options = toy::parse_command_line(
      argc, argv, "Trains a GRU tagger defined with the Sequential API to echo the previous token.");
  if (!options) return 0;
  try {
    set_random_seed(options->seed);  // the same weights on every run
    const toy::Dataset data = toy::echo_previous_token(options->seed);

    // Declaring the input shape (without the batch axis) builds every layer
    // as it is added, so summary() can print the shapes at once.
    Sequential model({.layers = {GRU({.units = 16, .return_sequences = true, .name = "gru"}),
                                 Dense({.units = toy::vocab, .activation = "softmax", .name = "next_token"})},
                      .input_shape = {std::int64_t(toy::time_steps), std::int64_t(toy::vocab)},
                      .name = "sequential_tagger"});
    model->summary();

    model->compile({.optimizer = std::make_shared<Adam>(Adam::Options{.learning_rate = 0.01f}),
                    .loss = "categorical_crossentropy",
                    .metrics = {"accuracy"}});
    const History history = model->fit({data.x}, {data.y},
                                       {.batch_size = 16, .epochs = options->epochs, .seed = options->seed, .verbose = 0});
    std::cout << "loss after epoch 1: " << history.history.at("loss").front() << "\n"
              << "final loss: " << history.last("loss") << ", accuracy: " << history.last("accuracy") << "\n";
  } catch (const Error& e) {
    std::cerr << "sequential: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
