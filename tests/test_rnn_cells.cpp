// The recurrent cells (SimpleRNNCell, GRUCell, LSTMCell), the generic RNN
// wrapper and the SimpleRNN layer: Keras' numbers from TensorFlow.js's
// layers and configs (scripts/references/tfjs/recurrent.js), RNN of a cell
// against the fused GRU / LSTM / SimpleRNN with the same weights, a user's
// own cell, finite-difference gradients, errors, config and save/load round
// trips.

#include <nlohmann/json.hpp>
#include <xtensor/xview.hpp>

#include "golden.hpp"
#include "graph/backward.hpp"
#include "graph/gradcheck.hpp"
#include "layer_round_trip.hpp"
#include "layers/activation.hpp"
#include "layers/bidirectional.hpp"
#include "layers/dense.hpp"
#include "layers/gru.hpp"
#include "layers/gru_cell.hpp"
#include "layers/lstm.hpp"
#include "layers/lstm_cell.hpp"
#include "layers/registry.hpp"
#include "layers/rnn.hpp"
#include "layers/simple_rnn.hpp"
#include "layers/simple_rnn_cell.hpp"
#include "ops/activations.hpp"
#include "ops/arithmetic.hpp"
#include "ops/matmul.hpp"
#include "ops/reductions.hpp"
#include "ops/reshape.hpp"
#include "ops/reverse.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::golden_config;
using kiln::testing::max_abs_diff;
using kiln::testing::random_array;
using kiln::testing::random_param;
using kiln::testing::relative_error;
using nlohmann::json;

namespace {

const std::string file = "tfjs/recurrent.safetensors";

// TF.js writes an RNN's config with its cell's options repeated beside the
// RNN's own, and a null "implementation" (and LSTM's "unit_forget_bias")
// in cells; Keras writes the RNN's keys and the cell only. This is the
// config Keras would have written.
json keras_rnn_config(const json& tfjs) {
  json config = json::object();
  for (const char* key :
       {"name", "trainable", "return_sequences", "return_state", "go_backwards", "stateful", "unroll"}) {
    if (tfjs.contains(key)) config[key] = tfjs.at(key);
  }
  json cell = tfjs.at("cell");
  for (const char* key : {"implementation", "unit_forget_bias"}) {
    if (cell["config"].contains(key) && cell["config"][key].is_null()) cell["config"].erase(key);
  }
  config["cell"] = cell;
  return config;
}

// Builds the case's layer from its config, sets TF.js's weights, runs it on
// x (with the stored initial states and mask) and checks every output and
// the gradient of sum_k sum(y_k * r_k) with respect to x.
void check_tfjs_case(const std::string& c, std::size_t states) {
  CAPTURE(c);
  const json stored = golden_config(file, c);
  const bool wrapped = stored.contains("cell");
  const auto layer =
      wrapped ? layer_from_config("RNN", keras_rnn_config(stored)) : layer_from_config("SimpleRNN", stored);
  Tensor x = Tensor::parameter(golden(file, c + "/x"));
  std::vector<Tensor> inputs{x};
  if (c.find("state_backwards") != std::string::npos) {  // the cases with initial states
    for (std::size_t k = 0; k < states; ++k) inputs.emplace_back(golden(file, c + "/h" + std::to_string(k)));
  }
  std::vector<PartialShape> shapes;
  for (const Tensor& t : inputs) shapes.push_back(PartialShape(t.shape().begin(), t.shape().end()));
  layer->build_for(shapes);
  std::vector<Array> weights;
  for (std::size_t k = 0; k < layer->get_weights().size(); ++k) {
    weights.push_back(golden(file, c + "/weight_" + std::to_string(k)));
  }
  layer->set_weights(weights);
  Array mask;
  CallContext context;
  if (c.find("mask") != std::string::npos) {
    mask = golden(file, c + "/mask");
    context.masks = {&mask};
  }
  const Outputs<Tensor> ys = (*layer)(inputs, context);
  Tensor loss;
  for (std::size_t k = 0; k < ys.size(); ++k) {
    CAPTURE(k);
    const std::string y = c + "/y" + std::to_string(k), r = c + "/r" + std::to_string(k);
    CHECK(relative_error(ys[k].value(), golden(file, y)) < 1e-5);
    const Tensor term = sum(ys[k] * Tensor(golden(file, r)));
    loss = loss.defined() ? loss + term : term;
  }
  backward(loss);
  CHECK(relative_error(x.grad(), golden(file, c + "/dx")) < 1e-5);
}

// B = 3, T = 4, D = 5: row 0 skips steps 1 and 3, row 2 starts masked.
const Array gappy_mask = {{1, 0, 1, 0}, {1, 1, 1, 1}, {0, 1, 1, 0}};

// B = 2, T = 4: row 1 is padded at the end.
const Array gappy_mask_2 = {{1, 1, 1, 1}, {1, 1, 0, 0}};

// sum of every output, each weighted differently, for gradient checks.
Tensor weighted_sum(const Outputs<Tensor>& ys) {
  Tensor total = sum(ys[0]);
  for (std::size_t k = 1; k < ys.size(); ++k) total = total + sum(ys[k] * Tensor(random_array(ys[k].shape(), 90 + k)));
  return total;
}

}  // namespace

