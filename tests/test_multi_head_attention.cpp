// MultiHeadAttention: built from Keras configs with Keras' kernels it
// computes Keras 3's formula (scripts/references/torch/attention.py, which
// also checks it against torch.nn.MultiheadAttention), with query, value,
// key and attention masks and causality; cached step-by-step decoding
// equals the full computation; gradients, configs, save/load, errors.

#include <nlohmann/json.hpp>

#include "golden.hpp"
#include "layer_save_round_trip.hpp"
#include "layers/multi_head_attention.hpp"
#include "layers/registry.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "ops/slice.hpp"
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

TEST_CASE("MultiHeadAttention from Keras configs with Keras' kernels computes Keras' outputs and scores") {
  for (const std::string c : {"self_plain", "cross_masks", "self_causal_no_bias"}) {
    CAPTURE(c);
    const auto layer = layer_from_config("MultiHeadAttention", golden_config(file, c));
    const Tensor query(golden(file, c + "/query"));
    std::vector<Tensor> inputs{query, has(c + "/value") ? Tensor(golden(file, c + "/value")) : query};
    if (has(c + "/key")) inputs.emplace_back(golden(file, c + "/key"));
    if (has(c + "/attention_mask")) inputs.emplace_back(golden(file, c + "/attention_mask"));
    std::vector<Array> masks;
    for (const char* m : {"query_mask", "value_mask", "key_mask"}) masks.push_back(has(c + "/" + m) ? golden(file, c + "/" + m) : Array());
    CallContext context;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, inputs.size()); ++i) {
      context.masks.push_back(masks[i].dimension() ? &masks[i] : nullptr);
    }
    (*layer)(inputs, context);
    layer->set_weights(kiln::testing::golden_weights(file, c));  // Keras' get_weights() order and shapes
    const auto out = (*layer)(inputs, context);
    REQUIRE(out.size() == 2);
    CHECK(kiln::testing::max_abs_diff(out[0].value(), golden(file, c + "/output")) < 1e-5);
    CHECK(kiln::testing::max_abs_diff(out[1].value(), golden(file, c + "/scores")) < 1e-5);
    CHECK(bool(out[0].mask()) == bool(masks[0].dimension()));  // the query's mask carries on
  }
}

TEST_CASE("MultiHeadAttention's weights have Keras' names, layouts and order") {
  MultiHeadAttention mha({.num_heads = 2, .key_dim = 3, .value_dim = 4, .output_shape = std::vector<std::size_t>{5}});
  mha({Tensor(random_array({1, 2, 6}, 1)), Tensor(random_array({1, 3, 7}, 2)), Tensor(random_array({1, 3, 8}, 3))});
  const auto named = mha->named_weights();
  const std::vector<std::pair<std::string, Shape>> expected = {
      {"query/kernel", {6, 2, 3}}, {"query/bias", {2, 3}}, {"key/kernel", {8, 2, 3}}, {"key/bias", {2, 3}},
      {"value/kernel", {7, 2, 4}}, {"value/bias", {2, 4}}, {"attention_output/kernel", {2, 4, 5}},
      {"attention_output/bias", {5}}};
  REQUIRE(named.size() == expected.size());
  for (std::size_t i = 0; i < named.size(); ++i) {
    CHECK(named[i].first == mha->name() + "/" + expected[i].first);
    CHECK(named[i].second.shape() == expected[i].second);
  }
}

TEST_CASE("MultiHeadAttention gradients match finite differences over inputs and every weight") {
  MultiHeadAttention mha({.num_heads = 2, .key_dim = 2, .value_dim = 3, .use_causal_mask = true});
  const Tensor q = random_param({2, 3, 4}, 1, "q"), v = random_param({2, 3, 5}, 2, "v"), k = random_param({2, 3, 3}, 3, "k");
  const Array value_mask{{1, 1, 1}, {1, 1, 0}};
  const CallContext context{.masks = {nullptr, &value_mask}};
  const Tensor upstream(random_array({2, 3, 4}, 4));
  mha({q, v, k}, context);
  std::vector<Tensor> all{q, v, k};
  for (const Tensor& w : mha->weights()) all.push_back(w);
  for (std::size_t i = 3; i < all.size(); ++i) all[i].mutable_value() = random_array(all[i].shape(), 10 + i);
  CHECK_GRADIENTS([&] { return sum(Tensor(mha({q, v, k}, context)) * upstream); }, all);
}

