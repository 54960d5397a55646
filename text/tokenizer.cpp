#include "text/tokenizer.hpp"

#include <algorithm>
#include <numeric>

#include "graph/error.hpp"
#include "text/utf8.hpp"

namespace kiln::text {
namespace {

// The filter characters, with an O(1) test for the ASCII ones.
class FilterSet {
 public:
  explicit FilterSet(std::string_view filters) {
    std::size_t pos = 0;
    while (pos < filters.size()) {
      const char32_t cp = decode_utf8(filters, pos, "Tokenizer filters");
      if (cp < 128) {
        ascii_[cp] = true;
      } else {
        others_.push_back(cp);
      }
    }
  }
  bool contains(char32_t cp) const {
    if (cp < 128) return ascii_[cp];
    return std::find(others_.begin(), others_.end(), cp) != others_.end();
  }

 private:
  bool ascii_[128] = {};
  std::vector<char32_t> others_;
};

// Python's text.split(sep) followed by dropping the empty pieces.
std::vector<std::string> split_non_empty(std::string_view text, std::string_view sep) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) pieces.emplace_back(text.substr(start, end - start));
    start = end + sep.size();
  }
  return pieces;
}

}  // namespace

std::vector<std::string> text_to_word_sequence(std::string_view text, std::string_view filters,
                                               bool lower, std::string_view split) {
  constexpr std::string_view who = "text_to_word_sequence";
  if (split.empty()) throw Error("text_to_word_sequence: split must not be empty");
  const std::string lowered = lower ? to_lower_utf8(text, who) : std::string();
  const std::string_view source = lower ? std::string_view(lowered) : text;

  const FilterSet filter_set(filters);
  std::string translated;
  translated.reserve(source.size());
  std::size_t pos = 0;
  while (pos < source.size()) {
    const std::size_t start = pos;
    const char32_t cp = decode_utf8(source, pos, who);
    if (filter_set.contains(cp)) {
      translated += split;
    } else {
      translated.append(source, start, pos - start);
    }
  }
  return split_non_empty(translated, split);
}

Tokenizer::Tokenizer(TokenizerOptions options) : options_(std::move(options)) {
  if (options_.split.empty()) throw Error("Tokenizer: split must not be empty");
  FilterSet check(options_.filters);  // reject invalid UTF-8 filters now, not on first use
  (void)check;
}

std::vector<std::string> Tokenizer::tokens_of(std::string_view text) const {
  if (options_.char_level) {
    // Keras applies no filters at character level: spaces are tokens too.
    if (options_.lower) return utf8_characters(to_lower_utf8(text, "Tokenizer"), "Tokenizer");
    return utf8_characters(text, "Tokenizer");
  }
  return text_to_word_sequence(text, options_.filters, options_.lower, options_.split);
}

void Tokenizer::fit_on_texts(const std::vector<std::string>& texts) {
  std::vector<std::size_t> last_document;  // per slot: the document that last counted it
  last_document.assign(counts_.size(), 0);
  for (const auto& text : texts) {
    const std::size_t document = ++document_count_;
    for (auto& token : tokens_of(text)) {
      auto [it, inserted] = count_slot_.try_emplace(token, counts_.size());
      if (inserted) {
        counts_.emplace_back(std::move(token), 0);
        docs_.push_back(0);
        last_document.push_back(0);
      }
      const std::size_t slot = it->second;
      ++counts_[slot].second;
      if (last_document[slot] != document) {
        last_document[slot] = document;
        ++docs_[slot];
      }
    }
  }
  fitted_ = true;
  rebuild_index();
}

void Tokenizer::rebuild_index() {
  std::vector<std::size_t> order(counts_.size());
  std::iota(order.begin(), order.end(), 0);
  // Stable: equal counts keep first-seen order, as Python's sort does.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return counts_[a].second > counts_[b].second;
  });
  words_.clear();
  if (!options_.oov_token.empty()) words_.push_back(options_.oov_token);
  for (std::size_t slot : order) {
    if (counts_[slot].first != options_.oov_token) words_.push_back(counts_[slot].first);
  }
  index_of_word_.clear();
  for (std::size_t i = 0; i < words_.size(); ++i) index_of_word_[words_[i]] = static_cast<int>(i + 1);
}

void Tokenizer::require_fitted(const char* method) const {
  if (!fitted_) {
    throw Error(std::string("Tokenizer::") + method +
                ": the tokenizer has no word index yet; call fit_on_texts or load first");
  }
}

int Tokenizer::index_of(std::string_view word) const {
  const auto it = index_of_word_.find(std::string(word));
  return it == index_of_word_.end() ? 0 : it->second;
}

const std::string& Tokenizer::word_at(int index) const {
  if (index < 1 || static_cast<std::size_t>(index) > words_.size()) {
    throw Error("Tokenizer::word_at: no word has index " + std::to_string(index) + " (indices run 1.." +
                std::to_string(words_.size()) + ")");
  }
  return words_[static_cast<std::size_t>(index) - 1];
}

void Tokenizer::append_ids(std::string_view token, Sequence& out) const {
  const int oov = options_.oov_token.empty() ? 0 : index_of(options_.oov_token);
  const int i = index_of(token);
  const bool kept = i > 0 && (options_.num_words == 0 || static_cast<std::size_t>(i) < options_.num_words);
  if (kept) {
    out.push_back(i);
  } else if (oov > 0) {
    out.push_back(oov);
  }
}

Sequence Tokenizer::text_to_sequence(std::string_view text) const {
  require_fitted("texts_to_sequences");
  Sequence ids;
  for (const auto& token : tokens_of(text)) append_ids(token, ids);
  return ids;
}

std::vector<Sequence> Tokenizer::texts_to_sequences(const std::vector<std::string>& texts) const {
  require_fitted("texts_to_sequences");
  std::vector<Sequence> out;
  out.reserve(texts.size());
  for (const auto& text : texts) out.push_back(text_to_sequence(text));
  return out;
}

std::string Tokenizer::sequence_to_text(const Sequence& sequence) const {
  require_fitted("sequences_to_texts");
  const int oov = options_.oov_token.empty() ? 0 : index_of(options_.oov_token);
  std::string text;
  auto append = [&](const std::string& word) {
    if (!text.empty()) text += ' ';
    text += word;
  };
  for (int id : sequence) {
    if (id == 0) continue;  // padding
    const bool known = id > 0 && static_cast<std::size_t>(id) <= words_.size();
    const bool kept = known && (options_.num_words == 0 || static_cast<std::size_t>(id) < options_.num_words);
    if (kept) {
      append(words_[static_cast<std::size_t>(id) - 1]);
    } else if (oov > 0) {
      append(words_[static_cast<std::size_t>(oov) - 1]);
    }
  }
  return text;
}

std::vector<std::string> Tokenizer::sequences_to_texts(const std::vector<Sequence>& sequences) const {
  std::vector<std::string> out;
  out.reserve(sequences.size());
  for (const auto& sequence : sequences) out.push_back(sequence_to_text(sequence));
  return out;
}

std::size_t Tokenizer::vocabulary_size() const {
  const std::size_t in_use = words_.size() + 1;
  return options_.num_words == 0 ? in_use : std::min(options_.num_words, in_use);
}

}  // namespace kiln::text
