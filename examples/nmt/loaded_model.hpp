#pragma once
// A model directory of either architecture (the GRU + Bahdanau model of
// model_dir.hpp, or the Transformer of transformer_model_dir.hpp), loaded,
// behind what `nmt translate` and `nmt evaluate` need of it.

#include <filesystem>
#include <memory>
#include <vector>

#include "examples/nmt/decoding.hpp"
#include "examples/nmt/model_dir.hpp"
#include "examples/nmt/transformer_model_dir.hpp"

namespace nmt {

class LoadedModel {
 public:
  // The directory's config.json says which architecture to build.
  static LoadedModel load(const std::filesystem::path& dir, const LoadOptions& options = {});

  const kiln::text::Tokenizer& en() const;
  const kiln::text::Tokenizer& fr() const;
  std::size_t en_timesteps() const;
  bool is_transformer() const { return transformer_ != nullptr; }
  // English sentences as the id rows (N, en_timesteps) the model reads,
  // padded on the side it was trained with.
  kiln::Array source_ids(const std::vector<std::string>& english) const;

  // Translations of English id rows (N, en_timesteps), greedy for beam 1.
  // `heads` (Transformer only) receives each sentence's per-head attention;
  // without `use_cache` the Transformer reruns each prefix (the GRU ignores it).
  std::vector<Translation> translate(const kiln::Array& source_ids, std::size_t beam,
                                     std::vector<std::vector<kiln::Array>>* heads = nullptr,
                                     bool use_cache = true) const;

 private:
  std::shared_ptr<const TrainedModel> gru_;
  std::shared_ptr<const TrainedTransformer> transformer_;
};

}  // namespace nmt
