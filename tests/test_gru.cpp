// GRU: the fused op gru_sequence and the GRU layer against the golden numbers
// (Keras TF2 GRU computed in float64 with PyTorch), against the equations
// written out step by step (tests/reference_rnn.hpp) with masks and
// go_backwards, finite-difference gradients, errors and config. Behaviour
// GRU shares with LSTM is specified in test_recurrent.cpp.

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>
#include <xtensor/xview.hpp>

#include "golden.hpp"
#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "layers/gru.hpp"
#include "layers/registry.hpp"
#include "ops/arithmetic.hpp"
#include "ops/gru.hpp"
#include "ops/reductions.hpp"
#include "ops/slice.hpp"
#include "reference_rnn.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::relative_error;
using kiln::testing::random_array;
using kiln::testing::random_param;
using kiln::testing::ReferenceRnn;
using kiln::testing::reference_gru;

namespace {

Array gold(const char* tensor) { return golden("gru.safetensors", tensor); }

// L = sum(sequence * R) + sum(state * S), the golden file's scalar.
Tensor golden_loss(const Tensor& sequence, const Tensor& state) {
  return sum(sequence * Tensor(gold("seq_cotangent"))) + sum(state * Tensor(gold("state_cotangent")));
}

void check_golden_grads(const Tensor& x, const Tensor& h0, const Tensor& kernel, const Tensor& recurrent_kernel,
                        const Tensor& bias) {
  CHECK(relative_error(x.grad(), gold("grad/x")) < 1e-5);
  CHECK(relative_error(h0.grad(), gold("grad/initial_state")) < 1e-5);
  CHECK(relative_error(kernel.grad(), gold("grad/kernel")) < 1e-5);
  CHECK(relative_error(recurrent_kernel.grad(), gold("grad/recurrent_kernel")) < 1e-5);
  CHECK(relative_error(bias.grad(), gold("grad/bias")) < 1e-5);
}

// Random GRU inputs: B = 3, T = 4, D = 5, H = 3.
struct SmallGru {
  Array x = random_array({3, 4, 5}, 1);
  Array h0 = random_array({3, 3}, 2, -0.5f, 0.5f);
  Array kernel = random_array({5, 9}, 3, -0.6f, 0.6f);
  Array recurrent_kernel = random_array({3, 9}, 4, -0.6f, 0.6f);
  Array bias = random_array({2, 9}, 5, -0.3f, 0.3f);
};

// Row 0 skips steps 1 and 3, row 1 runs every step, row 2 skips them all.
const Array gappy_mask = {{1.0f, 0.0f, 1.0f, 0.0f}, {1.0f, 1.0f, 1.0f, 1.0f}, {0.0f, 0.0f, 0.0f, 0.0f}};

}  // namespace

TEST_CASE("gru_sequence reproduces the golden Keras GRU sequence and final state") {
  const Tensor seq = gru_sequence(Tensor(gold("x")), Tensor(gold("initial_state")), Tensor(gold("kernel")),
                                  Tensor(gold("recurrent_kernel")), Tensor(gold("bias")));
  CHECK(seq.shape() == Shape{3, 5, 6});
  CHECK(relative_error(seq.value(), gold("sequence")) < 1e-5);
  CHECK(relative_error(select(seq, 1, 4).value(), gold("state")) < 1e-5);
}

TEST_CASE("gru_sequence gradients match the golden ones for every input") {
  Tensor x = Tensor::parameter(gold("x"), "x");
  Tensor h0 = Tensor::parameter(gold("initial_state"), "h0");
  Tensor kernel = Tensor::parameter(gold("kernel"), "kernel");
  Tensor recurrent_kernel = Tensor::parameter(gold("recurrent_kernel"), "recurrent_kernel");
  Tensor bias = Tensor::parameter(gold("bias"), "bias");
  const Tensor seq = gru_sequence(x, h0, kernel, recurrent_kernel, bias);
  backward(golden_loss(seq, select(seq, 1, 4)));
  check_golden_grads(x, h0, kernel, recurrent_kernel, bias);
}

TEST_CASE("the GRU layer with the golden weights returns the golden sequence, state and gradients") {
  GRU gru({.units = 6, .return_sequences = true, .return_state = true});
  gru->build_for({{3, 5, 4}, {3, 6}});
  gru->set_weights({gold("kernel"), gold("recurrent_kernel"), gold("bias")});
  Tensor x = Tensor::parameter(gold("x"), "x");
  Tensor h0 = Tensor::parameter(gold("initial_state"), "h0");
  auto [sequence, state] = gru({x, h0}).unpack<2>();
  CHECK(relative_error(sequence.value(), gold("sequence")) < 1e-5);
  CHECK(relative_error(state.value(), gold("state")) < 1e-5);
  backward(golden_loss(sequence, state));
  check_golden_grads(x, h0, gru->kernel(), gru->recurrent_kernel(), gru->bias());
}

