// `nmt translate`: English lines on stdin, French lines on stdout, exactly
// one output line per input line; notes and warnings on stderr.

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>

#include "examples/nmt/commands.hpp"
#include "examples/nmt/dataset.hpp"
#include "examples/nmt/loaded_model.hpp"
#include "examples/nmt/model_dir.hpp"
#include "examples/nmt/output.hpp"
#include "examples/nmt/report.hpp"
#include "graph/error.hpp"
#include "io/atomic_file.hpp"
#include "data/batching.hpp"
#include "ops/blas.hpp"

namespace nmt {

namespace {

// Warnings are for a person reading stderr: a line of a million unknown
// words, or a million such lines, must not bury everything else.
constexpr std::size_t max_words_listed = 5;
constexpr std::size_t max_word_bytes = 40;
constexpr std::size_t max_warned_lines = 100;
// No sentence is a megabyte long; a longer line (a binary file on stdin, a
// missing newline) is skipped rather than held in memory whole.
constexpr std::size_t max_line_bytes = std::size_t(1) << 20;

// One input line and what the model will see of it.
struct Line {
  std::size_t number = 0;  // 1-based
  std::vector<std::string> words;
  std::string problem;     // set when the line cannot be translated
};

Line read_words(const Tokenizer& en, const std::string& text, std::size_t number) {
  Line line{number, {}, {}};
  try {
    line.words = en.tokens_of(text);
  } catch (const kiln::Error& e) {
    line.problem = e.what();
  }
  return line;
}

// The next line without its ending, which may be "\n", "\r\n" or a lone
// "\r". A line is returned as soon as its ending arrives: after a '\r' the
// reader does not wait to see whether '\n' follows (a co-process would hang),
// it skips that '\n' when reading the next line. False at end of input.
// Sets `too_long` (and keeps only the first max_line_bytes) for longer lines.
class LineReader {
 public:
  explicit LineReader(std::istream& in) : in_(*in.rdbuf()) {}
  bool next(std::string& line, bool& too_long) {
    line.clear();
    too_long = false;
    using traits = std::char_traits<char>;
    if (after_cr_ && traits::eq_int_type(in_.sgetc(), '\n')) in_.sbumpc();
    after_cr_ = false;
    bool any = false;
    for (auto ch = in_.sbumpc(); !traits::eq_int_type(ch, traits::eof()); ch = in_.sbumpc()) {
      if (ch == '\n') return true;
      if (ch == '\r') return after_cr_ = true;
      any = true;
      if (line.size() < max_line_bytes) line.push_back(traits::to_char_type(ch));
      else too_long = true;
    }
    return any;
  }

 private:
  std::streambuf& in_;
  bool after_cr_ = false;
};

// A word as a warning shows it: at most max_word_bytes, cut between UTF-8 characters.
std::string shown(const std::string& word) {
  if (word.size() <= max_word_bytes) return "'" + word + "'";
  std::size_t end = max_word_bytes;
  while (end > 0 && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80) --end;
  return "'" + word.substr(0, end) + "...'";
}

class Warnings {
 public:
  explicit Warnings(std::ostream& log) : log_(log) {}

  // Unknown words and over-long sentences, said once per line.
  void about(const Line& line, const Tokenizer& en, std::size_t timesteps) {
    std::string unknown;
    std::size_t count = 0;
    for (const auto& w : line.words) {
      if (en.index_of(w) != 0) continue;
      if (count < max_words_listed) unknown += (count ? ", " : "") + shown(w);
      ++count;
    }
    if (count > max_words_listed) unknown += " and " + std::to_string(count - max_words_listed) + " more";
    if (count) {
      say(line.number, std::string(count == 1 ? "unknown word " : "unknown words ") + unknown +
                           (count == 1 ? " is" : " are") + " read as '" + oov_token + "'");
    }
    if (line.words.size() > timesteps) {
      say(line.number, std::to_string(line.words.size()) + " words; only the first " + std::to_string(timesteps) +
                           " are translated (the model's en_timesteps)");
    }
  }

  void say(std::size_t line, const std::string& what) {
    if (lines_ == max_warned_lines) log_ << "nmt translate: more warnings follow; they are not shown\n";
    if (lines_++ < max_warned_lines) log_ << "nmt translate: line " << line << ": " << what << "\n";
  }

 private:
  std::ostream& log_;
  std::size_t lines_ = 0;
};

struct Translator {
  const LoadedModel& model;
  std::size_t beam;
  Warnings warnings;
  std::optional<std::pair<Array, Translation>> last;  // for the heatmap
  std::vector<Array> last_heads;                       // its attention per head (Transformer)

