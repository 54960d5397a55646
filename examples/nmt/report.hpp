#pragma once
// What the commands show of a translation: the words of an encoded English
// row, and its attention heatmap as PNG or SVG.

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "examples/nmt/cli.hpp"
#include "examples/nmt/dataset.hpp"
#include "examples/nmt/decoding.hpp"
#include "text/tokenizer.hpp"

namespace nmt {

// The English tokens of one row of source ids, one per time step, with
// "<pad>" for the padding id 0 (the heatmap's rows, as the seed labels them).
std::vector<std::string> source_tokens(const kiln::text::Tokenizer& en, const kiln::Array& source_ids, std::size_t row);

// The French tokens a translation produced, '<eos>' included (the heatmap's columns).
std::vector<std::string> produced_tokens(const kiln::text::Tokenizer& fr, const Translation& translation);

// Writes `path` (atomically) in `format`: the English time steps (padding
// included, as the seed's plot_attention_weights shows them) along x, the
// produced French words down y.
void write_heatmap(const std::string& path, HeatmapFormat format, const kiln::text::Tokenizer& en,
                   const kiln::text::Tokenizer& fr, const kiln::Array& source_ids, std::size_t row,
                   const Translation& translation);

// "the words joined by spaces"
std::string join_words(const std::vector<std::string>& words);

// The first `count` held-out pairs: English, the reference French, the model's French.
void print_samples(std::ostream& out, const std::vector<SentencePair>& pairs, const std::vector<Translation>& found,
                   std::size_t count);

}  // namespace nmt