TEST_CASE("gru_sequence follows the GRU equations step by step, with masks and go_backwards") {
  const SmallGru g;
  for (const bool backwards : {false, true}) {
    for (const Array* mask : {static_cast<const Array*>(nullptr), &gappy_mask}) {
      CAPTURE(backwards);
      CAPTURE(mask != nullptr);
      const Tensor seq = gru_sequence(Tensor(g.x), Tensor(g.h0), Tensor(g.kernel), Tensor(g.recurrent_kernel),
                                      Tensor(g.bias), {.mask = mask, .go_backwards = backwards});
      const Array expected = reference_gru({g.x, g.kernel, g.recurrent_kernel, g.bias, mask, backwards}, g.h0);
      CHECK_ARRAY_NEAR(seq.value(), expected, 1e-5);
    }
  }
}

TEST_CASE("gru_sequence without a bias follows the equations with no bias") {
  const SmallGru g;
  const Tensor seq =
      gru_sequence(Tensor(g.x), Tensor(g.h0), Tensor(g.kernel), Tensor(g.recurrent_kernel), Tensor());
  CHECK_ARRAY_NEAR(seq.value(), reference_gru({g.x, g.kernel, g.recurrent_kernel, Array(), nullptr, false}, g.h0),
                   1e-5);
}

TEST_CASE("at a masked step the GRU state is carried unchanged") {
  const SmallGru g;
  const Array seq = gru_sequence(Tensor(g.x), Tensor(g.h0), Tensor(g.kernel), Tensor(g.recurrent_kernel),
                                 Tensor(g.bias), {.mask = &gappy_mask})
                        .value();
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(seq(0, 1, j) == seq(0, 0, j));  // row 0 skips step 1 ...
    CHECK(seq(0, 3, j) == seq(0, 2, j));  // ... and step 3
    CHECK(seq(0, 2, j) != seq(0, 1, j));  // but runs step 2
    for (std::size_t s = 0; s < 4; ++s) CHECK(seq(2, s, j) == g.h0(2, j));  // row 2 never moves
  }
}

TEST_CASE("gru_sequence gradients match finite differences over every input, with a mask and go_backwards") {
  Tensor x = random_param({2, 3, 3}, 11, "x");
  Tensor h0 = random_param({2, 2}, 12, "h0", -0.5f, 0.5f);
  Tensor kernel = random_param({3, 6}, 13, "kernel");
  Tensor recurrent_kernel = random_param({2, 6}, 14, "recurrent_kernel");
  Tensor bias = random_param({2, 6}, 15, "bias", -0.5f, 0.5f);
  const Array mask = {{1.0f, 0.0f, 1.0f}, {0.0f, 1.0f, 1.0f}};
  for (const bool backwards : {false, true}) {
    for (const Array* m : {static_cast<const Array*>(nullptr), &mask}) {
      CAPTURE(backwards);
      CAPTURE(m != nullptr);
      CHECK_GRADIENTS([&] { return gru_sequence(x, h0, kernel, recurrent_kernel, bias, {m, backwards}); },
                      {x, h0, kernel, recurrent_kernel, bias});
    }
  }
  CHECK_GRADIENTS([&] { return gru_sequence(x, h0, kernel, recurrent_kernel, Tensor()); },
                  {x, h0, kernel, recurrent_kernel});
}

TEST_CASE("gru_sequence sends gradients only to inputs that require them") {
  const SmallGru g;
  Tensor x(g.x), h0(g.h0), bias(g.bias);
  Tensor kernel = Tensor::parameter(g.kernel, "kernel");
  Tensor recurrent_kernel = Tensor::parameter(g.recurrent_kernel, "recurrent_kernel");
  const Tensor seq = gru_sequence(x, h0, kernel, recurrent_kernel, bias);
  backward(sum(seq));
  CHECK(kernel.has_grad());
  CHECK(recurrent_kernel.has_grad());
  CHECK_FALSE(x.has_grad());
  CHECK_FALSE(h0.has_grad());
  CHECK_FALSE(bias.has_grad());
}