  // Translates a block of lines; writes one output line each, then checks
  // that they reached stdout.
  void run(const std::vector<Line>& lines, std::ostream& out) {
    std::vector<std::string> texts;
    for (const auto& l : lines) {
      if (!l.problem.empty()) warnings.say(l.number, l.problem + "; left empty");
      if (l.problem.empty() && !l.words.empty()) {
        warnings.about(l, model.en(), model.en_timesteps());
        texts.push_back(join_words(l.words));
      }
    }
    const Array ids = model.source_ids(texts);
    std::vector<std::vector<Array>> heads;
    const auto translations = texts.empty() ? std::vector<Translation>{}
                                            : model.translate(ids, beam, model.is_transformer() ? &heads : nullptr);
    std::size_t next = 0;
    for (const auto& l : lines) {
      if (l.problem.empty() && !l.words.empty()) out << join_words(translations[next++].words);
      out << "\n";
    }
    check_output(out, "standard output");
    if (!texts.empty()) last.emplace(kiln::row_range(ids, texts.size() - 1, texts.size()), translations.back());
    if (!heads.empty()) last_heads = heads.back();
  }
};

// From a regular file, lines go through the model in blocks, many times
// faster; from a terminal, a pipe or a socket each line is answered as soon
// as it is read, so a program can write a line and wait for its translation.
bool stdin_is_regular_file() {
  struct stat info {};
  return ::fstat(STDIN_FILENO, &info) == 0 && S_ISREG(info.st_mode);
}

// Fails now, before any work, if the heatmap cannot be written where asked.
void check_heatmap_path(const std::string& path) {
  if (path.empty()) return;
  if (std::filesystem::is_directory(path)) throw kiln::Error("--heatmap " + path + " is a directory");
  kiln::io::check_writable_directory(std::filesystem::path(path).parent_path());
}

// With --heatmap-heads, one more heatmap per attention head beside FILE:
// FILE-head1.png, ... (the Transformer's last decoder block; the GRU model
// has one attention, already drawn).
void write_head_heatmaps(const std::string& path, HeatmapFormat format, const LoadedModel& model,
                         const std::pair<Array, Translation>& last, const std::vector<Array>& heads, std::ostream& log) {
  if (heads.empty() || heads[0].dimension() != 2) {
    log << "nmt translate: --heatmap-heads: this model has a single attention, drawn in " << path << "\n";
    return;
  }
  const std::filesystem::path file(path);
  const std::size_t count = heads[0].shape()[0], te = heads[0].shape()[1];
  for (std::size_t k = 0; k < count; ++k) {
    Translation head = last.second;
    for (std::size_t s = 0; s < heads.size() && s < head.attention.shape()[0]; ++s) {
      for (std::size_t j = 0; j < te; ++j) head.attention(s, j) = heads[s](k, j);
    }
    const std::filesystem::path out =
        file.parent_path() / (file.stem().string() + "-head" + std::to_string(k + 1) + file.extension().string());
    write_heatmap(out.string(), format, model.en(), model.fr(), last.first, 0, head);
    log << "nmt translate: head " << k + 1 << " heatmap written to " << out.string() << "\n";
  }
}

}  // namespace

int run_translate(const TranslateOptions& o, std::istream& in, std::ostream& out, std::ostream& log) {
  kiln::set_num_threads(int(o.threads));
  check_heatmap_path(o.heatmap);
  const LoadedModel model = LoadedModel::load(o.model_dir, {.strict = o.strict, .warnings = &log});
  Translator translator{model, o.beam, Warnings(log), std::nullopt, {}};
  const std::size_t block = o.line_buffered || (&in == &std::cin && !stdin_is_regular_file()) ? 1 : 256;
  std::vector<Line> lines;
  LineReader reader(in);
  std::string text;
  std::size_t number = 0;
  bool too_long = false;
  while (reader.next(text, too_long)) {
    lines.push_back(too_long ? Line{++number, {}, "longer than " + std::to_string(max_line_bytes) + " bytes"}
                             : read_words(model.en(), text, ++number));
    if (lines.size() == block) {
      translator.run(lines, out);
      lines.clear();
    }
  }
  if (!lines.empty()) translator.run(lines, out);
  if (!o.heatmap.empty()) {
    if (!translator.last) {
      log << "nmt translate: no sentence was translated, so no heatmap was written\n";
    } else {
      const HeatmapFormat format = heatmap_format("nmt translate", o.heatmap);
      write_heatmap(o.heatmap, format, model.en(), model.fr(), translator.last->first, 0, translator.last->second);
      log << "nmt translate: attention heatmap written to " << o.heatmap << "\n";
      if (o.heatmap_heads) write_head_heatmaps(o.heatmap, format, model, *translator.last, translator.last_heads, log);
    }
  }
  return exit_ok;
}

}  // namespace nmt
