// Bidirectional: values against a forward and a backward run of the GRU
// equations (tests/reference_rnn.hpp) with the wrapper's own weights, every
// merge mode, states, masks, weight names, gradients, errors and config.

#include <nlohmann/json.hpp>
#include <xtensor/xview.hpp>

#include "graph/error.hpp"
#include "layers/bidirectional.hpp"
#include "layers/dense.hpp"
#include "layers/gru.hpp"
#include "layers/lstm.hpp"
#include "layers/naming.hpp"
#include "layers/registry.hpp"
#include "reference_rnn.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::max_abs_diff;
using kiln::testing::random_array;
using kiln::testing::random_param;
using kiln::testing::reference_gru;

namespace {

// The carried states of one direction of `bi`, by processing step: (B, T, H).
Array direction_run(const RecurrentLayer& gru, const Array& x, const Array& h0) {
  const auto w = gru.get_weights();
  return reference_gru({x, w[0], w[1], w[2], nullptr, gru.settings().go_backwards}, h0);
}

struct Directions {
  Array forward;   // (B, T, H) in input order
  Array backward;  // (B, T, H) reversed back into input order
};

Directions reference_directions(const BidirectionalLayer& bi, const Array& x, const Array& h0f, const Array& h0b) {
  Directions d{direction_run(bi.forward_layer(), x, h0f), direction_run(bi.backward_layer(), x, h0b)};
  const Array processed = d.backward;
  const std::size_t T = x.shape()[1];
  for (std::size_t b = 0; b < x.shape()[0]; ++b)
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t j = 0; j < h0f.shape()[1]; ++j) d.backward(b, t, j) = processed(b, T - 1 - t, j);
  return d;
}

const Array x_values = random_array({2, 4, 3}, 71);
const Array zeros_2x3 = Array(Shape{2, 3}, 0.0f);

}  // namespace

TEST_CASE("Bidirectional concat joins the forward output and the backward output reversed back to input order") {
  Bidirectional bi({.layer = GRU({.units = 3, .return_sequences = true, .bias_initializer = "random_uniform"})});
  const Tensor out = bi(Tensor(x_values));
  CHECK(out.shape() == Shape{2, 4, 6});
  const Directions d = reference_directions(*bi, x_values, zeros_2x3, zeros_2x3);
  Array expected = Array::from_shape({2, 4, 6});
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t t = 0; t < 4; ++t)
      for (std::size_t j = 0; j < 3; ++j) {
        expected(b, t, j) = d.forward(b, t, j);
        expected(b, t, 3 + j) = d.backward(b, t, j);
      }
  CHECK_ARRAY_NEAR(out.value(), expected, 1e-5);
}

TEST_CASE("Bidirectional sum, mul and ave merge the aligned directions elementwise") {
  for (const char* mode : {"sum", "mul", "ave"}) {
    CAPTURE(mode);
    Bidirectional bi({.layer = GRU({.units = 3, .return_sequences = true, .bias_initializer = "random_uniform"}),
                      .merge_mode = mode});
    const Tensor out = bi(Tensor(x_values));
    const Directions d = reference_directions(*bi, x_values, zeros_2x3, zeros_2x3);
    const std::string m = mode;
    const Array expected = m == "sum" ? Array(d.forward + d.backward)
                           : m == "mul" ? Array(d.forward * d.backward)
                                        : Array((d.forward + d.backward) * 0.5f);
    CHECK_ARRAY_NEAR(out.value(), expected, 1e-5);
  }
}

TEST_CASE("without return_sequences Bidirectional merges each direction's last output") {
  Bidirectional bi({.layer = GRU({.units = 3, .bias_initializer = "random_uniform"})});
  const Tensor out = bi(Tensor(x_values));
  REQUIRE(out.shape() == Shape{2, 6});
  const Directions d = reference_directions(*bi, x_values, zeros_2x3, zeros_2x3);
  for (std::size_t b = 0; b < 2; ++b) {
    for (std::size_t j = 0; j < 3; ++j) {
      CHECK(out.value()(b, j) == doctest::Approx(d.forward(b, 3, j)).epsilon(1e-5));
      CHECK(out.value()(b, 3 + j) == doctest::Approx(d.backward(b, 0, j)).epsilon(1e-5));  // read t = 0 last
    }
  }
}

TEST_CASE("Bidirectional with return_state returns [merged, forward states, backward states] and takes both") {
  Bidirectional bi({.layer = GRU({.units = 3, .return_state = true, .bias_initializer = "random_uniform"})});
  const Array h0f = random_array({2, 3}, 72), h0b = random_array({2, 3}, 73);
  const auto out = bi({Tensor(x_values), Tensor(h0f), Tensor(h0b)});
  REQUIRE(out.size() == 3);
  const Directions d = reference_directions(*bi, x_values, h0f, h0b);
  CHECK_ARRAY_NEAR(out[1].value(), Array(xt::view(d.forward, xt::all(), 3)), 1e-5);
  CHECK_ARRAY_NEAR(out[2].value(), Array(xt::view(d.backward, xt::all(), 0)), 1e-5);

  Bidirectional lstm({.layer = LSTM({.units = 2, .return_state = true})});
  const auto states = lstm(Tensor(x_values));
  REQUIRE(states.size() == 5);  // merged, forward h and c, backward h and c
  for (std::size_t k = 1; k < 5; ++k) CHECK(states[k].shape() == Shape{2, 2});
}