TEST_CASE("gru_sequence records nothing when no gradient is wanted, and one node otherwise") {
  const SmallGru g;
  Tensor kernel = Tensor::parameter(g.kernel, "kernel");
  {
    NoGradGuard no_grad;
    const Tensor seq = gru_sequence(Tensor(g.x), Tensor(g.h0), kernel, Tensor(g.recurrent_kernel), Tensor(g.bias));
    CHECK_FALSE(seq.requires_grad());
    CHECK(seq.is_leaf());
  }
  const Tensor seq = gru_sequence(Tensor(g.x), Tensor(g.h0), kernel, Tensor(g.recurrent_kernel), Tensor(g.bias));
  CHECK(seq.requires_grad());
  // The whole sequence is one node, with an edge to the one input needing a gradient.
  REQUIRE(static_cast<bool>(seq.meta().grad_fn));
  CHECK(seq.meta().grad_fn.inputs.size() == 1);
  CHECK(seq.meta().grad_fn.inputs[0] == kernel.shared_meta());
}

TEST_CASE("the GRU layer with go_backwards returns the sequence in processing order") {
  const SmallGru g;
  GRU gru({.units = 3, .return_sequences = true, .go_backwards = true});
  gru->build_for({{3, 4, 5}});
  gru->set_weights({g.kernel, g.recurrent_kernel, g.bias});
  const Tensor out = gru(Tensor(g.x));
  const Array zeros(Shape{3, 3}, 0.0f);
  const Array expected = reference_gru({g.x, g.kernel, g.recurrent_kernel, g.bias, nullptr, true}, zeros);
  CHECK_ARRAY_NEAR(out.value(), expected, 1e-5);
  // Step 0 has read only the last input step: a GRU run on that step alone.
  const Array last_step = xt::view(g.x, xt::all(), xt::range(3, 4), xt::all());
  const Array alone = reference_gru({last_step, g.kernel, g.recurrent_kernel, g.bias, nullptr, false}, zeros);
  CHECK(std::abs(out.value()(1, 0, 2) - alone(1, 0, 2)) < 1e-5f);
}

TEST_CASE("GRU layer gradients match finite differences over input, initial state and weights") {
  GRU gru({.units = 2, .return_sequences = true, .bias_initializer = "random_uniform"});
  Tensor x = random_param({2, 3, 3}, 21, "x");
  Tensor h0 = random_param({2, 2}, 22, "h0", -0.5f, 0.5f);
  const Array mask = {{1.0f, 1.0f, 0.0f}, {0.0f, 1.0f, 1.0f}};
  gru({x, h0});
  CHECK_GRADIENTS([&] { return Tensor(gru({x, h0}, {.masks = {&mask}})); },
                  {x, h0, gru->kernel(), gru->recurrent_kernel(), gru->bias()});
}

TEST_CASE("gru_sequence names the argument and the shapes when they do not fit") {
  const SmallGru g;
  const Tensor x(g.x), h0(g.h0), k(g.kernel), rk(g.recurrent_kernel), b(g.bias);
  CHECK_THROWS_WITH_AS(gru_sequence(Tensor(Array::from_shape({3, 5})), h0, k, rk, b),
                       "gru_sequence: expected input (batch, time, features), got (3, 5)", ShapeError);
  CHECK_THROWS_WITH_AS(gru_sequence(x, h0, Tensor(Array::from_shape({4, 9})), rk, b),
                       "gru_sequence: kernel must be (5, 9) for input (3, 4, 5), got (4, 9)", ShapeError);
  CHECK_THROWS_WITH_AS(gru_sequence(x, h0, k, Tensor(Array::from_shape({3, 12})), b),
                       "gru_sequence: recurrent_kernel must be (units, 3 * units), got (3, 12)", ShapeError);
  CHECK_THROWS_WITH_AS(gru_sequence(x, h0, k, rk, Tensor(Array::from_shape({9}))),
                       "gru_sequence: bias must be (2, 9) for input (3, 4, 5), got (9)", ShapeError);
  CHECK_THROWS_WITH_AS(gru_sequence(x, Tensor(Array::from_shape({2, 3})), k, rk, b),
                       "gru_sequence: initial state 0 must be (3, 3) for input (3, 4, 5), got (2, 3)", ShapeError);
  const Array short_mask = Array::from_shape({3, 2});
  CHECK_THROWS_WITH_AS(gru_sequence(x, h0, k, rk, b, {.mask = &short_mask}),
                       "gru_sequence: mask must be (3, 4) for input (3, 4, 5), got (3, 2)", ShapeError);
  CHECK_THROWS_WITH_AS(gru_sequence(Tensor(Array::from_shape({3, 0, 5})), h0, k, rk, b),
                       "gru_sequence: input (3, 0, 5) has no time steps", ShapeError);
}

