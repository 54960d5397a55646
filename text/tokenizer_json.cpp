// Tokenizer <-> JSON in the layout of Keras' Tokenizer.to_json(): the
// dictionaries sit in "config" as JSON-encoded strings, e.g.
//   {"class_name": "Tokenizer", "config": {"num_words": null, ...,
//    "word_counts": "{\"the\": 3, ...}", "word_index": "{\"the\": 1, ...}"}}
// from_json also accepts those dictionaries as plain objects.

#include <string>

#include <nlohmann/json.hpp>

#include "graph/error.hpp"
#include "io/atomic_file.hpp"
#include "io/json_depth.hpp"
#include "text/tokenizer.hpp"

namespace kiln::text {

using ordered_json = nlohmann::ordered_json;

// Private access for the (de)serializer, kept out of tokenizer.cpp.
class TokenizerJson {
 public:
  static ordered_json write(const Tokenizer& t);
  static Tokenizer read(const ordered_json& root);  // throws FormatError without prefix
};

namespace {

// Valid tokenizer JSON nests 3 levels (root, config, a dictionary); a
// limit keeps hostile nesting from overflowing the stack (io/json_depth.hpp).
constexpr int kMaxJsonDepth = 16;

[[noreturn]] void fail(const std::string& what) { throw FormatError(what); }

const ordered_json& field(const ordered_json& config, const char* name) {
  const auto it = config.find(name);
  if (it == config.end()) fail(std::string("missing field \"") + name + "\"");
  return *it;
}

std::string string_field(const ordered_json& config, const char* name, std::string fallback) {
  const auto it = config.find(name);
  if (it == config.end() || it->is_null()) return fallback;
  if (!it->is_string()) fail(std::string("field \"") + name + "\" must be a string, got " + it->dump());
  return it->get<std::string>();
}

bool bool_field(const ordered_json& config, const char* name, bool fallback) {
  const auto it = config.find(name);
  if (it == config.end()) return fallback;
  if (!it->is_boolean()) fail(std::string("field \"") + name + "\" must be true or false, got " + it->dump());
  return it->get<bool>();
}

std::size_t count_value(const ordered_json& value, const std::string& where) {
  if (!value.is_number_unsigned()) fail(where + " must be a non-negative integer, got " + value.dump());
  return value.get<std::size_t>();
}

// num_words and document_count: null (Keras' None) means 0.
std::size_t count_field(const ordered_json& config, const char* name) {
  const auto it = config.find(name);
  if (it == config.end() || it->is_null()) return 0;
  return count_value(*it, std::string("field \"") + name + "\"");
}

// A dictionary stored as a JSON string (Keras) or as an object.
ordered_json dictionary_field(const ordered_json& config, const char* name, bool required) {
  const auto it = config.find(name);
  if (it == config.end()) {
    if (required) fail(std::string("missing field \"") + name + "\"");
    return ordered_json::object();
  }
  ordered_json dict = *it;
  if (it->is_string()) {
    try {
      dict = io::parse_json_with_depth_limit<ordered_json>(it->get<std::string>(), kMaxJsonDepth);
    } catch (const nlohmann::json::exception& e) {
      fail(std::string("field \"") + name + "\" is not valid JSON: " + e.what());
    } catch (const FormatError& e) {
      fail(std::string("field \"") + name + "\": " + e.what());
    }
  }
  if (!dict.is_object()) fail(std::string("field \"") + name + "\" must be a JSON object, got " + dict.dump());
  return dict;
}

}  // namespace

ordered_json TokenizerJson::write(const Tokenizer& t) {
  ordered_json word_counts = ordered_json::object();
  ordered_json word_docs = ordered_json::object();
  for (std::size_t i = 0; i < t.counts_.size(); ++i) {
    word_counts[t.counts_[i].first] = t.counts_[i].second;
    word_docs[t.counts_[i].first] = t.docs_[i];
  }
  ordered_json word_index = ordered_json::object();
  ordered_json index_word = ordered_json::object();
  ordered_json index_docs = ordered_json::object();
  for (std::size_t i = 0; i < t.words_.size(); ++i) {
    const std::string& word = t.words_[i];
    word_index[word] = i + 1;
    index_word[std::to_string(i + 1)] = word;
    const auto slot = t.count_slot_.find(word);
    if (slot != t.count_slot_.end()) index_docs[std::to_string(i + 1)] = t.docs_[slot->second];
  }
  const auto& o = t.options_;
  ordered_json config = {
      {"num_words", o.num_words == 0 ? ordered_json(nullptr) : ordered_json(o.num_words)},
      {"filters", o.filters},
      {"lower", o.lower},
      {"split", o.split},
      {"char_level", o.char_level},
      {"oov_token", o.oov_token.empty() ? ordered_json(nullptr) : ordered_json(o.oov_token)},
      {"document_count", t.document_count_},
      {"word_counts", word_counts.dump()},
      {"word_docs", word_docs.dump()},
      {"index_docs", index_docs.dump()},
      {"index_word", index_word.dump()},
      {"word_index", word_index.dump()},
  };
  return ordered_json{{"class_name", "Tokenizer"}, {"config", std::move(config)}};
}

Tokenizer TokenizerJson::read(const ordered_json& root) {
  if (!root.is_object()) fail("expected a JSON object, got " + root.dump());
  const std::string class_name = string_field(root, "class_name", "Tokenizer");
  if (class_name != "Tokenizer") fail("class_name is \"" + class_name + "\", expected \"Tokenizer\"");
  const ordered_json& config = field(root, "config");
  if (!config.is_object()) fail("field \"config\" must be a JSON object");

  TokenizerOptions options;
  options.num_words = count_field(config, "num_words");
  options.filters = string_field(config, "filters", options.filters);
  options.lower = bool_field(config, "lower", options.lower);
  options.split = string_field(config, "split", options.split);
  options.char_level = bool_field(config, "char_level", options.char_level);
  options.oov_token = string_field(config, "oov_token", "");
  if (options.split.empty()) fail("field \"split\" must not be empty");

  Tokenizer t;
  try {
    t = Tokenizer(options);
  } catch (const Error& e) {
    fail(e.what());
  }
  t.document_count_ = count_field(config, "document_count");

  const ordered_json word_counts = dictionary_field(config, "word_counts", false);
  const ordered_json word_docs = dictionary_field(config, "word_docs", false);
  for (const auto& [word, count] : word_counts.items()) {
    t.count_slot_[word] = t.counts_.size();
    t.counts_.emplace_back(word, count_value(count, "word_counts[\"" + word + "\"]"));
    const auto docs = word_docs.find(word);
    t.docs_.push_back(docs == word_docs.end() ? 0 : count_value(*docs, "word_docs[\"" + word + "\"]"));
  }

  // word_index is authoritative: it numbers the words 1..N without gaps.
  const ordered_json word_index = dictionary_field(config, "word_index", true);
  t.words_.assign(word_index.size(), std::string());
  for (const auto& [word, index_value] : word_index.items()) {
    const std::size_t index = count_value(index_value, "word_index[\"" + word + "\"]");
    if (index < 1 || index > word_index.size()) {
      fail("word_index[\"" + word + "\"] = " + std::to_string(index) + " is outside 1.." +
           std::to_string(word_index.size()));
    }
    std::string& slot = t.words_[index - 1];
    if (!slot.empty()) fail("word_index gives index " + std::to_string(index) + " to both \"" + slot + "\" and \"" + word + "\"");
    if (word.empty()) fail("word_index holds an empty word");
    slot = word;
    t.index_of_word_[word] = static_cast<int>(index);
  }
  if (!options.oov_token.empty() && !t.words_.empty() && t.words_[0] != options.oov_token) {
    fail("oov_token \"" + options.oov_token + "\" must have index 1 in word_index");
  }
  t.fitted_ = !t.words_.empty() || t.document_count_ > 0;
  return t;
}

std::string Tokenizer::to_json(int indent) const { return TokenizerJson::write(*this).dump(indent); }

Tokenizer Tokenizer::from_json(std::string_view json) {
  ordered_json root;
  try {
    root = io::parse_json_with_depth_limit<ordered_json>(json, kMaxJsonDepth);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(std::string("Tokenizer JSON: ") + e.what());
  } catch (const FormatError& e) {
    throw FormatError(std::string("Tokenizer JSON: ") + e.what());
  }
  try {
    return TokenizerJson::read(root);
  } catch (const FormatError& e) {
    throw FormatError(std::string("Tokenizer JSON: ") + e.what());
  }
}

void Tokenizer::save(const std::string& path) const { io::write_file_atomically(path, to_json() + "\n"); }

Tokenizer Tokenizer::load(const std::string& path) {
  const std::string content = io::read_file(path);
  ordered_json root;
  try {
    root = io::parse_json_with_depth_limit<ordered_json>(content, kMaxJsonDepth);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError("Tokenizer file '" + path + "': not valid JSON: " + e.what());
  } catch (const FormatError& e) {
    throw FormatError("Tokenizer file '" + path + "': " + e.what());
  }
  try {
    return TokenizerJson::read(root);
  } catch (const FormatError& e) {
    throw FormatError("Tokenizer file '" + path + "': " + e.what());
  }
}

}  // namespace kiln::text
