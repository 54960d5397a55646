#pragma once
// Products with one-hot matrices, done as what they are. The seed NMT model
// feeds one-hot words (vocabulary 229 and 343) into its GRUs: x kernel is
// then a row gather and kernel's gradient x^T dY a scatter-add, which skips
// a third of the step's floating-point work. Recognising such an input costs
// one pass that stops at the first row that is not one-hot, so dense inputs
// (embeddings) pay almost nothing.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace kiln {

// For a (rows, cols) matrix whose every row is all zeros except for at most
// one 1: the column of that 1 per row, or -1 for an all-zero row. Empty
// when any row is otherwise (or there are no rows).
std::vector<std::int32_t> one_hot_columns(const float* x, std::size_t rows, std::size_t cols);

// out[r, :] = table[columns[r], :] + bias (bias alone for -1), i.e.
// one_hot(columns) table + bias; table is (?, width), out is
// (columns.size(), width), bias (width) or null for none.
void gather_table_rows(std::span<const std::int32_t> columns, const float* table, std::size_t width,
                       const float* bias, float* out);

// table_grad[columns[r], :] += d_out[r, :] for every row r with a column,
// i.e. table_grad += one_hot(columns)^T d_out.
void scatter_add_rows(const std::vector<std::int32_t>& columns, const float* d_out, std::size_t width,
                      float* table_grad);

}  // namespace kiln
