// One-hot products as row gathers (ops/one_hot_rows.hpp), and the recurrent
// ops taking that path for one-hot inputs with the same values and
// gradients as the dense product.

#include "graph/backward.hpp"
#include "ops/arithmetic.hpp"
#include "ops/gru.hpp"
#include "ops/lstm.hpp"
#include "ops/one_hot.hpp"
#include "ops/one_hot_rows.hpp"
#include "ops/reductions.hpp"
#include "reference_rnn.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_array;
using kiln::testing::random_param;
using kiln::testing::reference_gru;

TEST_CASE("one_hot_columns finds the 1 of every row, -1 for an all-zero row") {
  const Array x = {{0.0f, 1.0f, 0.0f}, {0.0f, 0.0f, 0.0f}, {1.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 1.0f}};
  CHECK(one_hot_columns(x.data(), 4, 3) == std::vector<std::int32_t>{1, -1, 0, 2});
}

TEST_CASE("one_hot_columns gives up on any row that is not one-hot") {
  for (const Array& x : {Array{{0.0f, 1.0f, 0.0f}, {0.0f, 1.0f, 1.0f}},     // two ones
                         Array{{0.0f, 1.0f, 0.0f}, {0.0f, 0.5f, 0.0f}},     // a weight, not a 1
                         Array{{0.0f, 1.0f, 0.0f}, {-1.0f, 0.0f, 0.0f}},    // a -1
                         Array{{0.0f, 1.0f, 0.0f}, {NAN, 0.0f, 0.0f}}}) {   // not a number
    CAPTURE(x);
    CHECK(one_hot_columns(x.data(), 2, 3).empty());
  }
  CHECK(one_hot_columns(nullptr, 0, 3).empty());
}

TEST_CASE("one_hot_columns on rows wider than a vector: the 1 anywhere, a second value anywhere after it") {
  constexpr std::size_t width = 37;  // two 16-float vectors and a tail
  for (std::size_t hot = 0; hot < width; ++hot) {
    Array row = xt::zeros<float>({std::size_t(1), width});
    row(0, (hot + 5) % width) = -0.0f;  // -0 is a zero
    row(0, hot) = 1.0f;
    CAPTURE(hot);
    CHECK(one_hot_columns(row.data(), 1, width) == std::vector<std::int32_t>{std::int32_t(hot)});
    for (std::size_t other = hot + 1; other < width; ++other) {
      for (const float v : {1.0f, 0.5f, NAN}) {
        Array two = row;
        two(0, other) = v;
        CAPTURE(other);
        CHECK(one_hot_columns(two.data(), 1, width).empty());
      }
    }
  }
}

TEST_CASE("gather_table_rows and scatter_add_rows are one_hot(columns) times a table and its transpose") {
  const std::vector<std::int32_t> columns = {2, -1, 0, 2};
  const Array table = {{1.0f, 2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}};
  Array gathered = Array::from_shape({4, 2});
  gather_table_rows(columns, table.data(), 2, nullptr, gathered.data());
  CHECK(gathered == Array{{5.0f, 6.0f}, {0.0f, 0.0f}, {1.0f, 2.0f}, {5.0f, 6.0f}});
  const float bias[] = {0.5f, -1.0f};  // added to every row, the -1 row included
  gather_table_rows(columns, table.data(), 2, bias, gathered.data());
  CHECK(gathered == Array{{5.5f, 5.0f}, {0.5f, -1.0f}, {1.5f, 1.0f}, {5.5f, 5.0f}});

  const Array d_out = {{1.0f, 1.0f}, {9.0f, 9.0f}, {2.0f, 3.0f}, {10.0f, 20.0f}};
  Array grad = {{100.0f, 100.0f}, {0.0f, 0.0f}, {0.0f, 0.0f}};  // adds to what is there
  scatter_add_rows(columns, d_out.data(), 2, grad.data());
  // Row 0 gets d_out row 2; row 1 nothing (the -1 row is padding); row 2 gets rows 0 and 3.
  CHECK(grad == Array{{102.0f, 103.0f}, {0.0f, 0.0f}, {11.0f, 21.0f}});
}

