// keras_hub's PositionEmbedding, SinePositionEncoding and
// TokenAndPositionEmbedding against keras_hub's formulas written out in
// PyTorch (scripts/references/torch/positions.py), built from keras_hub's
// configs with its weights; gradients, configs, save/load, shapes, masks.

#include <nlohmann/json.hpp>
#include <xtensor/xview.hpp>

#include "golden.hpp"
#include "layer_save_round_trip.hpp"
#include "layers/position_embedding.hpp"
#include "layers/registry.hpp"
#include "layers/sine_position_encoding.hpp"
#include "layers/token_and_position_embedding.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "graph/error.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::golden_config;
using kiln::testing::random_array;

namespace {
const std::string file = "torch/positions.safetensors";
}

TEST_CASE("PositionEmbedding from keras_hub's config gives its table's first rows over the batch") {
  const auto layer = layer_from_config("PositionEmbedding", golden_config(file, "position_embedding"));
  const Tensor x(golden(file, "position_embedding/x"));
  (*layer)(x);
  layer->set_weights({golden(file, "position_embedding/weight_0")});
  CHECK(kiln::testing::max_abs_diff(Tensor((*layer)(x)).value(), golden(file, "position_embedding/y")) == 0.0);
  CHECK(layer->get_config() == layer_from_config("PositionEmbedding", layer->get_config())->get_config());
}

TEST_CASE("PositionEmbedding gradients reach the rows used, and nothing else") {
  PositionEmbedding positions({.sequence_length = 5});
  const Tensor x(random_array({2, 3, 4}, 1));
  positions(x);
  const Tensor upstream(random_array({2, 3, 4}, 2));
  CHECK_GRADIENTS([&] { return sum(Tensor(positions(x)) * upstream); }, {positions->embeddings()});
  CHECK(Tensor(positions->positions(2, 3)).value() == xt::view(positions->embeddings().value(), xt::range(3, 5)));
}

TEST_CASE("SinePositionEncoding is keras_hub's formula exactly") {
  for (const std::string c : {"sine_even", "sine_odd"}) {
    CAPTURE(c);
    const auto layer = layer_from_config("SinePositionEncoding", golden_config(file, c));
    CHECK(kiln::testing::max_abs_diff(Tensor((*layer)(Tensor(golden(file, c + "/x")))).value(), golden(file, c + "/y")) < 1e-6);
    CHECK(layer->weights().empty());
  }
  CHECK(kiln::testing::max_abs_diff(sine_position_encoding(3, 6, 10000.0f, 4), golden(file, "sine_start/y")) < 1e-6);
}

TEST_CASE("TokenAndPositionEmbedding from keras_hub's config sums its two tables and masks zeros") {
  const auto layer = layer_from_config("TokenAndPositionEmbedding", golden_config(file, "token_and_position"));
  const Tensor ids(golden(file, "token_and_position/ids"));
  (*layer)(ids);
  layer->set_weights({golden(file, "token_and_position/weight_0"), golden(file, "token_and_position/weight_1")});
  const Tensor y = (*layer)(ids);
  CHECK(kiln::testing::max_abs_diff(y.value(), golden(file, "token_and_position/y")) < 1e-6);
  REQUIRE(y.mask());
  CHECK(*y.mask() == golden(file, "token_and_position/mask"));
  const auto named = layer->named_weights();
  REQUIRE(named.size() == 2);
  CHECK(named[0].first == "token_and_position/token_embedding/embeddings");
  CHECK(named[1].first == "token_and_position/position_embedding/embeddings");
}

TEST_CASE("TokenAndPositionEmbedding: gradients, a step at a start index, config and save/load") {
  TokenAndPositionEmbedding embed({.vocabulary_size = 6, .sequence_length = 5, .embedding_dim = 3, .name = "tpe"});
  const Array ids{{1, 2, 3}, {4, 5, 0}};
  embed(Tensor(ids));
  const Tensor upstream(random_array({2, 3, 3}, 1));
  CHECK_GRADIENTS([&] { return sum(Tensor(embed(Tensor(ids))) * upstream); },
                  {embed->token_embedding()->embeddings(), embed->position_embedding()->embeddings()});
  // Position 2 alone, as a decoder's third step.
  const Array step = kiln::testing::column({3.0f, 0.0f});
  const Tensor one = embed->embed(Tensor(step), 2);
  const Tensor all = embed(Tensor(ids));
  CHECK(kiln::testing::max_abs_diff(xt::view(one.value(), xt::all(), 0, xt::all()), xt::view(all.value(), xt::all(), 2, xt::all())) < 1e-7);
  const auto config = embed->get_config();
  CHECK(config.at("tie_weights") == true);
  CHECK(layer_from_config("TokenAndPositionEmbedding", config)->get_config() == config);
  kiln::testing::check_save_load_round_trip(embed.ptr(), {PartialShape{3}}, {ids});
  SinePositionEncoding sine({.max_wavelength = 100.0f, .name = "sine"});
  kiln::testing::check_save_load_round_trip(sine.ptr(), {PartialShape{4, 6}}, {random_array({2, 4, 6}, 2)});
}

TEST_CASE("position layers refuse sequences longer than their tables, naming the layer and the shape") {
  PositionEmbedding positions({.sequence_length = 3, .name = "pos"});
  CHECK_THROWS_WITH_AS(positions(Tensor(random_array({2, 4, 5}, 1))),
                       "PositionEmbedding 'pos': the input (2, 4, 5) is longer than sequence_length 3 (kiln does not "
                       "extrapolate positions)",
                       ShapeError);
  TokenAndPositionEmbedding embed({.vocabulary_size = 4, .sequence_length = 2, .embedding_dim = 3, .name = "tpe"});
  CHECK_THROWS_WITH_AS(embed(Tensor(Array{{1, 2, 3}})),
                       "TokenAndPositionEmbedding 'tpe': the input (1, 3) is longer than sequence_length 2", ShapeError);
  CHECK_THROWS_WITH_AS(TokenAndPositionEmbedding({.vocabulary_size = 4, .sequence_length = 2, .embedding_dim = 3,
                                                  .tie_weights = false}),
                       doctest::Contains("tie_weights false"), Error);
  SinePositionEncoding sine({.name = "sine"});
  CHECK_THROWS_WITH_AS(sine(Tensor(random_array({2, 4}, 1))),
                       doctest::Contains("SinePositionEncoding 'sine': expected"), ShapeError);
}
