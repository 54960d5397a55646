#pragma once
// Readers for sentence-aligned translation corpora (UTF-8 text).

#include <string>
#include <string_view>
#include <vector>

namespace kiln::text {

struct SentencePair {
  std::string source;
  std::string target;
  bool operator==(const SentencePair&) const = default;
};

// Two files where line N of target_path translates line N of source_path
// (the small_vocab layout). Strips a trailing '\r' and a leading UTF-8 byte
// order mark; skips pairs whose two sides are both empty. Throws
// kiln::FormatError naming a file that cannot be read, or both files and
// both line counts when they differ.
std::vector<SentencePair> read_parallel_files(const std::string& source_path,
                                              const std::string& target_path);

// Tatoeba/Anki lines "english<TAB>french[<TAB>attribution...]". Strips '\r'
// and a leading byte order mark; skips empty lines. Throws kiln::FormatError
// naming the file and the 1-based line number of a line without a tab.
std::vector<SentencePair> read_tab_separated_pairs(const std::string& path);

// The same for a file's content already in memory; source_name stands in
// for the path in error messages.
std::vector<SentencePair> parse_tab_separated_pairs(std::string_view content, const std::string& source_name);

// dir/small_vocab_en (source) and dir/small_vocab_fr (target). Throws
// kiln::FormatError naming a missing file.
std::vector<SentencePair> read_corpus_dir(const std::string& dir);

}  // namespace kiln::text
