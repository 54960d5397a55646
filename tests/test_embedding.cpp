// Embedding: table lookup of (batch, time) ids, its gradient, masks from
// padding id 0, symbolic shapes, bad ids and config.

#include <nlohmann/json.hpp>
#include <xtensor/xmath.hpp>

#include "graph/backward.hpp"
#include "layers/embedding.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;

namespace {

// (input_dim 4, output_dim 3): row r is (10 r, 10 r + 1, 10 r + 2).
Array table_values() {
  return Array{{0.0f, 1.0f, 2.0f}, {10.0f, 11.0f, 12.0f}, {20.0f, 21.0f, 22.0f}, {30.0f, 31.0f, 32.0f}};
}

// A (1, 1) batch holding one id.
Tensor one_id(float id) {
  Array a = Array::from_shape({1, 1});
  a(0, 0) = id;
  return Tensor(a);
}

}  // namespace

TEST_CASE("Embedding maps (batch, time) ids to their table rows, (batch, time, output_dim)") {
  Embedding emb({.input_dim = 4, .output_dim = 3});
  Tensor ids(Array{{3.0f, 0.0f}, {2.0f, 2.0f}});
  emb(ids);
  emb->set_weights({table_values()});
  const Array expected = {{{30.0f, 31.0f, 32.0f}, {0.0f, 1.0f, 2.0f}},
                          {{20.0f, 21.0f, 22.0f}, {20.0f, 21.0f, 22.0f}}};
  CHECK(Tensor(emb(ids)).value() == expected);
}

TEST_CASE("Embedding's table is (input_dim, output_dim), named 'embeddings', drawn from U(-0.05, 0.05)") {
  Embedding emb({.input_dim = 50, .output_dim = 8, .name = "tokens"});
  CHECK_FALSE(emb->built());
  emb(one_id(1.0f));
  REQUIRE(emb->named_weights().size() == 1);
  CHECK(emb->named_weights()[0].first == "tokens/embeddings");
  CHECK(emb->embeddings().shape() == Shape{50, 8});
  CHECK(emb->count_params() == 400);
  const Array& table = emb->embeddings().value();
  CHECK(xt::amax(xt::abs(table))() <= 0.05f);
  CHECK(xt::amax(xt::abs(table))() > 0.03f);  // 400 draws reach near the limit
}

TEST_CASE("Embedding accepts any batch and sequence length once built, as an inference decoder needs") {
  Embedding emb({.input_dim = 5, .output_dim = 2});
  emb(Tensor(Array(xt::zeros<float>({4, 20}))));  // id 0 everywhere
  CHECK(Tensor(emb(one_id(1.0f))).shape() == Shape{1, 1, 2});
  CHECK(Tensor(emb(Tensor(Array{{1.0f, 2.0f, 3.0f}}))).shape() == Shape{1, 3, 2});
}

TEST_CASE("Embedding backward adds each position's gradient into the row of its id") {
  Embedding emb({.input_dim = 4, .output_dim = 3});
  Tensor ids(Array{{3.0f, 0.0f}, {2.0f, 2.0f}});
  emb(ids);
  emb->set_weights({table_values()});
  const Array g = {{{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}}, {{7.0f, 8.0f, 9.0f}, {10.0f, 20.0f, 30.0f}}};
  backward(emb(ids), g);
  // Row 2 is looked up twice: (7, 8, 9) + (10, 20, 30); row 1 never.
  const Array expected = {{4.0f, 5.0f, 6.0f}, {0.0f, 0.0f, 0.0f}, {17.0f, 28.0f, 39.0f}, {1.0f, 2.0f, 3.0f}};
  CHECK(emb->embeddings().grad() == expected);
}

// The ids are integers, not a differentiable input: the gradient goes to the table.
TEST_CASE("Embedding gradients match finite differences over the table, with repeated ids") {
  Embedding emb({.input_dim = 6, .output_dim = 4});
  Tensor ids(Array{{5.0f, 1.0f, 1.0f}, {0.0f, 5.0f, 3.0f}});
  emb(ids);
  emb->set_weights({random_array({6, 4}, 3)});
  CHECK_GRADIENTS([&] { return Tensor(emb(ids)); }, {emb->embeddings()});
}

