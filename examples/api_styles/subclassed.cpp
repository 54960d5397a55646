// Subclassing: derive from kiln::Model, create the layers in the
// constructor, track() them (so their weights are found, trained and
// saved), and write the forward pass in call() with ordinary C++: loops,
// branches, anything. It is the most flexible style and the least
// introspectable one: the model has no symbolic graph, and it knows its
// shapes (for summary()) only once it has been called. Here it defines the
// same tagger as sequential.cpp, so the programs print the same losses.
//
//   subclassed [--epochs N] [--seed S]

#include <iostream>

#include <xtensor/xview.hpp>

#include "examples/api_styles/toy_task.hpp"
#include "graph/node.hpp"
#include "layers/dense.hpp"
#include "layers/gru.hpp"
#include "models/model.hpp"
#include "optimizers/adam.hpp"

using namespace kiln;

class TaggerModel : public Model {
 public:
  struct Options {
    std::size_t units = 16;
    std::size_t vocab = 0;
    std::string name = {};  // last, as every kiln Options struct
  };

  explicit TaggerModel(Options options)
      : Model("TaggerModel", options.name),
        gru_({.units = options.units, .return_sequences = true, .name = "gru"}),
        next_token_({.units = options.vocab, .activation = "softmax", .name = "next_token"}) {
    track(gru_);
    track(next_token_);
  }

 protected:
  // One input, (batch, time, vocab): say so, so a wrong call names this model.
  void validate_inputs(const std::vector<PartialShape>& shapes) const override {
    expect_inputs(shapes, 1, 3, "(batch, time, vocab)");
  }

  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override {
    Tensor states = gru_(inputs[0], context);
    Tensor probabilities = next_token_(states, context);
    return {probabilities};
  }

 private:
  GRU gru_;
  Dense next_token_;
};

// A handle, as for the library's layers: Tagger({.vocab = 6}).
using Tagger = LayerHandle<TaggerModel>;

int main(int argc, char** argv) {
  const auto options = toy::parse_command_line(
      argc, argv, "Trains a GRU tagger written as a subclass of kiln::Model to echo the previous token.");
  if (!options) return 0;
  try {
    set_random_seed(options->seed);
    const toy::Dataset data = toy::echo_previous_token(options->seed);

    Tagger model({.units = 16, .vocab = toy::vocab, .name = "subclassed_tagger"});
    {
      // One call builds the layers (no gradients needed for that).
      NoGradGuard no_grad;
      model(Tensor(Array(xt::view(data.x, xt::range(0, 1)))));
    }
    model->summary();

    model->compile({.optimizer = std::make_shared<Adam>(Adam::Options{.learning_rate = 0.01f}),
                    .loss = "categorical_crossentropy",
                    .metrics = {"accuracy"}});
    const History history = model->fit({data.x}, {data.y},
                                       {.batch_size = 16, .epochs = options->epochs, .seed = options->seed, .verbose = 0});
    std::cout << "loss after epoch 1: " << history.history.at("loss").front() << "\n"
              << "final loss: " << history.last("loss") << ", accuracy: " << history.last("accuracy") << "\n";
  } catch (const Error& e) {
    std::cerr << "subclassed: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