namespace {

// A batch of word ids as one-hot rows, with a padded (all-zero) step.
Array one_hot_words() {
  Array x = one_hot(Array{{1.0f, 4.0f, 2.0f}, {3.0f, 0.0f, 4.0f}}, 5).value();  // (2, 3, 5)
  for (std::size_t c = 0; c < 5; ++c) x(1, 1, c) = 0.0f;
  return x;
}

}  // namespace

TEST_CASE("gru_sequence on one-hot inputs follows the GRU equations") {
  const Array x = one_hot_words();
  REQUIRE_FALSE(one_hot_columns(x.data(), 6, 5).empty());
  const Array h0 = random_array({2, 3}, 2, -0.5f, 0.5f);
  const Array kernel = random_array({5, 9}, 3, -0.6f, 0.6f);
  const Array recurrent_kernel = random_array({3, 9}, 4, -0.6f, 0.6f);
  const Array bias = random_array({2, 9}, 5, -0.3f, 0.3f);
  const Tensor seq = gru_sequence(Tensor(x), Tensor(h0), Tensor(kernel), Tensor(recurrent_kernel), Tensor(bias));
  CHECK_ARRAY_NEAR(seq.value(), reference_gru({x, kernel, recurrent_kernel, bias, nullptr, false}, h0), 1e-5);
}

TEST_CASE("recurrent kernels get the dense product's gradient from one-hot inputs") {
  const Array x = one_hot_words();
  Tensor h0 = random_param({2, 3}, 12, "h0", -0.5f, 0.5f);
  Tensor bias = random_param({2, 9}, 15, "bias", -0.5f, 0.5f);
  Tensor gru_kernel = random_param({5, 9}, 13, "kernel");
  Tensor gru_recurrent = random_param({3, 9}, 14, "recurrent_kernel");
  // x itself stays constant (a one-hot batch needs no gradient), so every
  // evaluation of the finite differences takes the gather path.
  CHECK_GRADIENTS([&] { return gru_sequence(Tensor(x), h0, gru_kernel, gru_recurrent, bias); },
                  {h0, gru_kernel, gru_recurrent, bias});

  Tensor c0 = random_param({2, 3}, 16, "c0", -0.5f, 0.5f);
  Tensor lstm_kernel = random_param({5, 12}, 17, "kernel");
  Tensor lstm_recurrent = random_param({3, 12}, 18, "recurrent_kernel");
  Tensor lstm_bias = random_param({12}, 19, "bias", -0.5f, 0.5f);
  CHECK_GRADIENTS([&] { return lstm_sequence(Tensor(x), h0, c0, lstm_kernel, lstm_recurrent, lstm_bias); },
                  {h0, c0, lstm_kernel, lstm_recurrent, lstm_bias});
}

TEST_CASE("the kernel gradient of a one-hot input equals that of the same values given densely") {
  // 1.0 and 0.0 entries plus one 1e-30 make x dense for the detector while
  // changing the product by far less than float precision.
  const Array hot = one_hot_words();
  Array dense = hot;
  dense(0, 0, 0) = 1e-30f;
  REQUIRE(one_hot_columns(dense.data(), 6, 5).empty());
  auto kernel_grad = [](const Array& x) {
    Tensor kernel = Tensor::parameter(random_array({5, 9}, 3, -0.6f, 0.6f), "kernel");
    Tensor recurrent = Tensor(random_array({3, 9}, 4, -0.6f, 0.6f));
    const Tensor seq = gru_sequence(Tensor(x), Tensor(random_array({2, 3}, 2)), kernel, recurrent, Tensor());
    backward(sum(seq * seq));
    return kernel.grad();
  };
  CHECK_ARRAY_NEAR(kernel_grad(hot), kernel_grad(dense), 1e-6);
}