TEST_CASE("MultiHeadAttention decoding step by step with a cache equals the full causal computation") {
  MultiHeadAttention self({.num_heads = 2, .key_dim = 3, .use_causal_mask = true});
  MultiHeadAttention cross({.num_heads = 2, .key_dim = 3});
  const Tensor x(random_array({2, 5, 4}, 1)), encoded(random_array({2, 6, 4}, 2));
  Array encoder_mask = xt::ones<float>({2, 6});
  encoder_mask(1, 5) = encoder_mask(1, 4) = 0.0f;
  const Tensor full_self = self({x, x});
  const Tensor full_cross = cross({x, encoded}, {.masks = {nullptr, &encoder_mask}});
  AttentionCache self_cache, cross_cache;
  for (std::size_t t = 0; t < 5; ++t) {
    const Tensor step = slice(x, 1, t, t + 1);
    const Tensor s = self->attend_cached(step, &step, nullptr, self_cache, true);
    CHECK(kiln::testing::max_abs_diff(s.value(), slice(full_self, 1, t, t + 1).value()) < 1e-5);
    const Tensor c = cross->attend_cached(step, t == 0 ? &encoded : nullptr, nullptr, cross_cache, false, &encoder_mask);
    CHECK(kiln::testing::max_abs_diff(c.value(), slice(full_cross, 1, t, t + 1).value()) < 1e-5);
  }
  CHECK(self_cache.steps() == 5);
  CHECK(cross_cache.steps() == 6);
}

TEST_CASE("MultiHeadAttention's config is Keras' and round-trips; its model saves and loads") {
  MultiHeadAttention mha({.num_heads = 2, .key_dim = 3, .dropout = 0.1f, .output_shape = std::vector<std::size_t>{7},
                          .name = "mha"});
  const auto config = mha->get_config();
  CHECK(config.at("value_dim") == 3);  // resolved, as Keras writes it
  CHECK(config.at("output_shape") == nlohmann::json::array({7}));
  CHECK(config.at("attention_axes").is_null());
  CHECK_FALSE(config.contains("return_attention_scores"));
  CHECK(layer_from_config("MultiHeadAttention", config)->get_config() == config);
  kiln::testing::check_save_load_round_trip(mha.ptr(), {PartialShape{3, 4}, PartialShape{5, 6}},
                                            {random_array({2, 3, 4}, 1), random_array({2, 5, 6}, 2)});
  MultiHeadAttention with_mask({.num_heads = 1, .key_dim = 2, .use_causal_mask = true, .return_attention_scores = true,
                                .name = "mha_masked"});
  Array attention_mask = xt::ones<float>({2, 3, 3});
  attention_mask(0, 2, 1) = 0.0f;
  kiln::testing::check_save_load_round_trip(
      with_mask.ptr(), {PartialShape{3, 4}, PartialShape{3, 4}, PartialShape{3, 4}, PartialShape{3, 3}},
      {random_array({2, 3, 4}, 3), random_array({2, 3, 4}, 4), random_array({2, 3, 4}, 5), attention_mask});
}

TEST_CASE("MultiHeadAttention refuses what it cannot do, naming the layer and the shapes") {
  MultiHeadAttention mha({.num_heads = 2, .key_dim = 3, .name = "mha"});
  CHECK_THROWS_WITH_AS(mha({Tensor(random_array({2, 3, 4}, 1)), Tensor(random_array({2, 5, 4}, 2)), Tensor(random_array({2, 4, 4}, 3))}),
                       "MultiHeadAttention 'mha': value (2, 5, 4) and key (2, 4, 4) have different lengths", ShapeError);
  CHECK_THROWS_WITH_AS(mha({Tensor(random_array({2, 3, 4}, 1)), Tensor(random_array({1, 5, 4}, 2))}),
                       "MultiHeadAttention 'mha': query (2, 3, 4) and value (1, 5, 4) have different batch sizes",
                       ShapeError);
  CHECK_THROWS_WITH_AS(mha({Tensor(random_array({2, 3, 4}, 1)), Tensor(random_array({2, 5, 4}, 2)), Tensor(random_array({2, 5, 4}, 3)),
                            Tensor(random_array({2, 3, 4}, 4))}),
                       "MultiHeadAttention 'mha': attention_mask (2, 3, 4) must be (batch, T, S) for query (2, 3, 4) and "
                       "value (2, 5, 4)",
                       ShapeError);
  mha({Tensor(random_array({2, 3, 4}, 1)), Tensor(random_array({2, 5, 4}, 2))});
  CHECK_THROWS_WITH_AS(mha({Tensor(random_array({2, 3, 6}, 1)), Tensor(random_array({2, 5, 4}, 2))}),
                       doctest::Contains("was built for query, value and key widths 4, 4, 4 and cannot be called on "
                                         "(2, 3, 6), (2, 5, 4)"),
                       ShapeError);
  const Array bad = xt::ones<float>({2, 4});
  CHECK_THROWS_WITH_AS(mha({Tensor(random_array({2, 3, 4}, 1)), Tensor(random_array({2, 5, 4}, 2))}, {.masks = {&bad}}),
                       "MultiHeadAttention 'mha': the query mask must be (batch, time) = (2, 3) for query (2, 3, 4), got (2, 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(MultiHeadAttention({.num_heads = 2, .key_dim = 3, .attention_axes = std::vector<int>{2}}),
                       doctest::Contains("attends over the sequence axis only"), Error);
  CHECK_THROWS_AS(MultiHeadAttention({.num_heads = 0, .key_dim = 3}), Error);
}
