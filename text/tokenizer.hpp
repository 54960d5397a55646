#pragma once
// Tokenizer: Keras' keras.preprocessing.text.Tokenizer, on UTF-8 text.
//
//   Tokenizer tok({.oov_token = "<unk>"});
//   tok.fit_on_texts(english_lines);
//   auto ids = tok.texts_to_sequences(english_lines);
//
// Word indices start at 1 and rank words by descending count over every text
// fitted so far, ties in first-seen order; the OOV token, when there is one,
// is index 1. Index 0 is never a word: it is the padding value.
//
// Deliberate differences from Keras, both for cases Keras gets wrong:
//   - sequences_to_texts skips index 0 (padding) even when there is an OOV
//     token; Keras turns it into the OOV token.
//   - an OOV token that also occurs in the fitted texts keeps index 1 instead
//     of being indexed twice.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "text/sequence.hpp"

namespace kiln::text {

// Keras' default filters: ASCII punctuation minus the apostrophe, plus tab
// and newline. So "l'automne" stays one word.
inline constexpr std::string_view kDefaultFilters = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";

struct TokenizerOptions {
  std::size_t num_words = 0;                    // keep indices < num_words; 0 keeps all
  std::string filters = std::string(kDefaultFilters);  // characters replaced by `split`
  bool lower = true;                            // lowercase before splitting
  std::string split = " ";                      // word separator (not empty)
  std::string oov_token = {};                   // stands in for unknown words; empty = none
  bool char_level = false;                      // every character is a token (no filters)
};

// Keras' text_to_word_sequence: lowercase (optionally), replace every filter
// character by `split`, split on `split`, drop empty pieces. Throws
// kiln::Error on invalid UTF-8 or an empty `split`.
std::vector<std::string> text_to_word_sequence(std::string_view text,
                                               std::string_view filters = kDefaultFilters,
                                               bool lower = true, std::string_view split = " ");

class Tokenizer {
 public:
  // Throws kiln::Error when options.split is empty.
  explicit Tokenizer(TokenizerOptions options = {});

  // Counts the words of texts (adding to earlier fits) and re-ranks the index.
  void fit_on_texts(const std::vector<std::string>& texts);

  // Words with no index, or with index >= num_words, become the OOV index,
  // or are dropped when there is no OOV token. Throws kiln::Error before
  // any fit or load.
  std::vector<Sequence> texts_to_sequences(const std::vector<std::string>& texts) const;
  Sequence text_to_sequence(std::string_view text) const;

  // Words joined by single spaces. Index 0 is skipped; unknown indices and
  // indices >= num_words become the OOV token or are dropped.
  std::vector<std::string> sequences_to_texts(const std::vector<Sequence>& sequences) const;
  std::string sequence_to_text(const Sequence& sequence) const;

  // The tokens this tokenizer makes of one text (words, or characters).
  std::vector<std::string> tokens_of(std::string_view text) const;

  // Index of a word, or 0 when it has none.
  int index_of(std::string_view word) const;
  // The word with index i (1-based). Throws kiln::Error when there is none.
  const std::string& word_at(int index) const;

  const std::unordered_map<std::string, int>& word_index() const { return index_of_word_; }
  // (word, count) in first-seen order, as Keras' OrderedDict word_counts.
  const std::vector<std::pair<std::string, std::size_t>>& word_counts() const { return counts_; }
  std::size_t document_count() const { return document_count_; }
  const TokenizerOptions& options() const { return options_; }
  bool fitted() const { return fitted_; }

  // Size of the embedding table a model needs: indices in use + 1 for
  // padding, capped at num_words when that is set.
  std::size_t vocabulary_size() const;

  // Keras' Tokenizer.to_json() layout: {"class_name": "Tokenizer",
  // "config": {..., "word_counts": "<json>", "word_index": "<json>", ...}}.
  // indent < 0 writes one line.
  std::string to_json(int indent = -1) const;
  // Reads to_json() output (also Keras'); throws kiln::FormatError naming
  // the faulty field.
  static Tokenizer from_json(std::string_view json);

  // Writes to_json() to path (atomically); load throws kiln::FormatError
  // naming the file and the fault.
  void save(const std::string& path) const;
  static Tokenizer load(const std::string& path);

 private:
  void rebuild_index();
  void require_fitted(const char* method) const;
  void append_ids(std::string_view token, Sequence& out) const;
  friend class TokenizerJson;

  TokenizerOptions options_;
  bool fitted_ = false;
  std::size_t document_count_ = 0;
  std::vector<std::pair<std::string, std::size_t>> counts_;   // first-seen order
  std::vector<std::size_t> docs_;                              // parallel to counts_
  std::unordered_map<std::string, std::size_t> count_slot_;    // word -> position in counts_
  std::vector<std::string> words_;                             // words_[i - 1] has index i
  std::unordered_map<std::string, int> index_of_word_;
};

}  // namespace kiln::text
