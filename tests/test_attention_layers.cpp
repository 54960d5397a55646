// Keras 3's Attention and AdditiveAttention: built from Keras configs, with
// Keras' weights, they compute Keras' formulas (written out in PyTorch from
// Keras' source, scripts/references/torch/attention.py), masks included;
// gradients, configs, save/load, shape errors.

#include <nlohmann/json.hpp>

#include "golden.hpp"
#include "layer_save_round_trip.hpp"
#include "layers/additive_attention.hpp"
#include "layers/attention.hpp"
#include "layers/registry.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::golden_config;
using kiln::testing::random_array;
using kiln::testing::random_param;

namespace {

const std::string file = "torch/attention.safetensors";

bool has(const std::string& name) { return kiln::testing::golden_has(file, name); }

}  // namespace

TEST_CASE("Attention and AdditiveAttention from Keras configs compute Keras' outputs and scores") {
  const std::pair<std::string, std::string> cases[] = {{"dot_plain", "Attention"},
                                                       {"dot_scale_key_masks", "Attention"},
                                                       {"concat_causal", "Attention"},
                                                       {"additive_scale_masks", "AdditiveAttention"},
                                                       {"additive_plain", "AdditiveAttention"}};
  for (const auto& [c, class_name] : cases) {
    CAPTURE(c);
    const auto layer = layer_from_config(class_name, golden_config(file, c));
    std::vector<Tensor> inputs{Tensor(golden(file, c + "/query")), Tensor(golden(file, c + "/value"))};
    if (has(c + "/key")) inputs.emplace_back(golden(file, c + "/key"));
    CallContext context;
    const Array query_mask = has(c + "/query_mask") ? golden(file, c + "/query_mask") : Array();
    const Array value_mask = has(c + "/value_mask") ? golden(file, c + "/value_mask") : Array();
    context.masks = {query_mask.dimension() ? &query_mask : nullptr, value_mask.dimension() ? &value_mask : nullptr};
    (*layer)(inputs, context);  // builds
    layer->set_weights(kiln::testing::golden_weights(file, c));
    const auto out = (*layer)(inputs, context);
    REQUIRE(out.size() == 2);
    CHECK(kiln::testing::max_abs_diff(out[0].value(), golden(file, c + "/output")) < 1e-5);
    CHECK(kiln::testing::max_abs_diff(out[1].value(), golden(file, c + "/scores")) < 1e-5);
    // The output carries the query's mask, the scores none.
    CHECK(bool(out[0].mask()) == bool(query_mask.dimension()));
    CHECK_FALSE(out[1].mask());
  }
}

TEST_CASE("Attention and AdditiveAttention gradients match finite differences over inputs and weights") {
  const Tensor q = random_param({2, 3, 4}, 1, "q"), v = random_param({2, 5, 4}, 2, "v"), k = random_param({2, 5, 4}, 3, "k");
  const Array value_mask{{1, 1, 1, 0, 0}, {1, 1, 1, 1, 1}};
  const Array query_mask{{1, 1, 0}, {1, 1, 1}};
  const CallContext masked{.masks = {&query_mask, &value_mask}};
  const Tensor upstream(random_array({2, 3, 4}, 4));

  Attention dot({.use_scale = true, .use_causal_mask = true});
  dot({q, v, k}, masked);
  dot->set_weights({Array(xt::xarray<float>(0.8f))});
  CHECK_GRADIENTS([&] { return sum(Tensor(dot({q, v, k}, masked)) * upstream); }, {q, v, k, dot->scale()});

  Attention concat({.use_scale = true, .score_mode = "concat"});
  concat({q, v}, masked);
  CHECK_GRADIENTS([&] { return sum(Tensor(concat({q, v}, masked)) * upstream); },
                  {q, v, concat->scale(), concat->concat_score_weight()});

  AdditiveAttention additive;
  additive({q, v, k}, masked);
  CHECK_GRADIENTS([&] { return sum(Tensor(additive({q, v, k}, masked)) * upstream); }, {q, v, k, additive->scale()});
}