TEST_CASE("Embedding with mask_zero masks the padding id 0; without it there is no mask") {
  Embedding masking({.input_dim = 5, .output_dim = 2, .mask_zero = true});
  Tensor ids(Array{{4.0f, 2.0f, 0.0f, 0.0f}, {1.0f, 0.0f, 3.0f, 0.0f}});
  const Tensor embedded = masking(ids);
  REQUIRE(embedded.mask());
  CHECK(*embedded.mask() == Array{{1.0f, 1.0f, 0.0f, 0.0f}, {1.0f, 0.0f, 1.0f, 0.0f}});

  Embedding plain({.input_dim = 5, .output_dim = 2});
  const Array incoming = Array{{1.0f, 1.0f, 1.0f, 1.0f}, {1.0f, 1.0f, 1.0f, 1.0f}};
  CHECK_FALSE(Tensor(plain(ids, {.masks = {&incoming}})).mask());
}

TEST_CASE("a symbolic Embedding call appends output_dim and keeps None dims") {
  Embedding emb({.input_dim = 100, .output_dim = 16});
  CHECK(SymbolicTensor(emb(Input({unknown_dim}))).shape() == PartialShape{unknown_dim, unknown_dim, 16});
  CHECK(SymbolicTensor(emb(Input({20}))).shape() == PartialShape{unknown_dim, 20, 16});
  CHECK(emb->embeddings().shape() == Shape{100, 16});
}

TEST_CASE("Embedding rejects ids outside [0, input_dim) naming the layer, the id and input_dim") {
  Embedding emb({.input_dim = 5, .output_dim = 2, .name = "emb"});
  CHECK_THROWS_WITH_AS(emb(Tensor(Array{{1.0f, 5.0f}})),
                       "Embedding 'emb': id 5 at position 1 of input (1, 2) is not an integer in [0, input_dim = 5)",
                       Error);
  CHECK_THROWS_WITH_AS(emb(one_id(-1.0f)), doctest::Contains("id -1 at position 0"), Error);
  CHECK_THROWS_WITH_AS(emb(one_id(2.5f)), doctest::Contains("id 2.5 at position 0"), Error);
}

TEST_CASE("Embedding rejects inputs that are not (batch, time) and bad options") {
  Embedding emb({.input_dim = 5, .output_dim = 2, .name = "emb"});
  CHECK_THROWS_WITH_AS(emb(Tensor(Array::from_shape({2, 3, 4}))),
                       "Embedding 'emb': expected input (batch, time) of integer ids, got (2, 3, 4)", ShapeError);
  CHECK_THROWS_WITH_AS(emb(Tensor(Array{1.0f, 2.0f})),
                       "Embedding 'emb': expected input (batch, time) of integer ids, got (2,)", ShapeError);
  CHECK_THROWS_WITH_AS(emb({one_id(1.0f), one_id(1.0f)}),
                       "Embedding 'emb': expected 1 input (batch, time) of integer ids, got 2", ShapeError);
  CHECK_THROWS_WITH_AS(Embedding({.input_dim = 0, .output_dim = 2, .name = "e0"}),
                       "Embedding 'e0': input_dim and output_dim must be positive, got input_dim = 0, output_dim = 2",
                       Error);
  CHECK_THROWS_WITH_AS(Embedding({.input_dim = 3, .output_dim = 2, .embeddings_initializer = "fancy", .name = "e1"}),
                       doctest::Contains("unknown initializer 'fancy' (known: zeros, ones,"), FormatError);
}

TEST_CASE("Embedding reports its config as Keras does") {
  Embedding emb({.input_dim = 7, .output_dim = 3, .mask_zero = true, .name = "source_embedding"});
  const auto config = emb->get_config();
  CHECK(config["name"] == "source_embedding");
  CHECK(config["input_dim"] == 7);
  CHECK(config["output_dim"] == 3);
  CHECK(config["embeddings_initializer"] == "random_uniform");
  CHECK(config["mask_zero"] == true);
  CHECK(config["trainable"] == true);
}
