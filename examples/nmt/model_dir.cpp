// Saving and loading the NMT model directory (see model_dir.hpp).

#include "examples/nmt/model_dir.hpp"

#include "examples/nmt/dataset.hpp"
#include "graph/error.hpp"
#include "io/atomic_file.hpp"
#include "io/json_depth.hpp"

namespace nmt {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fault(const fs::path& file, const std::string& what) {
  throw kiln::FormatError(file.string() + ": " + what);
}

fs::path existing_file(const fs::path& dir, const char* name) {
  const fs::path file = dir / name;
  if (!fs::exists(file)) fault(file, "missing (is '" + dir.string() + "' a directory written by 'nmt train'?)");
  if (!fs::is_regular_file(file)) fault(file, "not a regular file");
  return file;
}

Seq2SeqConfig read_config(const fs::path& file) {
  nlohmann::json json;
  const std::string text = kiln::io::read_file(file);
  try {
    json = kiln::io::parse_json_with_depth_limit<nlohmann::json>(text, 16);  // config.json is flat
  } catch (const nlohmann::json::exception& e) {
    fault(file, std::string("not valid JSON (") + e.what() + ")");
  } catch (const kiln::FormatError& e) {  // nested so deep that error messages would overflow the stack
    fault(file, e.what());
  }
  return config_from_json(json, file.string());
}

kiln::text::Tokenizer read_vocabulary(const fs::path& file, std::size_t expected_size, const char* config_field,
                                      std::vector<const char*> required_words) {
  auto tokenizer = kiln::text::Tokenizer::load(file.string());
  if (tokenizer.vocabulary_size() != expected_size) {
    fault(file, "has " + std::to_string(tokenizer.vocabulary_size()) + " ids but config.json's " + config_field +
                    " says " + std::to_string(expected_size));
  }
  required_words.push_back(oov_token);
  for (const char* word : required_words) {
    if (tokenizer.index_of(word) == 0) fault(file, std::string("has no '") + word + "' token");
  }
  if (tokenizer.options().oov_token != oov_token) {
    fault(file, "its out-of-vocabulary token is '" + tokenizer.options().oov_token + "', expected '" + oov_token + "'");
  }
  return tokenizer;
}

}  // namespace

void save_model_dir(const fs::path& dir, const TrainedModel& trained) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw kiln::Error("cannot create model directory " + dir.string() + ": " + ec.message());
  kiln::io::write_file_atomically(dir / config_file, to_json(trained.model.config).dump(2) + "\n");
  trained.en.save((dir / english_vocab_file).string());
  trained.fr.save((dir / french_vocab_file).string());
  trained.model.training->save_weights(dir / weights_file);
}

TrainedModel load_model_dir(const fs::path& dir) {
  if (!fs::exists(dir)) fault(dir, "no such model directory");
  if (!fs::is_directory(dir)) fault(dir, "not a directory");
  const Seq2SeqConfig config = read_config(existing_file(dir, config_file));
  auto en = read_vocabulary(existing_file(dir, english_vocab_file), config.en_vocab, "en_vocab", {});
  auto fr = read_vocabulary(existing_file(dir, french_vocab_file), config.fr_vocab, "fr_vocab",
                            {start_token, end_token});
  const fs::path weights = existing_file(dir, weights_file);
  TrainedModel trained{build_seq2seq(config), std::move(en), std::move(fr)};
  trained.model.training->load_weights(weights);
  return trained;
}

}  // namespace nmt