TEST_CASE("Bidirectional tracks forward_ and backward_ copies and saves their weights under its name") {
  reset_layer_names();
  GRU inner({.units = 3, .go_backwards = false});
  Bidirectional bi({.layer = inner});
  bi(Tensor(x_values));
  CHECK(bi->forward_layer().name() == "forward_gru");
  CHECK(bi->backward_layer().name() == "backward_gru");
  CHECK(bi->backward_layer().settings().go_backwards);
  CHECK_FALSE(inner->built());  // the template itself is never called
  const auto named = bi->named_weights();
  REQUIRE(named.size() == 6);
  CHECK(named[0].first == "bidirectional/forward_gru/kernel");
  CHECK(named[2].first == "bidirectional/forward_gru/bias");
  CHECK(named[3].first == "bidirectional/backward_gru/kernel");
  CHECK(bi->count_params() == 2 * (3 * 9 + 3 * 9 + 2 * 9));
  CHECK(max_abs_diff(named[0].second.value(), named[3].second.value()) > 0.0);  // independent weights
}

TEST_CASE("a symbolic Bidirectional call gives (None, None, 2 units) for concat and (None, None, units) for sum") {
  Bidirectional concat({.layer = GRU({.units = 5, .return_sequences = true, .return_state = true})});
  const auto out = concat(Input({unknown_dim, 3}));
  REQUIRE(out.size() == 3);
  CHECK(to_string(out[0].shape()) == "(None, None, 10)");
  CHECK(to_string(out[2].shape()) == "(None, 5)");
  CHECK(concat->weights().size() == 6);
  Bidirectional sum({.layer = GRU({.units = 5, .return_sequences = true}), .merge_mode = "sum"});
  CHECK(to_string(SymbolicTensor(sum(Input({unknown_dim, 3}))).shape()) == "(None, None, 5)");
}

TEST_CASE("with a mask Bidirectional outputs zeros at masked steps and passes the mask on") {
  Bidirectional bi({.layer = GRU({.units = 3, .return_sequences = true})});
  const Array mask = {{1.0f, 1.0f, 1.0f, 0.0f}, {1.0f, 1.0f, 1.0f, 1.0f}};
  const Tensor out = bi(Tensor(x_values), {.masks = {&mask}});
  CHECK(Array(xt::view(out.value(), 0, 3)) == Array(Shape{6}, 0.0f));
  CHECK(xt::any(xt::not_equal(xt::view(out.value(), 1, 3), 0.0f)));
  REQUIRE(out.mask());
  CHECK(*out.mask() == mask);
}

TEST_CASE("Bidirectional gradients match finite differences over the input and both directions' weights") {
  Bidirectional bi({.layer = LSTM({.units = 2, .return_sequences = true, .bias_initializer = "random_uniform"})});
  Tensor x = random_param({2, 3, 3}, 74, "x");
  const Array mask = {{1.0f, 1.0f, 0.0f}, {1.0f, 1.0f, 1.0f}};
  bi(x);
  std::vector<Tensor> wrt{x};
  for (const Tensor& w : bi->weights()) wrt.push_back(w);
  CHECK_GRADIENTS([&] { return Tensor(bi(x, {.masks = {&mask}})); }, wrt);
}

TEST_CASE("Bidirectional rejects a non-recurrent layer, an unknown merge mode and a wrong input count") {
  CHECK_THROWS_WITH_AS(Bidirectional({.layer = Dense({.units = 2, .name = "d"}), .name = "bi"}),
                       "Bidirectional 'bi': layer must be a GRU or LSTM, got Dense 'd'", Error);
  CHECK_THROWS_WITH_AS(Bidirectional({.layer = GRU({.units = 2}), .merge_mode = "max", .name = "bi"}),
                       "Bidirectional 'bi': unknown merge_mode 'max' (known: concat, sum, mul, ave)", Error);
  CHECK_THROWS_WITH_AS(Bidirectional({.name = "bi"}),
                       "Bidirectional 'bi': options.layer is empty; pass a GRU or LSTM", Error);
  Bidirectional bi({.layer = GRU({.units = 2}), .name = "bi"});
  const Tensor x(x_values);
  CHECK_THROWS_WITH_AS(bi({x, Tensor(zeros_2x3)}),
                       "Bidirectional 'bi': expected inputs [x] or [x, 1 forward and 1 backward initial states], "
                       "got 2 inputs",
                       ShapeError);
}

TEST_CASE("Bidirectional reports its merge mode and the wrapped layer's config") {
  Bidirectional bi({.layer = GRU({.units = 7, .return_sequences = true, .name = "enc"}), .merge_mode = "ave"});
  const auto config = bi->get_config();
  CHECK(config["merge_mode"] == "ave");
  CHECK(config["layer"]["class_name"] == "GRU");
  CHECK(config["layer"]["config"]["units"] == 7);
  CHECK(config["layer"]["config"]["name"] == "enc");
  const auto rebuilt = std::dynamic_pointer_cast<BidirectionalLayer>(layer_from_config("Bidirectional", config));
  REQUIRE(rebuilt);
  CHECK(rebuilt->get_config() == config);
  CHECK(rebuilt->forward_layer().name() == "forward_enc");
  CHECK(rebuilt->backward_layer().settings().go_backwards);
}
