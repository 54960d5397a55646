// keras_hub's TransformerEncoder and TransformerDecoder: from keras_hub's
// configs with its weights they compute its formulas (written out in
// PyTorch and checked there against torch.nn.TransformerEncoderLayer and
// TransformerDecoderLayer, scripts/references/torch/transformer.py), with
// padding masks and causality; cached decoding equals the full call;
// gradients, configs, save/load, errors.

#include <nlohmann/json.hpp>
#include <xtensor/xview.hpp>

#include "golden.hpp"
#include "layer_save_round_trip.hpp"
#include "layers/registry.hpp"
#include "layers/transformer_decoder.hpp"
#include "layers/transformer_encoder.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "ops/slice.hpp"
#include "graph/error.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::golden_config;
using kiln::testing::random_array;
using kiln::testing::random_param;

namespace {

const std::string file = "torch/transformer.safetensors";

std::vector<Array> golden_weights(const std::string& c, std::size_t count) {
  std::vector<Array> weights;
  for (std::size_t i = 0; i < count; ++i) weights.push_back(golden(file, c + "/weight_" + std::to_string(i)));
  return weights;
}

}  // namespace

TEST_CASE("TransformerEncoder from keras_hub's config with its weights computes its output and scores") {
  const auto layer = layer_from_config("TransformerEncoder", golden_config(file, "encoder"));
  const Array mask = golden(file, "encoder/mask");
  const Tensor x = Tensor(golden(file, "encoder/x")).with_mask(std::make_shared<const Array>(mask));
  (*layer)(x);
  REQUIRE(layer->get_weights().size() == 16);
  layer->set_weights(golden_weights("encoder", 16));  // MHA, two norms, two denses: keras_hub's order
  const auto out = (*layer)(x);
  CHECK(kiln::testing::max_abs_diff(out[0].value(), golden(file, "encoder/y")) < 1e-5);
  CHECK(kiln::testing::max_abs_diff(out[1].value(), golden(file, "encoder/scores")) < 1e-5);
  REQUIRE(out[0].mask());
  CHECK(*out[0].mask() == mask);
}

TEST_CASE("TransformerDecoder from keras_hub's config with its weights computes its output and cross scores") {
  const auto layer = layer_from_config("TransformerDecoder", golden_config(file, "decoder"));
  const Array decoder_mask = golden(file, "decoder/decoder_mask"), encoder_mask = golden(file, "decoder/encoder_mask");
  const std::vector<Tensor> inputs{Tensor(golden(file, "decoder/x")), Tensor(golden(file, "decoder/encoder"))};
  const CallContext context{.masks = {&decoder_mask, &encoder_mask}};
  (*layer)(inputs, context);
  REQUIRE(layer->get_weights().size() == 26);
  layer->set_weights(golden_weights("decoder", 26));
  const auto out = (*layer)(inputs, context);
  CHECK(kiln::testing::max_abs_diff(out[0].value(), golden(file, "decoder/y")) < 1e-5);
  CHECK(kiln::testing::max_abs_diff(out[1].value(), golden(file, "decoder/scores")) < 1e-5);
}

TEST_CASE("Transformer blocks' gradients match finite differences, post-norm and pre-norm") {
  for (const bool pre_norm : {false, true}) {
    CAPTURE(pre_norm);
    TransformerEncoder encoder({.intermediate_dim = 5, .num_heads = 2, .normalize_first = pre_norm});
    TransformerDecoder decoder({.intermediate_dim = 3, .num_heads = 2, .normalize_first = pre_norm});
    const Tensor x = random_param({2, 3, 4}, 1, "x"), y = random_param({2, 2, 4}, 2, "y");
    const Array padding{{1, 1, 1}, {1, 1, 0}};
    const Tensor upstream(random_array({2, 2, 4}, 3));
    const auto run = [&] {
      const Tensor encoded = encoder(x, {.masks = {&padding}});
      return sum(Tensor(decoder({y, encoded}, {.masks = {nullptr, &padding}})) * upstream);
    };
    run();
    std::vector<Tensor> all{x, y};
    for (const Tensor& w : encoder->weights()) all.push_back(w);
    for (const Tensor& w : decoder->weights()) all.push_back(w);
    for (std::size_t i = 2; i < all.size(); ++i) all[i].mutable_value() = random_array(all[i].shape(), 10 + i, -0.8f, 0.8f) + (all[i].ndim() == 1 && all[i].shape(0) == 4 ? 1.0f : 0.0f);
    CHECK_GRADIENTS(run, all);
  }
}

