// Masking: Keras' zeroed output and mask (TensorFlow.js, tests/golden/tfjs/
// reshape: masking, masking_value), the mask reaching an LSTM that then
// skips those steps, gradients, config and file round trips.

#include <nlohmann/json.hpp>

#include "golden.hpp"
#include "graph/backward.hpp"
#include "layer_round_trip.hpp"
#include "layers/lstm.hpp"
#include "layers/masking.hpp"
#include "models/sequential.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::golden_config;
using kiln::testing::max_abs_diff;
using kiln::testing::random_array;

TEST_CASE("Masking from Keras' config zeroes and masks the steps that are all mask_value") {
  const std::string file = "tfjs/reshape.safetensors";
  for (const std::string c : {"masking", "masking_value"}) {
    CAPTURE(c);
    const auto layer = layer_from_config("Masking", golden_config(file, c));
    const Tensor y = (*layer)(Tensor(golden(file, c + "/x")));
    CHECK(max_abs_diff(y.value(), golden(file, c + "/y")) == 0.0);
    REQUIRE(y.mask());
    CHECK(max_abs_diff(*y.mask(), golden(file, c + "/mask")) == 0.0);
    // Steps with only some entries equal to mask_value are kept.
    CHECK((*y.mask())(1, 2) == 1.0f);
    CHECK((*y.mask())(1, 3) == 1.0f);
    CHECK((*y.mask())(0, 1) == 0.0f);
  }
}

TEST_CASE("Masking's mask makes an LSTM skip the masked steps, in a Sequential model") {
  Array x = random_array({2, 5, 3}, 5);
  for (std::size_t f = 0; f < 3; ++f) x(0, 3, f) = x(0, 4, f) = 0.0f;  // sequence 0 is padded after step 2
  Sequential model({.layers = {Masking(), LSTM({.units = 4})}, .input_shape = {5, 3}});
  const Array out = Tensor(model(Tensor(x))).value();
  // The last state of sequence 0 is its state after step 2: the same as on the first three steps alone.
  Sequential head({.layers = {LSTM({.units = 4})}, .input_shape = {3, 3}});
  head->set_weights(model->get_weights());
  const Array first_three = xt::view(x, xt::range(0, 1), xt::range(0, 3), xt::all());
  const Array first_out = xt::view(out, xt::range(0, 1), xt::all());
  CHECK(max_abs_diff(first_out, Tensor(head(Tensor(first_three))).value()) <= 1e-6);
}

TEST_CASE("Masking: gradients, config and file round trip, bad input") {
  Array v = random_array({2, 4, 3}, 7);
  for (std::size_t f = 0; f < 3; ++f) v(1, 2, f) = 0.5f;
  Masking masking({.mask_value = 0.5f, .name = "pad"});
  // The output is x times the (piecewise constant) mask: its gradient is the
  // mask, exactly; finite differences cannot see it where a nudge unmasks a step.
  Tensor x = Tensor::parameter(v, "x");
  const Array w = random_array({2, 4, 3}, 8);
  backward(sum(Tensor(masking(x)) * Tensor(w)));
  Array want = w;
  for (std::size_t f = 0; f < 3; ++f) want(1, 2, f) = 0.0f;
  CHECK(max_abs_diff(x.grad(), want) == 0.0);
  Tensor kept = Tensor::parameter(random_array({2, 4, 3}, 9), "kept");
  CHECK_GRADIENTS([&] { return Tensor(masking(kept)) * Tensor(w); }, {kept});
  kiln::testing::check_config_round_trip(*masking);
  CHECK(masking->get_config().at("mask_value") == 0.5);
  const std::vector<Array> xs{v};
  kiln::testing::check_save_load(*kiln::testing::one_layer_model(masking, xs), xs);
  CHECK_THROWS_WITH_AS(masking(Tensor(random_array({4}, 1))),
                       "Masking 'pad': expected input (batch, ..., features) of rank 2 or more, got (4,)", ShapeError);
}