TEST_CASE("SimpleRNN built from TensorFlow.js's Keras configs computes Keras' outputs and input gradients") {
  for (const char* c : {"simple_rnn", "simple_rnn_state_backwards", "simple_rnn_relu_no_bias", "simple_rnn_elu",
                        "simple_rnn_mask"}) {
    check_tfjs_case(c, 1);
  }
}

TEST_CASE("RNN of SimpleRNNCell, GRUCell (reset_after false) and LSTMCell matches TensorFlow.js") {
  for (const auto& [kind, states] : {std::pair{"simple", 1}, {"gru", 1}, {"lstm", 2}}) {
    for (const char* suffix : {"", "_state_backwards", "_mask", "_mask_backwards"}) {
      check_tfjs_case(std::string("rnn_") + kind + suffix, std::size_t(states));
    }
  }
  check_tfjs_case("rnn_gru_relu_no_bias", 1);
}

TEST_CASE("RNN(GRUCell) equals the fused GRU with the same weights, with masks, go_backwards and states") {
  for (const bool backwards : {false, true}) {
    CAPTURE(backwards);
    GRU gru({.units = 3, .return_sequences = true, .return_state = true, .go_backwards = backwards,
             .bias_initializer = "random_uniform"});
    RNN rnn({.cell = GRUCell({.units = 3}), .return_sequences = true, .return_state = true, .go_backwards = backwards});
    Tensor x = random_param({3, 4, 5}, 11, "x");
    Tensor h0 = random_param({3, 3}, 12, "h0", -0.5f, 0.5f);
    gru({x, h0});
    rnn({x, h0});
    rnn->set_weights(gru->get_weights());
    const auto want = gru({x, h0}, {.masks = {&gappy_mask}});
    const auto got = rnn({x, h0}, {.masks = {&gappy_mask}});
    REQUIRE(got.size() == 2);
    CHECK(relative_error(got[0].value(), want[0].value()) < 1e-6);
    CHECK(relative_error(got[1].value(), want[1].value()) < 1e-6);
    backward(sum(want[0]) + sum(want[1] * Tensor(random_array({3, 3}, 13))));
    const Array dx_fused = x.grad(), dh_fused = h0.grad(), dk_fused = gru->kernel().grad();
    x.zero_grad();
    h0.zero_grad();
    backward(sum(got[0]) + sum(got[1] * Tensor(random_array({3, 3}, 13))));
    CHECK(relative_error(x.grad(), dx_fused) < 1e-5);
    CHECK(relative_error(h0.grad(), dh_fused) < 1e-5);
    CHECK(relative_error(rnn->weights()[0].grad(), dk_fused) < 1e-5);
  }
}

TEST_CASE("RNN(LSTMCell) equals the fused LSTM and RNN(SimpleRNNCell) the fused SimpleRNN with the same weights") {
  Tensor x = random_param({3, 4, 5}, 21, "x");
  {
    LSTM lstm({.units = 3, .return_sequences = true, .return_state = true, .go_backwards = true});
    RNN rnn({.cell = LSTMCell({.units = 3}), .return_sequences = true, .return_state = true, .go_backwards = true});
    lstm(x);
    rnn(x);
    rnn->set_weights(lstm->get_weights());
    const auto want = lstm(x, {.masks = {&gappy_mask}});
    const auto got = rnn(x, {.masks = {&gappy_mask}});
    REQUIRE(got.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) CHECK(relative_error(got[k].value(), want[k].value()) < 1e-6);
  }
  for (const char* activation : {"tanh", "relu", "sigmoid", "linear"}) {
    CAPTURE(activation);
    SimpleRNN fused({.units = 4, .activation = activation, .return_sequences = true, .return_state = true,
                     .bias_initializer = "random_uniform"});
    RNN rnn({.cell = SimpleRNNCell({.units = 4, .activation = activation}), .return_sequences = true,
             .return_state = true});
    fused(x);
    rnn(x);
    rnn->set_weights(fused->get_weights());
    const auto want = fused(x, {.masks = {&gappy_mask}});
    const auto got = rnn(x, {.masks = {&gappy_mask}});
    CHECK(relative_error(got[0].value(), want[0].value()) < 1e-6);
    CHECK(relative_error(got[1].value(), want[1].value()) < 1e-6);
  }
}