TEST_CASE("TransformerDecoder decoding step by step with its cache equals the full causal call") {
  TransformerDecoder decoder({.intermediate_dim = 6, .num_heads = 2});
  const Tensor x(random_array({3, 4, 8}, 1)), encoded(random_array({3, 5, 8}, 2));
  Array encoder_mask = xt::ones<float>({3, 5});
  encoder_mask(2, 4) = encoder_mask(2, 3) = 0.0f;
  const Tensor full = decoder({x, encoded}, {.masks = {nullptr, &encoder_mask}});
  TransformerDecoderCache cache;
  for (std::size_t t = 0; t < 4; ++t) {
    const Tensor step = decoder->decode_step(slice(x, 1, t, t + 1), &encoded, cache, &encoder_mask);
    CHECK(kiln::testing::max_abs_diff(step.value(), slice(full, 1, t, t + 1).value()) < 1e-5);
  }
  // Reordering the cache's rows reorders the next step's results.
  TransformerDecoderCache copy = cache;
  copy.select_rows({2, 0});
  CHECK(copy.self.rows() == 2);
  CHECK(xt::view(copy.self.key.value(), 0) == xt::view(cache.self.key.value(), 2));
}

TEST_CASE("Transformer blocks' configs are keras_hub's and round-trip; their models save and load") {
  TransformerEncoder encoder({.intermediate_dim = 6, .num_heads = 2, .dropout = 0.1f, .name = "enc"});
  auto config = encoder->get_config();
  CHECK(config.at("layer_norm_epsilon").get<double>() == doctest::Approx(1e-5));
  CHECK_FALSE(config.contains("return_attention_scores"));
  CHECK(layer_from_config("TransformerEncoder", config)->get_config() == config);
  kiln::testing::check_save_load_round_trip(encoder.ptr(), {PartialShape{3, 4}}, {random_array({2, 3, 4}, 1)});

  TransformerDecoder decoder({.intermediate_dim = 5, .num_heads = 2, .normalize_first = true, .name = "dec"});
  config = decoder->get_config();
  CHECK_FALSE(config.contains("use_causal_mask"));  // keras_hub's default, true
  CHECK(layer_from_config("TransformerDecoder", config)->get_config() == config);
  kiln::testing::check_save_load_round_trip(decoder.ptr(), {PartialShape{3, 4}, PartialShape{5, 4}},
                                            {random_array({2, 3, 4}, 2), random_array({2, 5, 4}, 3)});
  TransformerDecoder bidirectional({.intermediate_dim = 5, .num_heads = 1, .use_causal_mask = false});
  CHECK(bidirectional->get_config().at("use_causal_mask") == false);
}

TEST_CASE("Transformer blocks name themselves and the shapes in their errors") {
  TransformerEncoder encoder({.intermediate_dim = 4, .num_heads = 8, .name = "enc"});
  CHECK_THROWS_WITH_AS(encoder(Tensor(random_array({2, 3, 4}, 1))),
                       "TransformerEncoder 'enc': hidden size 4 of x (2, 3, 4) is smaller than num_heads 8 (each head "
                       "gets hidden / num_heads)",
                       ShapeError);
  TransformerDecoder decoder({.intermediate_dim = 4, .num_heads = 2, .name = "dec"});
  CHECK_THROWS_WITH_AS(decoder({Tensor(random_array({2, 3, 4}, 1)), Tensor(random_array({3, 5, 4}, 2))}),
                       "TransformerDecoder 'dec': decoder_sequence (2, 3, 4) and encoder_sequence (3, 5, 4) have "
                       "different batch sizes",
                       ShapeError);
  decoder({Tensor(random_array({2, 3, 4}, 1)), Tensor(random_array({2, 5, 4}, 2))});
  CHECK_THROWS_WITH_AS(decoder(Tensor(random_array({2, 3, 4}, 1))),
                       doctest::Contains("was built with cross-attention and needs [decoder_sequence, encoder_sequence]"),
                       ShapeError);
}
