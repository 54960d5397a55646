// The functional API: call layers on symbolic Input()s, then make a model
// from its inputs and outputs (keras.Model(inputs, outputs)). It expresses
// any graph of layers: several inputs (an encoder and a decoder), several
// outputs, layers shared between models, skip connections. Here it defines
// the same tagger as sequential.cpp, so the two print the same losses.
//
//   functional [--epochs N] [--seed S]

#include <iostream>

#include <xtensor/xview.hpp>

#include "examples/api_styles/toy_task.hpp"
#include "layers/dense.hpp"
#include "layers/gru.hpp"
#include "models/functional.hpp"
#include "optimizers/adam.hpp"

using namespace kiln;

int main(int argc, char** argv) {
  const auto options = toy::parse_command_line(
      argc, argv, "Trains a GRU tagger defined with the functional API to echo the previous token.");
  if (!options) return 0;
  try {
    set_random_seed(options->seed);
    const toy::Dataset data = toy::echo_previous_token(options->seed);

    // unknown_dim: any sequence length is accepted. Each call on a symbolic
    // tensor builds the layer and records the call; nothing is computed yet.
    auto tokens = Input({unknown_dim, std::int64_t(toy::vocab)}, "tokens");
    GRU gru({.units = 16, .return_sequences = true, .name = "gru"});
    Dense next_token({.units = toy::vocab, .activation = "softmax", .name = "next_token"});
    SymbolicTensor states = gru(tokens);
    SymbolicTensor probabilities = next_token(states);
    Functional model({tokens}, {probabilities}, "functional_tagger");
    model->summary();

    model->compile({.optimizer = std::make_shared<Adam>(Adam::Options{.learning_rate = 0.01f}),
                    .loss = "categorical_crossentropy",
                    .metrics = {"accuracy"}});
    const History history = model->fit({data.x}, {data.y},
                                       {.batch_size = 16, .epochs = options->epochs, .seed = options->seed, .verbose = 0});
    std::cout << "loss after epoch 1: " << history.history.at("loss").front() << "\n"
              << "final loss: " << history.last("loss") << ", accuracy: " << history.last("accuracy") << "\n";

    // predict() runs the trained model on new inputs, in batches.
    const Array first = xt::view(data.x, xt::range(0, 1));
    const Array predicted = model->predict({first})[0];
    auto tokens_of = [](const Array& rows) {
      std::string out;
      for (std::size_t t = 0; t < toy::time_steps; ++t) {
        std::size_t best = 0;
        for (std::size_t c = 1; c < toy::vocab; ++c) best = rows(0, t, c) > rows(0, t, best) ? c : best;
        out += " " + std::to_string(best);
      }
      return out;
    };
    std::cout << "first sequence:           " << tokens_of(first) << "\n"
              << "predicted previous token: " << tokens_of(predicted) << "\n";
  } catch (const Error& e) {
    std::cerr << "functional: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
