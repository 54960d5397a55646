// Masks travel with their tensors (Tensor::mask(), Keras' _keras_mask):
// each layer call attaches its outputs' masks, so every layer -- in a
// functional graph, a Sequential stack or a subclassed model's own call --
// receives the masks of exactly the tensors it is given, and a loss weighs
// an output's positions by the output's mask, as Keras does.

#include <cmath>

#include "layers/bahdanau_attention.hpp"
#include "layers/dense.hpp"
#include "layers/embedding.hpp"
#include "layers/gru.hpp"
#include "layers/time_distributed.hpp"
#include "models/functional.hpp"
#include "models/sequential.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;

namespace {

// Ids with trailing padding (0): row b keeps its first lengths[b] steps.
Array padded_ids(const std::vector<std::size_t>& lengths, std::size_t time, float first_id) {
  Array ids = xt::zeros<float>({lengths.size(), time});
  for (std::size_t b = 0; b < lengths.size(); ++b) {
    for (std::size_t t = 0; t < lengths[b]; ++t) ids(b, t) = first_id + float((b + t) % 3);
  }
  return ids;
}

Array mask_of(const Array& ids) { return xt::not_equal(ids, 0.0f); }

// Whether output step t of row b equals step t - 1 (a masked GRU step repeats its output).
bool repeats(const Array& sequence, std::size_t b, std::size_t t) {
  return xt::allclose(xt::view(sequence, b, t), xt::view(sequence, b, t - 1), 0.0, 0.0);
}

}  // namespace

TEST_CASE("a functional model gives each layer the masks of its own inputs, not the first input's") {
  set_random_seed(3);
  auto source = Input({unknown_dim}, "source");
  auto target = Input({unknown_dim}, "target");
  Embedding source_embedding({.input_dim = 6, .output_dim = 4, .mask_zero = true});
  Embedding target_embedding({.input_dim = 6, .output_dim = 4, .mask_zero = true});
  GRU encoder({.units = 3, .return_sequences = true, .return_state = true});
  GRU decoder({.units = 3, .return_sequences = true});
  BahdanauAttention attention;
  auto [encoded, state] = encoder(source_embedding(source)).unpack<2>();
  SymbolicTensor decoded = decoder({target_embedding(target), state});
  auto [context, weights] = attention({encoded, decoded}).unpack<2>();
  Functional model({source, target}, {decoded, context, weights});

  // Different padding in the two inputs: source rows keep 2 and 4 steps,
  // target rows keep 3 and 1.
  const Array source_ids = padded_ids({2, 4}, 4, 1.0f);
  const Array target_ids = padded_ids({3, 1}, 3, 2.0f);
  const auto out = model({Tensor(source_ids), Tensor(target_ids)});

  // The decoder GRU skipped the target's padding: its output repeats there...
  const Array& sequence = out[0].value();
  CHECK(repeats(sequence, 1, 1));
  CHECK(repeats(sequence, 1, 2));
  CHECK_FALSE(repeats(sequence, 0, 2));
  // ...and its output carries the target's mask, the encoder's the source's.
  REQUIRE(out[0].mask());
  CHECK(*out[0].mask() == mask_of(target_ids));
  // The attention ignored the source's padding: zero weight on positions 2, 3 of row 0.
  const Array& w = out[2].value();
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(w(0, i, 2) == 0.0f);
    CHECK(w(0, i, 3) == 0.0f);
    CHECK(w(1, i, 3) > 0.0f);
  }
  // The context (one per decoder step) carries the decoder's mask; the weights none.
  REQUIRE(out[1].mask());
  CHECK(*out[1].mask() == mask_of(target_ids));
  CHECK_FALSE(out[2].mask());
}

TEST_CASE("a layer with several outputs gives each its own mask: the GRU's sequence has one, its state none") {
  Embedding embedding({.input_dim = 5, .output_dim = 2, .mask_zero = true});
  GRU gru({.units = 2, .return_sequences = true, .return_state = true});
  const Array ids = padded_ids({1, 3}, 3, 1.0f);
  auto [sequence, state] = gru(embedding(Tensor(ids))).unpack<2>();
  REQUIRE(sequence.mask());
  CHECK(*sequence.mask() == mask_of(ids));
  CHECK_FALSE(state.mask());
}

