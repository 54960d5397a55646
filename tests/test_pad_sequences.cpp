// pad_sequences: Keras' padding and truncation, worked by hand.

#include <doctest/doctest.h>

#include "graph/error.hpp"
#include "text/pad_sequences.hpp"

using namespace kiln;
using namespace kiln::text;

namespace {
const std::vector<Sequence> kRagged = {{1, 2, 3}, {4, 5}, {6}};
}

TEST_CASE("by default sequences are padded in front to the longest length") {
  CHECK(pad_sequences(kRagged) == Array{{1, 2, 3}, {0, 4, 5}, {0, 0, 6}});
}

TEST_CASE("padding \"post\" puts the padding after the ids") {
  CHECK(pad_sequences(kRagged, {.padding = "post"}) == Array{{1, 2, 3}, {4, 5, 0}, {6, 0, 0}});
}

TEST_CASE("truncating \"pre\" drops the first ids of a long sequence, \"post\" the last ones") {
  CHECK(pad_sequences(kRagged, {.maxlen = 2}) == Array{{2, 3}, {4, 5}, {0, 6}});
  CHECK(pad_sequences(kRagged, {.maxlen = 2, .truncating = "post"}) == Array{{1, 2}, {4, 5}, {0, 6}});
  CHECK(pad_sequences(kRagged, {.maxlen = 2, .padding = "post", .truncating = "post"}) ==
        Array{{1, 2}, {4, 5}, {6, 0}});
}

TEST_CASE("a maxlen longer than every sequence pads all of them, with the given value") {
  CHECK(pad_sequences(kRagged, {.maxlen = 4, .value = -1.0f}) ==
        Array{{-1, 1, 2, 3}, {-1, -1, 4, 5}, {-1, -1, -1, 6}});
}

TEST_CASE("empty sequences become rows of padding and no sequences an empty batch") {
  Array one_column = Array::from_shape({2, 1});
  one_column(0, 0) = 0.0f;
  one_column(1, 0) = 7.0f;
  CHECK(pad_sequences({{}, {7}}) == one_column);
  const Array none = pad_sequences({}, {.maxlen = 4});
  CHECK(none.shape() == Shape{0, 4});
  const Array all_empty = pad_sequences({{}, {}});
  CHECK(all_empty.shape() == Shape{2, 0});
}

TEST_CASE("pad_sequences rejects unknown padding or truncating and ids float32 cannot hold") {
  CHECK_THROWS_WITH_AS(pad_sequences(kRagged, {.padding = "both"}),
                       "pad_sequences: padding must be \"pre\" or \"post\", got \"both\"", Error);
  CHECK_THROWS_WITH_AS(pad_sequences(kRagged, {.truncating = "middle"}),
                       "pad_sequences: truncating must be \"pre\" or \"post\", got \"middle\"", Error);
  // checked even when no sequence needs padding, unlike Keras
  CHECK_THROWS_AS(pad_sequences({}, {.padding = "Pre"}), Error);
  CHECK_THROWS_WITH_AS(pad_sequences({{1}, {2, 16777217}}),
                       "pad_sequences: id 16777217 in sequence 1 cannot be stored exactly as float32 (|id| > 2^24)",
                       Error);
  CHECK(pad_sequences({{16777216}})(0, 0) == 16777216.0f);
}