TEST_CASE("Attention's dropout drops weights only while training") {
  const Tensor q(random_array({2, 3, 4}, 1)), v(random_array({2, 5, 4}, 2));
  Attention attention({.dropout = 0.5f, .return_attention_scores = true});
  const auto inference = attention({q, v});
  const auto again = attention({q, v});
  CHECK(inference[0].value() == again[0].value());
  const auto training = attention({q, v}, {.training = true});
  CHECK(kiln::testing::max_abs_diff(training[0].value(), inference[0].value()) > 1e-3);
  CHECK(training[1].value() == inference[1].value());  // the scores are before dropout
}

TEST_CASE("Attention configs read Keras' keys and keep kiln's call flags only when set") {
  Attention attention({.use_scale = true, .score_mode = "concat", .dropout = 0.1f, .name = "att"});
  auto config = attention->get_config();
  CHECK_FALSE(config.contains("use_causal_mask"));
  CHECK(layer_from_config("Attention", config)->get_config() == config);
  AdditiveAttention causal({.use_scale = false, .use_causal_mask = true, .name = "add"});
  config = causal->get_config();
  CHECK(config.at("use_causal_mask") == true);
  CHECK_FALSE(config.contains("score_mode"));  // as Keras' AdditiveAttention drops it
  CHECK(layer_from_config("AdditiveAttention", config)->get_config() == config);
  CHECK_THROWS_WITH_AS(layer_from_config("Attention", nlohmann::json{{"score_mode", "dot"}, {"use_causal_mask", 1}}),
                       doctest::Contains("Attention: 'use_causal_mask' must be true or false"), FormatError);
  CHECK_THROWS_WITH_AS(Attention({.score_mode = "general"}), doctest::Contains("score_mode must be \"dot\" or \"concat\""),
                       Error);
}

TEST_CASE("Attention and AdditiveAttention models save and load") {
  Attention attention({.use_scale = true, .score_mode = "concat", .name = "att"});
  kiln::testing::check_save_load_round_trip(attention.ptr(), {PartialShape{3, 4}, PartialShape{5, 4}},
                                            {random_array({2, 3, 4}, 1), random_array({2, 5, 4}, 2)});
  AdditiveAttention additive({.return_attention_scores = true, .name = "add"});
  kiln::testing::check_save_load_round_trip(
      additive.ptr(), {PartialShape{3, 4}, PartialShape{5, 6}, PartialShape{5, 4}},
      {random_array({2, 3, 4}, 3), random_array({2, 5, 6}, 4), random_array({2, 5, 4}, 5)});
}

TEST_CASE("Attention layers name themselves and both shapes in their errors") {
  Attention attention({.name = "att"});
  CHECK_THROWS_WITH_AS(attention(Tensor(random_array({2, 3, 4}, 1))),
                       doctest::Contains("Attention 'att': expected 2 or 3 inputs"), ShapeError);
  CHECK_THROWS_WITH_AS(attention({Tensor(random_array({2, 3, 4}, 1)), Tensor(random_array({2, 5, 6}, 2))}),
                       "Attention 'att': the scores need query and value of one width, got (2, 3, 4) and (2, 5, 6)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(attention({Tensor(random_array({2, 3, 4}, 1)), Tensor(random_array({3, 5, 4}, 2))}),
                       "Attention 'att': query (2, 3, 4) and value (3, 5, 4) have different batch sizes", ShapeError);
  AdditiveAttention additive({.name = "add"});
  const Array bad_mask = xt::ones<float>({2, 4});
  CHECK_THROWS_WITH_AS(
      additive({Tensor(random_array({2, 3, 4}, 1)), Tensor(random_array({2, 5, 4}, 2))}, {.masks = {nullptr, &bad_mask}}),
      "AdditiveAttention 'add': the value mask must be (batch, time) = (2, 5) for value (2, 5, 4), got (2, 4)",
      ShapeError);
}