TEST_CASE("masks flow through a subclassed model's own calls, and through Sequential") {
  Embedding embedding({.input_dim = 5, .output_dim = 2, .mask_zero = true});
  GRU gru({.units = 2, .return_sequences = true});
  const Array ids = padded_ids({2, 3}, 3, 1.0f);
  // Eager calls: no mask is passed by hand; the GRU reads the embedding's.
  const Tensor eager = gru(embedding(Tensor(ids)));
  CHECK(repeats(eager.value(), 0, 2));

  Sequential stack;
  stack->add(embedding);
  stack->add(gru);
  const Tensor stacked = stack(Tensor(ids));
  CHECK(stacked.value() == eager.value());
  REQUIRE(stacked.mask());
  CHECK(*stacked.mask() == mask_of(ids));
}

TEST_CASE("a mask given to a model's call reaches the layers of that input only") {
  auto a = Input({unknown_dim, 2}, "a");
  auto b = Input({unknown_dim, 2}, "b");
  GRU gru_a({.units = 2, .return_sequences = true});
  GRU gru_b({.units = 2, .return_sequences = true});
  Functional model({a, b}, {gru_a(a), gru_b(b)});
  const Tensor x(random_array({1, 3, 2}, 5));
  const Array mask_b = {{1.0f, 0.0f, 0.0f}};
  const auto out = model({x, x}, {.masks = {nullptr, &mask_b}});
  CHECK_FALSE(repeats(out[0].value(), 0, 1));  // input a unmasked
  CHECK(repeats(out[1].value(), 0, 1));
  CHECK(repeats(out[1].value(), 0, 2));
}

TEST_CASE("a loss weighs an output's positions by the output's mask, as Keras does") {
  set_random_seed(4);
  auto ids_in = Input({unknown_dim}, "ids");
  Embedding embedding({.input_dim = 6, .output_dim = 3, .mask_zero = true});
  Dense head({.units = 2});
  Functional model({ids_in}, {head(embedding(ids_in))});
  model->compile({.optimizer = "sgd", .loss = "mse"});
  const Array ids = padded_ids({2, 4, 1}, 4, 1.0f);
  const Array y = random_array({3, 4, 2}, 9);

  const auto predictions = model({Tensor(ids)});
  REQUIRE(predictions[0].mask());
  const Array& p = predictions[0].value();
  // Keras: the mean over the 7 kept positions (the mask's 1e-7 aside).
  double sum = 0.0;
  for (std::size_t b = 0; b < 3; ++b) {
    for (std::size_t t = 0; t < 4; ++t) {
      if (ids(b, t) == 0.0f) continue;
      for (std::size_t k = 0; k < 2; ++k) sum += std::pow(double(p(b, t, k)) - y(b, t, k), 2) / 2.0;
    }
  }
  Batch batch{{ids}, {y}, std::nullopt};
  const Tensor loss = model->compute_loss(predictions, batch);
  CHECK(loss.item() == doctest::Approx(sum / 7.0).epsilon(1e-5));

  // Sample weights multiply in: row 1 counted twice as much.
  batch.sample_weight = Array{1.0f, 2.0f, 1.0f};
  double weighted = 0.0;
  for (std::size_t b = 0; b < 3; ++b) {
    for (std::size_t t = 0; t < 4; ++t) {
      if (ids(b, t) == 0.0f) continue;
      for (std::size_t k = 0; k < 2; ++k) {
        weighted += (b == 1 ? 2.0 : 1.0) * std::pow(double(p(b, t, k)) - y(b, t, k), 2) / 2.0;
      }
    }
  }
  CHECK(model->compute_loss(predictions, batch).item() == doctest::Approx(weighted / 7.0).epsilon(1e-5));
}

TEST_CASE("a mask that does not fit its tensor is refused with both shapes") {
  const Tensor x(random_array({2, 3, 4}, 1));
  CHECK_THROWS_WITH_AS(x.with_mask(std::make_shared<const Array>(xt::ones<float>({2, 4}))),
                       doctest::Contains("a mask of shape (2, 4) cannot be attached to a tensor of shape (2, 3, 4)"),
                       ShapeError);
  GRU gru({.units = 2, .name = "g"});
  const Array two_masks = xt::ones<float>({2, 3});
  CHECK_THROWS_WITH_AS(gru(x, {.masks = {&two_masks, &two_masks}}),
                       doctest::Contains("GRU 'g': got 2 masks for 1 inputs"), ShapeError);
}
