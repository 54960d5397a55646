// A model directory of either architecture (see loaded_model.hpp).

#include "examples/nmt/loaded_model.hpp"

#include "examples/nmt/dataset.hpp"
#include "examples/nmt/transformer_decoding.hpp"

namespace nmt {

LoadedModel LoadedModel::load(const std::filesystem::path& dir, const LoadOptions& options) {
  LoadedModel loaded;
  if (is_transformer_dir(dir)) {
    loaded.transformer_ = std::make_shared<const TrainedTransformer>(load_transformer_dir(dir, options));
  } else {
    loaded.gru_ = std::make_shared<const TrainedModel>(load_model_dir(dir, options));
  }
  return loaded;
}

const kiln::text::Tokenizer& LoadedModel::en() const { return gru_ ? gru_->en : transformer_->en; }
const kiln::text::Tokenizer& LoadedModel::fr() const { return gru_ ? gru_->fr : transformer_->fr; }
std::size_t LoadedModel::en_timesteps() const {
  return gru_ ? gru_->model.config.en_timesteps : transformer_->model.config.en_timesteps;
}

kiln::Array LoadedModel::source_ids(const std::vector<std::string>& english) const {
  return nmt::source_ids(en(), english, en_timesteps(), gru_ ? "pre" : transformer_->model.config.en_padding);
}

std::vector<Translation> LoadedModel::translate(const kiln::Array& source_ids, std::size_t beam,
                                                std::vector<std::vector<kiln::Array>>* heads, bool use_cache) const {
  if (gru_) return Decoder(gru_->model, gru_->fr).translate(source_ids, beam);
  return TransformerDecoding(transformer_->model, transformer_->fr, use_cache).translate(source_ids, beam, heads);
}

}  // namespace nmt
