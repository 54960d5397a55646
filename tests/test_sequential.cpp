// Sequential: add() layers, build from a declared input shape, use as a
// layer; unknown input dimensions stay unknown; summary()'s table.

#include <sstream>

#include "layer_round_trip.hpp"
#include "layers/dense.hpp"
#include "layers/embedding.hpp"
#include "layers/flatten.hpp"
#include "layers/lstm.hpp"
#include "layers/time_distributed.hpp"
#include "models/functional.hpp"
#include "models/sequential.hpp"
#include "ops/arithmetic.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;

TEST_CASE("a Sequential model chains its layers") {
  Sequential model;
  Dense a({.units = 4, .activation = "relu"});
  Dense b({.units = 2});
  model->add(a);
  model->add(b);
  Tensor x(random_array({3, 5}, 1));
  CHECK_ARRAY_NEAR(Tensor(model(x)).value(), Tensor(b(a(x))).value(), 0.0);
  CHECK(model->count_params() == 5 * 4 + 4 + 4 * 2 + 2);
}

TEST_CASE("with an input shape, a Sequential builds as layers are added") {
  Sequential model({.input_shape = {6}, .name = "stack"});
  model->add(Dense({.units = 3}));
  CHECK(model->count_params() == 6 * 3 + 3);
  model->add(Dense({.units = 1, .name = "out"}));
  std::ostringstream out;
  model->summary(out);
  INFO(out.str());
  CHECK(out.str().find("out (Dense)") != std::string::npos);
  CHECK(out.str().find("(None, 1)") != std::string::npos);
  CHECK(out.str().find("Total params: 25") != std::string::npos);
}

TEST_CASE("a Sequential is a layer: usable inside a functional model") {
  Sequential block({.layers = {Dense({.units = 3}), Dense({.units = 2})}, .input_shape = {4}});
  auto in = Input({4});
  Functional model({in}, {block(in)});
  Tensor x(random_array({2, 4}, 2));
  CHECK_ARRAY_NEAR(Tensor(model(x)).value(), Tensor(block(x)).value(), 0.0);
}

TEST_CASE("Sequential gradients reach every layer's weights") {
  Sequential model({.layers = {Dense({.units = 3, .activation = "tanh"}), Dense({.units = 2})}, .input_shape = {4}});
  Tensor x = Tensor::parameter(random_array({2, 4}, 3), "x");
  auto wrt = model->weights();
  wrt.push_back(x);
  CHECK_GRADIENTS([&] { return Tensor(model(x)); }, wrt);
}

TEST_CASE("Sequential rejects an input that does not fit its declared shape") {
  Sequential model({.layers = {Dense({.units = 3})}, .input_shape = {4}, .name = "stack"});
  CHECK_THROWS_WITH_AS(model(Tensor(Array::from_shape({2, 5}))),
                       doctest::Contains("Sequential 'stack'"), ShapeError);
  Sequential empty;
  CHECK_THROWS_AS(empty(Tensor(Array::from_shape({2, 5}))), ShapeError);
}

TEST_CASE("a Sequential called on a symbolic tensor builds its layers at once, before any data") {
  Sequential head({.layers = {Dense({.units = 3}), Dense({.units = 2})}});
  auto in = Input({4});
  Functional model({in}, {head(in)});
  CHECK(head->count_params() == 4 * 3 + 3 + 3 * 2 + 2);
  CHECK(model->get_weights().size() == 4);  // so set_weights works before the first call
}

TEST_CASE("a Sequential built from its first call accepts another sequence length later, as Keras does") {
  Sequential model({.layers = {Dense({.units = 2})}});
  CHECK(Tensor(model(Tensor(random_array({2, 5, 3}, 4)))).shape() == Shape{2, 5, 2});
  CHECK(Tensor(model(Tensor(random_array({1, 7, 3}, 5)))).shape() == Shape{1, 7, 2});
  // The feature size its weights were made for still has to match.
  CHECK_THROWS_AS(model(Tensor(random_array({1, 7, 4}, 6))), ShapeError);
}

