#pragma once
// Reading the parts of a model directory (model_dir.hpp for the GRU model,
// transformer_model_dir.hpp for the Transformer): every fault is a
// kiln::FormatError that names the file and what is wrong with it.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/atomic_dir.hpp"
#include "text/tokenizer.hpp"

namespace nmt {

[[noreturn]] void file_fault(const std::filesystem::path& file, const std::string& what);

// The file `name` of the directory; missing is a fault.
std::string read_dir_part(const kiln::io::DirectoryReader& dir, const char* name);

// `text` (the file's content) as JSON no deeper than a flat config needs.
nlohmann::json parse_config_json(const std::filesystem::path& file, const std::string& text);

// The tokenizer in `name`, checked against config.json's `config_field`
// (its vocabulary size) and holding every word of `required_words` and the
// out-of-vocabulary token.
kiln::text::Tokenizer read_dir_vocabulary(const kiln::io::DirectoryReader& dir, const char* name,
                                          std::size_t expected_size, const char* config_field,
                                          std::vector<std::string> required_words);

}  // namespace nmt
