// Customizing what fit() does, as Keras 3's guide of that name: a subclass
// overrides train_step and keeps everything else of fit (the progress bar,
// callbacks, validation, data-parallel training).
//
// Here train_step adds an L2 penalty on the weights to the compiled loss,
// computed with a GradientTape, and logs the penalty beside the loss.
//
//   custom_train_step [--epochs N] [--seed S]

#include <iostream>

#include "examples/api_styles/toy_task.hpp"
#include "graph/gradient_tape.hpp"
#include "layers/dense.hpp"
#include "layers/gru.hpp"
#include "models/model.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "optimizers/adam.hpp"

using namespace kiln;

class PenalizedTagger : public Model {
 public:
  explicit PenalizedTagger(float penalty) : Model("PenalizedTagger", "penalized_tagger"), penalty_(penalty) {
    track(gru_);
    track(next_token_);
  }

  std::map<std::string, double> train_step(Batch batch) override {
    GradientTape tape;
    const auto predictions = (*this)({Tensor(std::move(batch.x[0]))}, {.training = true});
    Tensor loss = compute_loss(predictions, batch);
    Tensor l2 = sum(gru_->weights()[0] * gru_->weights()[0]) * penalty_;
    const auto weights = trainable_weights();
    optimizer().apply_gradients(tape.gradient(loss + l2, weights), weights);
    auto logs = update_metrics(predictions, batch, loss);
    logs["l2"] = l2.item();
    return logs;
  }

 protected:
  std::vector<Tensor> call(const std::vector<Tensor>& in, const CallContext& context) override {
    return next_token_(gru_(in[0], context), context);
  }

 private:
  float penalty_;
  GRU gru_{{.units = 16, .return_sequences = true, .name = "gru"}};
  Dense next_token_{{.units = toy::vocab, .activation = "softmax", .name = "next_token"}};
};

int main(int argc, char** argv) {
  const auto options = toy::parse_command_line(
      argc, argv, "Trains a GRU tagger through fit() with its own train_step (an L2 penalty added by a GradientTape).");
  if (!options) return 0;
  try {
    set_random_seed(options->seed);
    const toy::Dataset data = toy::echo_previous_token(options->seed);
    auto model = std::make_shared<PenalizedTagger>(1e-3f);
    model->compile({.optimizer = std::make_shared<Adam>(Adam::Options{.learning_rate = 0.01f}),
                    .loss = "categorical_crossentropy",
                    .metrics = {"accuracy"}});
    const History history =
        model->fit({data.x}, {data.y}, {.batch_size = 16, .epochs = options->epochs, .seed = options->seed});
    std::cout << "loss after epoch 1: " << history.history.at("loss").front() << "\n"
              << "final loss: " << history.last("loss") << ", accuracy: " << history.last("accuracy")
              << ", l2: " << history.last("l2") << "\n";
    if (options->epochs > 1 && !(history.last("loss") < history.history.at("loss").front())) {
      std::cerr << "custom_train_step: error: the loss did not fall\n";
      return 1;
    }
  } catch (const Error& e) {
    std::cerr << "custom_train_step: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
