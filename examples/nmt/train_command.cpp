// `nmt train`: the seed's train.py from corpus to model directory.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "examples/nmt/commands.hpp"
#include "examples/nmt/dataset.hpp"
#include "examples/nmt/evaluation.hpp"
#include "examples/nmt/model_dir.hpp"
#include "examples/nmt/parallel_report.hpp"
#include "examples/nmt/report.hpp"
#include "examples/nmt/trainer.hpp"
#include "layers/initializers.hpp"
#include "models/batching.hpp"
#include "ops/blas.hpp"

namespace nmt {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// How many sentences have more words than fit in `timesteps` (cut when encoded).
std::size_t count_longer(const Tokenizer& tokenizer, const std::vector<std::string>& texts, std::size_t timesteps) {
  std::size_t n = 0;
  for (const auto& t : texts) n += tokenizer.tokens_of(t).size() > timesteps;
  return n;
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

// The split, its vocabularies and its id matrices, and the model's shapes.
struct PreparedData {
  Split split;
  Vocabularies vocab;
  Seq2SeqConfig config;
  Array source, target;  // training ids
};

PreparedData prepare_data(const TrainOptions& o, std::ostream& out) {
  const auto pairs = load_pairs(o.data, o.seed);
  Split split = split_pairs(pairs, o.test_split, o.seed);
  Vocabularies vocab = fit_vocabularies(split.train);
  const Seq2SeqConfig config{.hidden = o.hidden,
                             .en_timesteps = o.en_timesteps,
                             .fr_timesteps = o.fr_timesteps,
                             .en_vocab = vocab.en.vocabulary_size(),
                             .fr_vocab = vocab.fr.vocabulary_size(),
                             .embed = o.embed,
                             .bidirectional = o.bidirectional};
  out << "Corpus: " << pairs.size() << " pairs ("
      << (o.data.builtin() ? "built-in phrasebook" : !o.data.data_dir.empty() ? o.data.data_dir : o.data.pairs)
      << "), " << split.train.size() << " for training, " << split.test.size() << " held out\n"
      << "Vocabulary: " << config.en_vocab << " English ids, " << config.fr_vocab << " French ids (with padding and "
      << oov_token << ")\n";
  const auto english = sources_of(split.train);
  std::vector<std::string> french;
  for (const auto& p : split.train) french.push_back(wrap_target(p.target));
  if (const auto n = count_longer(vocab.en, english, o.en_timesteps)) {
    out << "Note: " << n << " English sentences have more than " << o.en_timesteps << " words; their first "
        << o.en_timesteps << " are used\n";
  }
  if (const auto n = count_longer(vocab.fr, french, o.fr_timesteps)) {
    out << "Note: " << n << " French sentences have more than " << o.fr_timesteps
        << " words with sos/eos; they are cut (and lose 'eos')\n";
  }
  Array source = source_ids(vocab.en, english, o.en_timesteps);
  Array target = target_ids(vocab.fr, targets_of(split.train), o.fr_timesteps);
  return {std::move(split), std::move(vocab), config, std::move(source), std::move(target)};
}

// Translates the held-out pairs (greedily), prints samples and scores, and
// draws the first one's attention. Without held-out pairs, draws the first
// training pair's.
void report_held_out(const TrainedModel& trained, const Split& split, const TrainOptions& o,
                     const std::filesystem::path& dir, std::ostream& out) {
  const auto& shown = split.test.empty() ? split.train : split.test;
  const Array source = source_ids(trained.en, sources_of(shown), o.en_timesteps);
  const Decoder decoder(trained.model, trained.fr);
  const auto start = std::chrono::steady_clock::now();
  const auto translations = decoder.greedy(split.test.empty() ? kiln::row_range(source, 0, 1) : source);
  write_heatmap((dir / "attention.png").string(), trained.en, trained.fr, source, 0, translations[0]);
  if (split.test.empty()) return;
  if (!o.quiet) print_samples(out, split.test, translations, 5);
  std::vector<TokenizedSentence> found;
  for (const auto& t : translations) found.push_back(t.words);
  const double seconds = std::lround(seconds_since(start) * 10) / 10.0;
  out << "Held-out " << split.test.size() << " pairs, greedy decoding (" << seconds << " s):\n  ";
  print_scores(out, score_translations(found, targets_of(split.test)));
}

}  // namespace

int run_train(const TrainOptions& o, std::ostream& root_out) {
  const auto start = std::chrono::steady_clock::now();
  // Under mpirun every process prepares the same data and model and trains
  // on its shard of each global batch (--batch-size stays the global size);
  // rank 0 alone prints, writes the model directory and evaluates.
  const auto job = kiln::world();
  std::ostream discard(nullptr);
  std::ostream& out = job->is_root() ? root_out : discard;
  kiln::set_num_threads(int(o.threads));
  kiln::set_random_seed(o.seed);
  PreparedData data = prepare_data(o, out);

  TrainedModel trained{build_seq2seq(data.config, job->size() > 1 ? job : nullptr), std::move(data.vocab.en),
                       std::move(data.vocab.fr)};
  if (!o.quiet) trained.model.training->summary(out);
  const std::size_t epochs = o.epochs ? o.epochs : o.data.builtin() ? default_phrasebook_epochs : default_corpus_epochs;
  const auto train_start = std::chrono::steady_clock::now();
  std::vector<double> step_seconds;
  train_seq2seq(trained.model, data.source, data.target,
                {.epochs = epochs, .batch_size = o.batch_size, .seed = o.seed, .verbose = !o.quiet && job->is_root(),
                 .out = &out, .step_seconds = &step_seconds});
  const double train_seconds = seconds_since(train_start);
  const std::size_t pairs = data.source.shape()[0];
  // The median step resists the bursts of other work on a shared machine.
  std::nth_element(step_seconds.begin(), step_seconds.begin() + std::ptrdiff_t(step_seconds.size() / 2),
                   step_seconds.end());
  const double median_step = step_seconds.empty() ? 0.0 : step_seconds[step_seconds.size() / 2];
  char line[200];
  std::snprintf(line, sizeof line, "Trained %zu epochs in %.1f s (%.0f pairs/s; median step %.1f ms)\n", epochs,
                train_seconds, double(pairs * epochs) / train_seconds, median_step * 1e3);
  out << line;
  if (job->size() > 1) {
    const std::size_t steps = epochs * ((pairs + o.batch_size - 1) / o.batch_size);
    std::size_t gradient_floats = 0;
    for (const auto& w : trained.model.training->trainable_weights()) gradient_floats += w.size();
    report_data_parallel(out, *job, steps, gradient_floats, train_seconds);
  }
  if (!job->is_root()) return exit_ok;

  const std::filesystem::path dir = o.out;
  save_model_dir(dir, trained);
  out << "Saved the model to " << dir.string() << "/\n";
  report_held_out(trained, data.split, o, dir, out);
  std::snprintf(line, sizeof line, "Total time %.1f s\n", seconds_since(start));
  out << line;
  return exit_ok;
}

}  // namespace nmt