TEST_CASE("SimpleRNN's fused op gradients match finite differences for each activation, masks and go_backwards") {
  for (const char* activation : {"tanh", "relu", "sigmoid", "linear", "elu"}) {  // elu: the stepped path
    for (const bool backwards : {false, true}) {
      CAPTURE(activation);
      CAPTURE(backwards);
      SimpleRNN rnn({.units = 3, .activation = activation, .return_sequences = true, .return_state = true,
                     .go_backwards = backwards, .bias_initializer = "random_uniform"});
      Tensor x = random_param({3, 4, 5}, 31, "x");
      Tensor h0 = random_param({3, 3}, 32, "h0", -0.5f, 0.5f);
      rnn({x, h0});
      CHECK_GRADIENTS([&] { return weighted_sum(rnn({x, h0}, {.masks = {&gappy_mask}})); },
                      {x, h0, rnn->kernel(), rnn->recurrent_kernel(), rnn->bias()});
    }
  }
}

TEST_CASE("RNN gradients match finite differences through every cell, with masks, go_backwards and states") {
  std::vector<std::pair<std::string, std::shared_ptr<Layer>>> cells = {
      {"SimpleRNNCell", SimpleRNNCell({.units = 3, .bias_initializer = "random_uniform"})},
      {"GRUCell", GRUCell({.units = 3, .bias_initializer = "random_uniform"})},
      {"GRUCell reset_after=false", GRUCell({.units = 3, .bias_initializer = "random_uniform", .reset_after = false})},
      {"LSTMCell", LSTMCell({.units = 3})},
  };
  for (const auto& [what, cell] : cells) {
    CAPTURE(what);
    RNN rnn({.cell = cell, .return_sequences = true, .return_state = true, .go_backwards = true});
    Tensor x = random_param({3, 4, 5}, 41, "x");
    std::vector<Tensor> inputs{x};
    for (std::size_t k = 0; k < rnn->cell()->state_sizes().size(); ++k) {
      inputs.push_back(random_param({3, 3}, 42 + k, "s", -0.5f, 0.5f));
    }
    rnn(inputs);
    std::vector<Tensor> wrt = inputs;
    for (const Tensor& w : rnn->weights()) wrt.push_back(w);
    CHECK_GRADIENTS([&] { return weighted_sum(rnn(inputs, {.masks = {&gappy_mask}})); }, wrt);
  }
}

namespace {

// A user's own cell: two states of different sizes, an output of a third.
//   a_t = tanh(x W + a_{t-1} U);  n_t = n_{t-1} + 1 (a step counter);  output = [a_t, n_t] V
class CountingCell : public RNNCell {
 public:
  CountingCell() : RNNCell("CountingCell", "") {}
  std::vector<std::size_t> state_sizes() const override { return {3, 1}; }
  std::size_t output_size() const override { return 2; }
  CellStep step(const Tensor& x, const std::vector<Tensor>& states, bool) override {
    const Tensor a = kiln::tanh(matmul(x, w_) + matmul(states[0], u_));
    const Tensor n = states[1] + 1.0f;
    return {matmul(a, v_) + n, {a, n}};
  }

 protected:
  void build(const std::vector<PartialShape>& shapes) override {
    w_ = add_weight("kernel", {known_last_dim(shapes[0]), 3}, initializers::glorot_uniform());
    u_ = add_weight("recurrent_kernel", {3, 3}, initializers::orthogonal());
    v_ = add_weight("output_kernel", {3, 2}, initializers::glorot_uniform());
  }

 private:
  Tensor w_, u_, v_;
};

}  // namespace

