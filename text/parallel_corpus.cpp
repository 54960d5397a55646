#include "text/parallel_corpus.hpp"

#include <filesystem>
#include <string_view>

#include "graph/error.hpp"
#include "io/atomic_file.hpp"

namespace kiln::text {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// The file's lines without their ending: "\n" (Unix), "\r\n" (Windows) or
// a lone "\r" (classic Mac OS, some exports), mixed freely. A final line
// needs no ending, and a final ending does not start an extra empty line.
std::vector<std::string> split_lines(std::string_view content) {
  std::string_view rest = content;
  if (rest.starts_with(kByteOrderMark)) rest.remove_prefix(kByteOrderMark.size());
  std::vector<std::string> lines;
  while (!rest.empty()) {
    const std::size_t end = rest.find_first_of("\r\n");
    lines.emplace_back(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    const bool crlf = rest[end] == '\r' && end + 1 < rest.size() && rest[end + 1] == '\n';
    rest.remove_prefix(end + (crlf ? 2 : 1));
  }
  return lines;
}

std::vector<std::string> read_lines(const std::string& path) { return split_lines(io::read_file(path)); }

}  // namespace

std::vector<SentencePair> read_parallel_files(const std::string& source_path,
                                              const std::string& target_path) {
  std::vector<std::string> sources = read_lines(source_path);
  std::vector<std::string> targets = read_lines(target_path);
  if (sources.size() != targets.size()) {
    throw FormatError("read_parallel_files: '" + source_path + "' has " + std::to_string(sources.size()) +
                      " lines but '" + target_path + "' has " + std::to_string(targets.size()));
  }
  std::vector<SentencePair> pairs;
  pairs.reserve(sources.size());
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (sources[i].empty() && targets[i].empty()) continue;
    pairs.push_back({std::move(sources[i]), std::move(targets[i])});
  }
  return pairs;
}

std::vector<SentencePair> read_tab_separated_pairs(const std::string& path) {
  return parse_tab_separated_pairs(io::read_file(path), path);
}

std::vector<SentencePair> parse_tab_separated_pairs(std::string_view content, const std::string& path) {
  std::vector<SentencePair> pairs;
  const std::vector<std::string> lines = split_lines(content);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.empty()) continue;
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      throw FormatError("read_tab_separated_pairs: '" + path + "' line " + std::to_string(i + 1) +
                        ": expected source<TAB>target, found no tab");
    }
    const std::size_t end = line.find('\t', tab + 1);  // attribution columns follow
    pairs.push_back({std::string(line.substr(0, tab)), std::string(line.substr(tab + 1, end - tab - 1))});
  }
  return pairs;
}

std::vector<SentencePair> read_corpus_dir(const std::string& dir) {
  const std::filesystem::path root(dir);
  const std::string source = (root / "small_vocab_en").string();
  const std::string target = (root / "small_vocab_fr").string();
  for (const auto& path : {source, target}) {
    if (!std::filesystem::is_regular_file(path)) {
      throw FormatError("read_corpus_dir: missing corpus file '" + path + "'");
    }
  }
  return read_parallel_files(source, target);
}

}  // namespace kiln::text
