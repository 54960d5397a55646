// Words and heatmaps of translations (see report.hpp).

#include "examples/nmt/report.hpp"

#include <algorithm>

#include "examples/nmt/evaluation.hpp"
#include "examples/nmt/heatmap.hpp"

namespace nmt {

std::vector<std::string> source_tokens(const kiln::text::Tokenizer& en, const kiln::Array& source_ids,
                                       std::size_t row) {
  const std::size_t steps = source_ids.shape()[1];
  std::vector<std::string> out;
  for (std::size_t t = 0; t < steps; ++t) {
    const int id = int(source_ids.data()[row * steps + t]);
    out.push_back(id == 0 ? "<pad>" : en.word_at(id));
  }
  return out;
}

std::vector<std::string> produced_tokens(const kiln::text::Tokenizer& fr, const Translation& translation) {
  std::vector<std::string> out;
  for (int id : translation.ids) out.push_back(id == 0 ? "<pad>" : fr.word_at(id));
  return out;
}

void write_heatmap(const std::string& path, HeatmapFormat format, const kiln::text::Tokenizer& en,
                   const kiln::text::Tokenizer& fr, const kiln::Array& source_ids, std::size_t row,
                   const Translation& translation) {
  const auto source = source_tokens(en, source_ids, row);
  const auto target = produced_tokens(fr, translation);
  if (format == HeatmapFormat::png) {
    write_attention_heatmap(path, source, target, translation.attention);
  } else {
    write_attention_heatmap_svg(path, source, target, translation.attention);
  }
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

void print_samples(std::ostream& out, const std::vector<SentencePair>& pairs, const std::vector<Translation>& found,
                   std::size_t count) {
  out << "\nSample test translations:\n";
  for (std::size_t i = 0; i < std::min(count, pairs.size()); ++i) {
    out << "  English:   " << pairs[i].source << "\n"
        << "  reference: " << join_words(normalise(pairs[i].target)) << "\n"
        << "  model:     " << join_words(found[i].words) << "\n\n";
  }
}

}  // namespace nmt
