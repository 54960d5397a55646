#pragma once
// The largest values `nmt` accepts, on the command line and in config.json
// alike. They are far above anything the model is used with, and low enough
// that a typo or a damaged file is refused before it can allocate gigabytes
// (1000 time steps of a 10,000-word one-hot batch of 64 is 2.6 GB already).

#include <cstddef>

namespace nmt {

inline constexpr std::size_t max_timesteps = 1000;   // words per sentence
inline constexpr std::size_t max_hidden = 8192;      // GRU units
inline constexpr std::size_t max_embed = 8192;       // embedding width
inline constexpr std::size_t max_vocab = 1'000'000;  // ids per language
inline constexpr std::size_t max_beam = 1000;        // and never more than the French vocabulary
inline constexpr std::size_t max_threads = 1024;
inline constexpr std::size_t max_batch_size = 1'000'000;
inline constexpr std::size_t max_epochs = 1'000'000;
inline constexpr std::size_t max_samples = 1'000'000'000;  // pairs read from a corpus (bounded by its size)
inline constexpr std::size_t max_phrasebook_pairs = 1'000'000;  // pairs generated: memory, not a file, bounds them

}  // namespace nmt
