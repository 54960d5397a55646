#include "examples/nmt/model_dir_reading.hpp"

#include "examples/nmt/dataset.hpp"
#include "graph/error.hpp"
#include "io/json_depth.hpp"

namespace nmt {

namespace fs = std::filesystem;

void file_fault(const fs::path& file, const std::string& what) { throw kiln::FormatError(file.string() + ": " + what); }

std::string read_dir_part(const kiln::io::DirectoryReader& dir, const char* name) {
  if (!dir.has(name)) {
    file_fault(dir.path() / name, "missing (is '" + dir.path().string() + "' a directory written by 'nmt train'?)");
  }
  return dir.read(name);
}

nlohmann::json parse_config_json(const fs::path& file, const std::string& text) {
  try {
    return kiln::io::parse_json_with_depth_limit<nlohmann::json>(text, 16);  // config.json is flat
  } catch (const nlohmann::json::exception& e) {
    file_fault(file, std::string("not valid JSON (") + e.what() + ")");
  } catch (const kiln::FormatError& e) {  // nested so deep that error messages would overflow the stack
    file_fault(file, e.what());
  }
}

kiln::text::Tokenizer read_dir_vocabulary(const kiln::io::DirectoryReader& dir, const char* name,
                                          std::size_t expected_size, const char* config_field,
                                          std::vector<std::string> required_words) {
  const fs::path file = dir.path() / name;
  const std::string text = read_dir_part(dir, name);
  auto tokenizer = [&] {
    try {
      return kiln::text::Tokenizer::from_json(text);
    } catch (const kiln::Error& e) {
      file_fault(file, e.what());
    }
  }();
  if (tokenizer.vocabulary_size() != expected_size) {
    file_fault(file, "has " + std::to_string(tokenizer.vocabulary_size()) + " ids but config.json's " + config_field +
                         " says " + std::to_string(expected_size));
  }
  required_words.push_back(oov_token);
  for (const auto& word : required_words) {
    if (tokenizer.index_of(word) == 0) file_fault(file, "has no '" + word + "' token");
  }
  if (tokenizer.options().oov_token != oov_token) {
    file_fault(file,
               "its out-of-vocabulary token is '" + tokenizer.options().oov_token + "', expected '" + oov_token + "'");
  }
  return tokenizer;
}

}  // namespace nmt
