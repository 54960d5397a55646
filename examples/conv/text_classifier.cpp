// A Conv1D text classifier (Keras' "text classification with a 1-D convnet"
// recipe): Embedding -> Conv1D -> GlobalMaxPooling1D -> Dense(softmax), on
// reviews the program writes itself.
//
// The task needs word order, not just the bag of words: every review holds
// one key phrase, "very good", "not bad" (positive) or "very bad", "not
// good" (negative), among neutral filler words and, in half the reviews, a
// stray "good" or "bad" elsewhere. A bag of words cannot tell "not bad ...
// good" from "not good ... bad"; a width-2 window can. Reviews have 6 to 15
// words, padded with 0 to 16.
//
// Reaches at least 95% accuracy on 300 held-out reviews in about a second;
// exits with status 1 if it does not.
//
//   text_classifier [--epochs N] [--seed S]

#include <iostream>
#include <random>

#include "examples/conv/example_cli.hpp"
#include "layers/conv1d.hpp"
#include "layers/dense.hpp"
#include "layers/embedding.hpp"
#include "layers/global_pooling.hpp"
#include "models/sequential.hpp"
#include "optimizers/adam.hpp"

using namespace kiln;

namespace {

constexpr std::size_t max_words = 16;
constexpr float target_accuracy = 0.95f;

// Word ids: 0 pads; 1 "very", 2 "not", 3 "good", 4 "bad"; 5.. filler words.
enum Word : int { pad = 0, very = 1, not_ = 2, good = 3, bad = 4, first_filler = 5 };
constexpr int vocabulary = 30;

struct Reviews {
  Array ids;     // (n, max_words)
  Array labels;  // (n): 1 positive, 0 negative
};

Reviews write_reviews(std::size_t n, std::mt19937_64& rng) {
  Reviews r{Array::from_shape({n, max_words}), Array::from_shape({n})};
  r.ids.fill(0.0f);
  std::uniform_int_distribution<int> length(6, 15), filler(first_filler, vocabulary - 1), coin(0, 1);
  for (std::size_t i = 0; i < n; ++i) {
    const int words = length(rng);
    std::vector<int> review(static_cast<std::size_t>(words));
    for (int& w : review) w = filler(rng);
    const bool negated = coin(rng), praised = coin(rng);
    std::uniform_int_distribution<int> where(0, words - 2);
    const int at = where(rng);
    review[std::size_t(at)] = negated ? not_ : very;
    review[std::size_t(at) + 1] = praised ? good : bad;
    if (coin(rng)) {  // a stray adjective, away from the key phrase
      std::uniform_int_distribution<int> stray_at(0, words - 1);
      const int s = stray_at(rng);
      if (s < at - 1 || s > at + 2) review[std::size_t(s)] = coin(rng) ? good : bad;
    }
    for (int t = 0; t < words; ++t) r.ids(i, std::size_t(t)) = float(review[std::size_t(t)]);
    r.labels(i) = praised != negated ? 1.0f : 0.0f;
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = conv_example::parse_command_line(
      argc, argv,
      "Trains Embedding -> Conv1D -> GlobalMaxPooling1D -> Dense on generated reviews whose sentiment\n"
      "hangs on a two-word phrase (\"not bad\", \"very good\", ...); needs 95% held-out accuracy.",
      12);
  if (!options) return 0;
  try {
    set_random_seed(options->seed);
    std::mt19937_64 rng(options->seed);
    const Reviews train = write_reviews(1200, rng);
    const Reviews test = write_reviews(300, rng);

    Sequential model({.layers = {Embedding({.input_dim = vocabulary, .output_dim = 16}),
                                 Conv1D({.filters = 32, .kernel_size = {2}, .activation = "relu"}),
                                 GlobalMaxPooling1D(),
                                 Dense({.units = 2, .activation = "softmax"})},
                      .input_shape = {std::int64_t(max_words)},
                      .name = "conv1d_text_classifier"});
    model->summary();
    model->compile({.optimizer = std::make_shared<Adam>(Adam::Options{.learning_rate = 0.01f}),
                    .loss = "sparse_categorical_crossentropy",
                    .metrics = {"accuracy"}});
    model->fit({train.ids}, {train.labels},
               {.batch_size = 32, .epochs = options->epochs, .seed = options->seed, .verbose = 0});
    const auto scores = model->evaluate({test.ids}, {test.labels});
    const double accuracy = scores.at("accuracy");
    std::cout << "held-out accuracy: " << accuracy << " (target " << target_accuracy << ")\n";
    if (accuracy < target_accuracy) {
      std::cerr << "text_classifier: accuracy " << accuracy << " is below the target " << target_accuracy << "\n";
      return 1;
    }
  } catch (const Error& e) {
    std::cerr << "text_classifier: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