TEST_CASE("GRU creates kernel, recurrent_kernel and bias with Keras' shapes and names") {
  GRU gru({.units = 4, .name = "encoder_gru"});
  gru(Tensor(Array(Shape{2, 3, 5}, 0.0f)));
  const auto named = gru->named_weights();
  REQUIRE(named.size() == 3);
  CHECK(named[0].first == "encoder_gru/kernel");
  CHECK(named[0].second.shape() == Shape{5, 12});
  CHECK(named[1].first == "encoder_gru/recurrent_kernel");
  CHECK(named[1].second.shape() == Shape{4, 12});
  CHECK(named[2].first == "encoder_gru/bias");
  CHECK(named[2].second.shape() == Shape{2, 12});
  CHECK(gru->count_params() == 5 * 12 + 4 * 12 + 2 * 12);
  // orthogonal recurrent kernel: its 4 rows are orthonormal
  const Array& rk = gru->recurrent_kernel().value();
  for (std::size_t a = 0; a < 4; ++a) {
    double dot = 0.0;
    for (std::size_t j = 0; j < 12; ++j) dot += double(rk(a, j)) * rk((a + 1) % 4, j);
    CHECK(std::abs(dot) < 1e-5);
  }
  GRU no_bias({.units = 4, .use_bias = false});
  no_bias(Tensor(Array(Shape{2, 3, 5}, 0.0f)));
  CHECK(no_bias->weights().size() == 2);
  CHECK_FALSE(no_bias->bias().defined());
}

TEST_CASE("GRU rejects options the fused op does not implement, naming the layer") {
  CHECK_THROWS_WITH_AS(GRU({.units = 4, .reset_after = false, .name = "g"}),
                       doctest::Contains("GRU 'g': reset_after = false is not supported"), Error);
  CHECK_THROWS_WITH_AS(GRU({.units = 4, .activation = "relu", .name = "g"}),
                       doctest::Contains("GRU 'g': activation 'relu' with recurrent_activation 'sigmoid' is not "
                                         "supported"),
                       Error);
  CHECK_THROWS_WITH_AS(GRU({.units = 4, .recurrent_activation = "hard_sigmoid"}),
                       doctest::Contains("recurrent_activation 'hard_sigmoid' is not supported"), Error);
  CHECK_THROWS_WITH_AS(GRU({.units = 4, .kernel_initializer = "he_normally"}),
                       doctest::Contains("unknown initializer 'he_normally'"), Error);
  CHECK_THROWS_WITH_AS(GRU({.units = 0, .name = "g"}), "GRU 'g': units must be positive", Error);
}

TEST_CASE("GRU reports its config as Keras does") {
  GRU gru({.units = 96, .return_sequences = true, .name = "decoder_gru"});
  const auto config = gru->get_config();
  CHECK(config["name"] == "decoder_gru");
  CHECK(config["units"] == 96);
  CHECK(config["activation"] == "tanh");
  CHECK(config["recurrent_activation"] == "sigmoid");
  CHECK(config["use_bias"] == true);
  CHECK(config["return_sequences"] == true);
  CHECK(config["return_state"] == false);
  CHECK(config["go_backwards"] == false);
  CHECK_FALSE(config.contains("stateful"));  // kiln's recurrent layers are never stateful
  CHECK(config["reset_after"] == true);
  CHECK(config["kernel_initializer"] == "glorot_uniform");
  CHECK(config["recurrent_initializer"] == "orthogonal");
  CHECK(config["bias_initializer"] == "zeros");
}

TEST_CASE("a GRU rebuilt from its config has the same config, and a stateful config is refused") {
  GRU gru({.units = 5, .use_bias = false, .return_state = true, .go_backwards = true,
           .recurrent_initializer = "glorot_uniform", .name = "g"});
  const auto config = gru->get_config();
  const auto rebuilt = layer_from_config("GRU", config);
  CHECK(rebuilt->class_name() == "GRU");
  CHECK(rebuilt->get_config() == config);
  auto stateful = config;
  stateful["stateful"] = true;
  CHECK_THROWS_WITH_AS(layer_from_config("GRU", stateful), "layer_from_config: bad config for a 'GRU': GRU: 'stateful': true is not supported by kiln",
                       FormatError);
}

TEST_CASE("a GRU built on [x] can later be given an initial state, as in Keras") {
  GRU gru({.units = 3, .return_state = true});
  Tensor x(kiln::testing::random_array({2, 4, 5}, 21));
  auto first = gru(x);
  Tensor h0(Array(xt::zeros<float>({2, 3})));
  auto with_state = gru({x, h0});  // zero initial state: the same as the default
  CHECK_ARRAY_NEAR(with_state[0].value(), first[0].value(), 1e-7);
  CHECK_THROWS_WITH_AS(gru(Tensor(Array::from_shape({2, 4, 6}))), doctest::Contains("built for 5 input features"),
                       ShapeError);
}
