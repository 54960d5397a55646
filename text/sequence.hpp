#pragma once
// A tokenized text: word indices as the Tokenizer numbers them (0 = padding).

#include <vector>

namespace kiln::text {

using Sequence = std::vector<int>;

}  // namespace kiln::text
