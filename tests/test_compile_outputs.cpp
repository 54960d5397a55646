// Keras' compile contract for several outputs: a loss per output (a list or
// a map by output name), loss_weights, metrics per output logged as
// "<output>_<metric>", metric objects beside names, and Keras' resolution
// of "accuracy".

#include "layers/dense.hpp"
#include "models/functional.hpp"
#include "models/sequential.hpp"
#include "optimizers/sgd.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;

namespace {

// x (n, 4) -> "cls" (softmax over 3 classes) and "bin" (one sigmoid unit).
Functional two_heads() {
  set_random_seed(5);
  auto in = Input({4}, "x");
  SymbolicTensor h = Dense({.units = 8, .activation = "tanh", .name = "trunk"})(in);
  SymbolicTensor cls = Dense({.units = 3, .activation = "softmax", .name = "cls"})(h);
  SymbolicTensor bin = Dense({.units = 1, .activation = "sigmoid", .name = "bin"})(h);
  return Functional({in}, {cls, bin}, "two_heads");
}

struct Data {
  Array x = random_array({12, 4}, 1);
  Array cls = Array(xt::zeros<float>({12, 3}));
  Array bin = Array(xt::zeros<float>({12, 1}));
  Data() {
    for (std::size_t i = 0; i < 12; ++i) {
      cls(i, i % 3) = 1.0f;
      bin(i, 0) = x(i, 0) > 0.0f ? 1.0f : 0.0f;
    }
  }
};

// A user's stateful metric: the number of samples seen.
class SampleCount : public PredictionMetric {
 public:
  SampleCount() : PredictionMetric("samples") {}
  void update(const Array& y_pred, const Array&, const Array*) override { count_ += double(y_pred.shape()[0]); }
  void reset() override { count_ = 0.0; }
  double result() const override { return count_; }

 private:
  double count_ = 0.0;
};

}  // namespace

TEST_CASE("losses by output name with loss_weights: the total is the weighted sum, each logged by name") {
  const Data d;
  Functional model = two_heads();
  CHECK(model->output_names() == std::vector<std::string>{"cls", "bin"});
  model->compile({.optimizer = "sgd",
                  .loss = std::map<std::string, LossChoice>{{"cls", "categorical_crossentropy"}, {"bin", "mse"}},
                  .metrics = std::map<std::string, std::vector<MetricChoice>>{{"cls", {"accuracy"}},
                                                                             {"bin", {"accuracy"}}},
                  .loss_weights = std::map<std::string, float>{{"cls", 2.0f}, {"bin", 0.5f}}});
  const auto logs = model->evaluate({d.x}, {d.cls, d.bin}, 12);
  for (const char* key : {"loss", "cls_loss", "bin_loss", "cls_accuracy", "bin_accuracy"}) {
    CAPTURE(key);
    CHECK(logs.contains(key));
  }
  CHECK(logs.size() == 5);
  CHECK(logs.at("loss") == doctest::Approx(2.0 * logs.at("cls_loss") + 0.5 * logs.at("bin_loss")).epsilon(1e-6));

  // The heads' accuracies by hand: categorical for cls, binary for the sigmoid.
  const auto p = model->predict({d.x});
  double cls_correct = 0.0, bin_correct = 0.0;
  for (std::size_t i = 0; i < 12; ++i) {
    std::size_t best = 0;
    for (std::size_t c = 1; c < 3; ++c) best = p[0](i, c) > p[0](i, best) ? c : best;
    cls_correct += d.cls(i, best) == 1.0f;
    bin_correct += (p[1](i, 0) > 0.5f) == (d.bin(i, 0) > 0.5f);
  }
  CHECK(logs.at("cls_accuracy") == doctest::Approx(cls_correct / 12));
  CHECK(logs.at("bin_accuracy") == doctest::Approx(bin_correct / 12));
}

TEST_CASE("losses and metrics as lists by position, metric objects beside names") {
  const Data d;
  Functional model = two_heads();
  auto counter = std::make_shared<SampleCount>();
  model->compile({.optimizer = std::make_shared<SGD>(SGD::Options{.learning_rate = 0.1f}),
                  .loss = {"categorical_crossentropy", "mse"},
                  .metrics = std::vector<std::vector<MetricChoice>>{{"categorical_accuracy"}, {counter}},
                  .loss_weights = {1.0f, 3.0f}});
  const History h = model->fit({d.x}, {d.cls, d.bin}, {.batch_size = 4, .epochs = 2, .verbose = 0});
  CHECK(h.history.at("bin_samples").back() == 12.0);  // reset every epoch
  CHECK(h.history.contains("cls_categorical_accuracy"));
  CHECK(h.history.at("loss").back() ==
        doctest::Approx(h.history.at("cls_loss").back() + 3.0 * h.history.at("bin_loss").back()).epsilon(1e-5));
}

TEST_CASE("an output given no loss is not trained on; its metrics still run") {
  const Data d;
  Functional model = two_heads();
  model->compile({.optimizer = "sgd", .loss = std::map<std::string, LossChoice>{{"cls", "categorical_crossentropy"}},
                  .metrics = {"accuracy"}});
  const auto logs = model->evaluate({d.x}, {d.cls, d.bin}, 12);
  CHECK(logs.at("loss") == doctest::Approx(logs.at("cls_loss")));
  CHECK_FALSE(logs.contains("bin_loss"));
  CHECK(logs.contains("bin_accuracy"));
}

TEST_CASE("compile names what does not fit the outputs") {
  Functional model = two_heads();
  CHECK_THROWS_WITH_AS(model->compile({.loss = {"mse"}}), doctest::Contains("1 entries for a model with 2 outputs"),
                       Error);
  CHECK_THROWS_WITH_AS(model->compile({.loss = std::map<std::string, LossChoice>{{"clss", "mse"}}}),
                       doctest::Contains("names an output 'clss' the model does not have ('cls', 'bin')"), Error);
  CHECK_THROWS_WITH_AS(model->compile({.loss = "mse", .metrics = {std::make_shared<SampleCount>()}}),
                       doctest::Contains("would serve all 2 outputs"), Error);
  CHECK_THROWS_WITH_AS(model->compile({.loss = "mse", .loss_weights = {1.0f, 2.0f, 3.0f}}),
                       doctest::Contains("loss_weights lists 3 entries"), Error);
}

TEST_CASE("'accuracy' of a one-unit sigmoid classifier is its binary accuracy") {
  Sequential model({.layers = {Dense({.units = 1, .activation = "sigmoid"})}, .input_shape = {4}});
  model->compile({.optimizer = "sgd", .loss = "mse", .metrics = {"accuracy"}});
  const Data d;
  const auto logs = model->evaluate({d.x}, {d.bin}, 12);
  const Array p = model->predict({d.x})[0];
  double correct = 0.0;
  for (std::size_t i = 0; i < 12; ++i) correct += (p(i, 0) > 0.5f) == (d.bin(i, 0) > 0.5f);
  CHECK(logs.at("accuracy") == doctest::Approx(correct / 12));
  CHECK(logs.at("accuracy") < 1.0);
}