namespace {

// Ids in [1, 10) of shape (batch, steps).
Array ids(std::size_t batch, std::size_t steps, std::uint64_t seed) {
  Array a = random_array({batch, steps}, seed, 1.0f, 10.0f);
  for (auto& v : a) v = std::floor(v);
  return a;
}

std::string summary_of(const Model& model) {
  std::ostringstream out;
  model.summary(out);
  return out.str();
}

}  // namespace

TEST_CASE("an Embedding-first Sequential accepts any sequence length, before and after saving") {
  for (const bool declared : {false, true}) {
    CAPTURE(declared);
    Sequential model({.layers = {Embedding({.input_dim = 10, .output_dim = 8}), LSTM({.units = 4}), Dense({.units = 2})},
                      .input_shape = declared ? PartialShape{unknown_dim} : PartialShape{}});
    model->compile({.optimizer = "adam", .loss = "mse"});
    model->fit({ids(6, 5, 1)}, {random_array({6, 2}, 2)}, {.batch_size = 3, .epochs = 1, .verbose = 0});
    CHECK(model->input_shape() == PartialShape{unknown_dim, unknown_dim});  // not locked to the first batch's 5
    CHECK(model->predict({ids(2, 7, 3)}).at(0).shape() == Shape{2, 2});
    CHECK(summary_of(*model).find("(None, None, 8)") != std::string::npos);
    const std::vector<Array> longer{ids(3, 9, 4)};
    kiln::testing::check_save_load(*model, longer);
  }
}

TEST_CASE("an inferred input shape keeps the dimensions the layers' weights fix") {
  Sequential dense({.layers = {Dense({.units = 3})}});
  dense(Tensor(random_array({2, 5, 4}, 1)));
  CHECK(dense->input_shape() == PartialShape{unknown_dim, unknown_dim, 4});  // any length, 4 features
  Sequential flat({.layers = {Flatten(), Dense({.units = 3})}, .name = "flat"});
  flat(Tensor(random_array({2, 5, 4}, 1)));
  CHECK(flat->input_shape() == PartialShape{unknown_dim, 5, 4});  // the Dense after Flatten needs 5 * 4
  CHECK_THROWS_WITH_AS(flat(Tensor(random_array({2, 6, 4}, 1))),
                       "Sequential 'flat': expected input (None, 5, 4), got (2, 6, 4)", ShapeError);
}

TEST_CASE("summary() wraps cells at spaces, never inside a word") {
  Sequential model({.layers = {TimeDistributed({.layer = Dense({.units = 3}), .name = "time_distributed"})},
                    .input_shape = {5, 4}, .name = "wrapping"});
  const std::string text = summary_of(*model);
  INFO(text);
  // "time_distributed (TimeDistributed)" is wider than the 32-character
  // cell: it wraps at the space, not as "TimeDistribute" / "d)".
  CHECK(text.find("TimeDistribute\n") == std::string::npos);
  CHECK(text.find(" time_distributed ") != std::string::npos);
  CHECK(text.find("\n  (TimeDistributed)\n") != std::string::npos);
  CHECK(text.find("(None, 5, 3)") != std::string::npos);
}

TEST_CASE("summary() widens a column for a word longer than it, as a whole") {
  const std::string name = "a_dense_layer_with_a_very_long_name_beyond_the_column";
  Sequential model({.layers = {Dense({.units = 2, .name = name})}, .input_shape = {4}});
  const std::string text = summary_of(*model);
  INFO(text);
  CHECK(text.find(" " + name + " ") != std::string::npos);  // whole, on one line
  std::istringstream lines(text);
  std::size_t ruled = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.find_first_not_of('=') == std::string::npos) ruled = line.size();
  }
  CHECK(ruled == 1 + (name.size() + 2) + 27 + 12);  // the name column grew, the others kept their widths
}
