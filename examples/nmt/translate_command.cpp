// `nmt translate`: English lines on stdin, French lines on stdout, exactly
// one output line per input line; notes and warnings on stderr.

#include <unistd.h>

#include <optional>

#include "examples/nmt/commands.hpp"
#include "examples/nmt/dataset.hpp"
#include "examples/nmt/model_dir.hpp"
#include "examples/nmt/report.hpp"
#include "graph/error.hpp"
#include "models/batching.hpp"
#include "ops/blas.hpp"

namespace nmt {

namespace {

// One input line and what the model will see of it.
struct Line {
  std::size_t number = 0;  // 1-based
  std::vector<std::string> words;
  std::string problem;     // set when the line cannot be translated
};

Line read_words(const Tokenizer& en, std::string text, std::size_t number) {
  if (!text.empty() && text.back() == '\r') text.pop_back();
  Line line{number, {}, {}};
  try {
    line.words = en.tokens_of(text);
  } catch (const kiln::Error& e) {
    line.problem = e.what();
  }
  return line;
}

// Unknown words and over-long sentences, said once per line on `log`.
void warn_about(const Line& line, const Tokenizer& en, std::size_t timesteps, std::ostream& log) {
  std::string unknown;
  std::size_t count = 0;
  for (const auto& w : line.words) {
    if (en.index_of(w) == 0) unknown += (count++ ? ", '" : "'") + w + "'";
  }
  if (count) {
    log << "nmt translate: line " << line.number << (count == 1 ? ": unknown word " : ": unknown words ") << unknown
        << (count == 1 ? " is" : " are") << " read as '" << oov_token << "'\n";
  }
  if (line.words.size() > timesteps) {
    log << "nmt translate: line " << line.number << ": " << line.words.size() << " words; only the first "
        << timesteps << " are translated\n";
  }
}

struct Translator {
  const TrainedModel& trained;
  const Decoder decoder;
  std::size_t beam;
  std::optional<std::pair<Array, Translation>> last;  // for the heatmap

  // Translates a block of lines; writes one output line each.
  void run(const std::vector<Line>& lines, std::ostream& out, std::ostream& log) {
    std::vector<std::string> texts;
    for (const auto& l : lines) {
      if (!l.problem.empty()) log << "nmt translate: line " << l.number << ": " << l.problem << "; left empty\n";
      if (l.problem.empty() && !l.words.empty()) {
        warn_about(l, trained.en, trained.model.config.en_timesteps, log);
        texts.push_back(join_words(l.words));
      }
    }
    const Array ids = source_ids(trained.en, texts, trained.model.config.en_timesteps);
    const auto translations = texts.empty() ? std::vector<Translation>{} : decoder.translate(ids, beam);
    std::size_t next = 0;
    for (const auto& l : lines) {
      if (l.problem.empty() && !l.words.empty()) out << join_words(translations[next++].words);
      out << "\n";
    }
    out.flush();
    if (!texts.empty()) last.emplace(kiln::row_range(ids, texts.size() - 1, texts.size()), translations.back());
  }
};

}  // namespace

int run_translate(const TranslateOptions& o, std::istream& in, std::ostream& out, std::ostream& log) {
  kiln::set_num_threads(int(o.threads));
  const TrainedModel trained = load_model_dir(o.model_dir);
  Translator translator{trained, Decoder(trained.model, trained.fr), o.beam, std::nullopt};
  // From a terminal every line is answered at once; from a pipe, lines go
  // through the model in blocks, which is many times faster.
  const std::size_t block = isatty(STDIN_FILENO) ? 1 : 256;
  std::vector<Line> lines;
  std::string text;
  std::size_t number = 0;
  while (std::getline(in, text)) {
    lines.push_back(read_words(trained.en, text, ++number));
    if (lines.size() == block) {
      translator.run(lines, out, log);
      lines.clear();
    }
  }
  if (!lines.empty()) translator.run(lines, out, log);
  if (!o.heatmap.empty()) {
    if (!translator.last) {
      log << "nmt translate: no sentence was translated, so no heatmap was written\n";
    } else {
      write_heatmap(o.heatmap, trained.en, trained.fr, translator.last->first, 0, translator.last->second);
      log << "nmt translate: attention heatmap written to " << o.heatmap << "\n";
    }
  }
  return exit_ok;
}

}  // namespace nmt