TEST_CASE("RNN steps a user's own cell: its state sizes, output size, masks and gradients") {
  RNN rnn({.cell = std::make_shared<CountingCell>(), .return_sequences = true, .return_state = true});
  Tensor x = random_param({3, 4, 5}, 51, "x");
  const auto out = rnn(x, {.masks = {&gappy_mask}});
  REQUIRE(out.size() == 3);
  CHECK(out[0].shape() == Shape{3, 4, 2});
  CHECK(out[1].shape() == Shape{3, 3});
  // The counter counts the unmasked steps of each row: 2, 4 and 2.
  const Array counts = kiln::testing::column({2.0f, 4.0f, 2.0f});
  CHECK(out[2].value() == counts);
  // Row 2's first step is masked: its output is zeros there (Keras' previous output starts at zeros).
  CHECK(out[0].value()(2, 0, 0) == 0.0f);
  CHECK(out[0].value()(2, 0, 1) == 0.0f);
  // Row 0's step 1 is masked: it repeats step 0's output.
  CHECK(out[0].value()(0, 1, 0) == out[0].value()(0, 0, 0));
  CHECK(rnn->compute_output_shape({{unknown_dim, 7, 5}}) ==
        std::vector<PartialShape>{{unknown_dim, 7, 2}, {unknown_dim, 3}, {unknown_dim, 1}});
  std::vector<Tensor> wrt{x};
  for (const Tensor& w : rnn->weights()) wrt.push_back(w);
  CHECK(wrt.size() == 4);
  CHECK_GRADIENTS([&] { return weighted_sum(rnn(x, {.masks = {&gappy_mask}})); }, wrt);
}

TEST_CASE("a cell called directly takes [x] or [x, states] and returns [output, states]") {
  GRUCell cell({.units = 3, .bias_initializer = "random_uniform"});
  const Tensor x(random_array({2, 5}, 61));
  const Tensor h(random_array({2, 3}, 62));
  const auto out = cell({x, h});
  REQUIRE(out.size() == 2);
  GRU gru({.units = 3});
  gru(Tensor(random_array({2, 1, 5}, 63)));
  gru->set_weights(cell->get_weights());
  CHECK(relative_error(out[0].value(), gru({reshape(x, Shape{2, 1, 5}), h})[0].value()) < 1e-6);
  CHECK(cell(x)[0].shape() == Shape{2, 3});  // zero states
  LSTMCell lstm({.units = 4});
  CHECK(lstm(x).size() == 3);
}

TEST_CASE("cells and RNN create Keras' weights: names, shapes and get_weights order") {
  RNN gru({.cell = GRUCell({.units = 4, .name = "gru_cell"}), .name = "rnn"});
  gru(Tensor(Array(Shape{2, 3, 5}, 0.0f)));
  const auto named = gru->named_weights();
  REQUIRE(named.size() == 3);
  CHECK(named[0].first == "rnn/gru_cell/kernel");
  CHECK(gru->get_weights()[0].shape() == Shape{5, 12});
  CHECK(gru->get_weights()[1].shape() == Shape{4, 12});
  CHECK(gru->get_weights()[2].shape() == Shape{2, 12});
  GRUCell before({.units = 4, .reset_after = false});
  before(Tensor(Array(Shape{2, 5}, 0.0f)));
  CHECK(before->get_weights()[2].shape() == Shape{12});
  LSTMCell lstm({.units = 2});
  lstm(Tensor(Array(Shape{1, 5}, 0.0f)));
  CHECK(lstm->get_weights()[2] == Array{0.0f, 0.0f, 1.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f});  // unit_forget_bias
  SimpleRNN simple({.units = 2, .use_bias = false});
  simple(Tensor(Array(Shape{1, 3, 5}, 0.0f)));
  CHECK(simple->get_weights().size() == 2);
  CHECK(simple->get_weights()[1].shape() == Shape{2, 2});
}

TEST_CASE("recurrent cells, RNN and SimpleRNN refuse bad options and inputs with clear errors") {
  CHECK_THROWS_WITH_AS(RNN({.cell = Dense({.units = 2, .name = "d"}), .name = "r"}),
                       doctest::Contains("RNN 'r': the cell must be an RNNCell"), Error);
  CHECK_THROWS_WITH_AS(SimpleRNN({.units = 2, .activation = "nope", .name = "s"}),
                       doctest::Contains("SimpleRNN 's': unknown activation 'nope'"), Error);
  CHECK_THROWS_WITH_AS(GRUCell({.units = 2, .recurrent_activation = "nope", .name = "g"}),
                       doctest::Contains("GRUCell 'g': unknown activation 'nope'"), Error);
  CHECK_THROWS_WITH_AS(GRUCell({.units = 2, .recurrent_dropout = 1.0f, .name = "g"}),
                       doctest::Contains("GRUCell 'g': recurrent_dropout must be in [0, 1), got 1"), Error);
  CHECK_THROWS_WITH_AS(LSTMCell({.units = 0, .name = "l"}), doctest::Contains("LSTMCell 'l': units must be positive"),
                       Error);
  RNN rnn({.cell = LSTMCell({.units = 3}), .name = "r"});
  CHECK_THROWS_WITH_AS(rnn(Tensor(Array(Shape{2, 5}, 0.0f))),
                       doctest::Contains("RNN 'r': expected input (batch, time, features), got (2, 5)"), ShapeError);
  const Tensor x(Array(Shape{2, 4, 5}, 0.0f));
  CHECK_THROWS_WITH_AS(rnn({x, Tensor(Array(Shape{2, 3}, 0.0f))}),
                       doctest::Contains("RNN 'r': expected [x] or [x and 2 initial state(s)], got 2 inputs"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(rnn({x, Tensor(Array(Shape{2, 4}, 0.0f)), Tensor(Array(Shape{2, 3}, 0.0f))}),
                       doctest::Contains("RNN 'r': initial state 0 must be (2, 3), got (2, 4)"), ShapeError);
  const Array bad_mask(Shape{2, 3}, 1.0f);
  CHECK_THROWS_WITH_AS(rnn(x, {.masks = {&bad_mask}}),
                       doctest::Contains("RNN 'r': mask must be (batch, time) = (2, 4), got (2, 3)"), ShapeError);
  CHECK_THROWS_WITH_AS(layer_from_config("RNN", json{{"cell", {{"class_name", "Dense"}, {"config", {{"units", 2}}}}}}),
                       doctest::Contains("the cell must be an RNNCell"), Error);
}

TEST_CASE("Bidirectional wraps SimpleRNN: each direction a SimpleRNN, the backward one reading the sequence reversed") {
  Bidirectional bi({.layer = SimpleRNN({.units = 3, .return_sequences = true, .bias_initializer = "random_uniform"})});
  const Tensor x(random_array({2, 4, 5}, 81));
  const Tensor y = bi(x, {.masks = {&gappy_mask_2}});
  CHECK(y.shape() == Shape{2, 4, 6});
  // Bidirectional zeroes the masked steps of a returned sequence, as Keras (zero_output_for_mask).
  SimpleRNN forward({.units = 3, .return_sequences = true, .zero_output_for_mask = true});
  SimpleRNN backward({.units = 3, .return_sequences = true, .go_backwards = true, .zero_output_for_mask = true});
  forward(x);
  backward(x);
  const auto w = bi->get_weights();
  forward->set_weights({w[0], w[1], w[2]});
  backward->set_weights({w[3], w[4], w[5]});
  const Array f = forward(x, {.masks = {&gappy_mask_2}})[0].value();
  const Array b = reverse(backward(x, {.masks = {&gappy_mask_2}})[0], 1).value();
  CHECK(max_abs_diff(Array(xt::view(y.value(), xt::all(), xt::all(), xt::range(0, 3))), f) < 1e-6);
  CHECK(max_abs_diff(Array(xt::view(y.value(), xt::all(), xt::all(), xt::range(3, 6))), b) < 1e-6);
  kiln::testing::check_config_round_trip(*bi);
  const auto model = kiln::testing::one_layer_model(bi, {x.value()});
  kiln::testing::check_save_load(*model, {x.value()});
}

TEST_CASE("SimpleRNN, the cells and RNN round-trip their Keras configs and save_model / load_model") {
  using kiln::testing::check_config_round_trip;
  check_config_round_trip(*SimpleRNN({.units = 3, .activation = "relu", .return_sequences = true,
                                      .go_backwards = true, .dropout = 0.25f, .seed = 7}));
  check_config_round_trip(*SimpleRNNCell({.units = 3, .use_bias = false, .recurrent_dropout = 0.5f}));
  check_config_round_trip(*GRUCell({.units = 3, .activation = "relu", .reset_after = false, .seed = 3}));
  check_config_round_trip(*LSTMCell({.units = 3, .unit_forget_bias = false, .dropout = 0.1f}));
  check_config_round_trip(*RNN({.cell = LSTMCell({.units = 2}), .return_state = true, .zero_output_for_mask = true}));
  const json config = RNN({.cell = GRUCell({.units = 2})})->get_config();
  CHECK(config.at("cell").at("class_name") == "GRUCell");
  CHECK(config.at("cell").at("config").at("units") == 2);
  CHECK(GRU({.units = 2, .dropout = 0.5f})->get_config().at("dropout") == 0.5);

  const Array x = random_array({2, 4, 5}, 71);
  const Array h = random_array({2, 3}, 72);
  for (const std::shared_ptr<Layer>& layer : std::vector<std::shared_ptr<Layer>>{
           SimpleRNN({.units = 3, .return_sequences = true, .bias_initializer = "random_uniform"}),
           SimpleRNN({.units = 3, .activation = "elu", .return_state = true}),
           RNN({.cell = GRUCell({.units = 3, .reset_after = false}), .return_sequences = true}),
           RNN({.cell = LSTMCell({.units = 3}), .return_state = true, .go_backwards = true}),
           RNN({.cell = SimpleRNNCell({.units = 3})})}) {
    CAPTURE(layer->class_name());
    const auto model = kiln::testing::one_layer_model(layer, {x});
    kiln::testing::check_save_load(*model, {x});
  }
  const auto with_state = kiln::testing::one_layer_model(RNN({.cell = GRUCell({.units = 3})}), {x, h});
  kiln::testing::check_save_load(*with_state, {x, h});
}

TEST_CASE("configs as Keras 3 writes them build SimpleRNN, GRU with dropout, and RNN of a GRUCell") {
  // The keys of keras/src/layers/rnn/{simple_rnn,gru,rnn}.py get_config, with Keras 3's serialised forms.
  const json initializer = {{"module", "keras.initializers"}, {"class_name", "GlorotUniform"},
                            {"config", {{"seed", nullptr}}}, {"registered_name", nullptr}};
  json common = {{"trainable", true}, {"dtype", "float32"}, {"return_sequences", true}, {"return_state", false},
                 {"go_backwards", false}, {"stateful", false}, {"unroll", false}, {"zero_output_for_mask", false}};
  json cell = {{"units", 4}, {"activation", "tanh"}, {"use_bias", true}, {"kernel_initializer", initializer},
               {"recurrent_initializer", "orthogonal"}, {"bias_initializer", "zeros"},
               {"kernel_regularizer", nullptr}, {"recurrent_regularizer", nullptr}, {"bias_regularizer", nullptr},
               {"kernel_constraint", nullptr}, {"recurrent_constraint", nullptr}, {"bias_constraint", nullptr},
               {"dropout", 0.25}, {"recurrent_dropout", 0.0}, {"seed", 7}};
  json simple = common;
  simple.update(cell);
  simple["name"] = "simple_rnn";
  simple["activity_regularizer"] = nullptr;
  const auto s = layer_from_config("SimpleRNN", simple);
  CHECK(s->get_config().at("dropout") == 0.25);
  CHECK(s->get_config().at("seed") == 7);

  json gru = simple;
  gru["name"] = "gru";
  gru["recurrent_activation"] = "sigmoid";
  gru["reset_after"] = true;
  gru["recurrent_dropout"] = 0.5;
  CHECK(layer_from_config("GRU", gru)->get_config().at("recurrent_dropout") == 0.5);

  json gru_cell = cell;
  gru_cell["name"] = "gru_cell";
  gru_cell["trainable"] = true;
  gru_cell["dtype"] = "float32";
  gru_cell["recurrent_activation"] = "sigmoid";
  gru_cell["reset_after"] = false;
  json rnn = common;
  rnn["name"] = "rnn";
  rnn["cell"] = {{"module", "keras.layers"}, {"class_name", "GRUCell"}, {"config", gru_cell},
                {"registered_name", nullptr}};
  const auto layer = layer_from_config("RNN", rnn);
  layer->build_for({{unknown_dim, unknown_dim, 3}});
  CHECK(layer->get_weights()[2].shape() == Shape{12});  // reset_after false: one (3 units) bias
  CHECK(layer->compute_output_shape({{2, 5, 3}}) == std::vector<PartialShape>{{2, 5, 4}});
}
