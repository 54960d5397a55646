// `nmt train --arch transformer` (see transformer_commands.hpp).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "distributed/communicator.hpp"
#include "examples/nmt/dataset.hpp"
#include "examples/nmt/evaluation.hpp"
#include "examples/nmt/heatmap.hpp"
#include "examples/nmt/pair_dataset.hpp"
#include "examples/nmt/report.hpp"
#include "examples/nmt/step_timer.hpp"
#include "examples/nmt/transformer_commands.hpp"
#include "examples/nmt/transformer_decoding.hpp"
#include "examples/nmt/transformer_model_dir.hpp"
#include "examples/nmt/training_history.hpp"
#include "io/atomic_dir.hpp"
#include "layers/initializers.hpp"
#include "data/batching.hpp"
#include "models/callbacks.hpp"
#include "ops/blas.hpp"

namespace nmt {

namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

int run_train_transformer(const TrainOptions& given, std::ostream& root_out) {
  const auto start = Clock::now();
  if (!given.resume.empty() || given.checkpoint_every != 0) {
    throw kiln::Error("nmt train --arch transformer: checkpoints and --resume are not supported yet");
  }
  TrainOptions o = given;
  if (!o.epochs) o.epochs = o.data.builtin() ? default_phrasebook_epochs : default_corpus_epochs;
  if (o.d_model % o.heads != 0) {
    throw kiln::Error("nmt train: --d-model " + std::to_string(o.d_model) + " is not a multiple of --heads " +
                      std::to_string(o.heads));
  }
  const auto job = kiln::world();
  std::ostream discard(nullptr);
  std::ostream& out = job->is_root() ? root_out : discard;
  kiln::set_num_threads(int(o.threads));
  kiln::set_random_seed(o.seed);
  std::optional<kiln::io::DirectoryWrite> model_dir;
  if (job->is_root()) model_dir.emplace(o.out, model_dir_parts());

  const auto pairs = load_pairs(o.data, o.seed);
  const Split split = split_pairs(pairs, o.test_split, o.seed);
  Vocabularies vocab = fit_vocabularies(split.train);
  const TransformerConfig config{.d_model = o.d_model, .heads = o.heads, .ff_dim = o.ff_dim, .encoder_layers = o.layers,
                                 .decoder_layers = o.layers, .dropout = o.dropout, .en_timesteps = o.en_timesteps,
                                 .fr_timesteps = o.fr_timesteps, .en_vocab = vocab.en.vocabulary_size(),
                                 .fr_vocab = vocab.fr.vocabulary_size()};
  out << "Corpus: " << pairs.size() << " pairs, " << split.train.size() << " for training, " << split.test.size()
      << " held out\nVocabulary: " << config.en_vocab << " English ids, " << config.fr_vocab << " French ids\n";
  const Array source = source_ids(vocab.en, sources_of(split.train), o.en_timesteps, config.en_padding);
  const Array target = target_ids(vocab.fr, targets_of(split.train), o.fr_timesteps);
  // Batches of ids in a fresh order each epoch; decoder input, target and
  // padding mask made per batch.
  const auto batches = transformer_batches(source, target, o.batch_size, o.seed,
                                           batching_named(o.batching.empty() ? "longest" : o.batching).value());

  TrainedTransformer trained{build_transformer(config, o.learning_rate, o.warmup, job->size() > 1 ? job : nullptr),
                             std::move(vocab.en), std::move(vocab.fr)};
  if (!o.quiet) trained.model.training->summary(out);
  std::vector<double> step_seconds;
  const auto train_start = Clock::now();
  const kiln::History history = trained.model.training->fit(batches,
                              {.epochs = o.epochs, .seed = o.seed, .verbose = o.quiet ? 0 : 1,
                               .callbacks = {std::make_shared<StepTimer>(step_seconds)}, .out = &out});
  const double train_seconds = seconds_since(train_start);
  char line[200];
  std::snprintf(line, sizeof line, "Trained %zu epochs in %.1f s (%.0f pairs/s; median step %.1f ms)\n", o.epochs,
                train_seconds, double(source.shape()[0] * o.epochs) / train_seconds, median_seconds(step_seconds) * 1e3);
  out << line;
  if (!job->is_root()) return exit_ok;

  const auto& shown = split.test.empty() ? split.train : split.test;
  const Array held_source = source_ids(trained.en, sources_of(shown), o.en_timesteps, config.en_padding);
  const TransformerDecoding decoding(trained.model, trained.fr);
  const auto decode_start = Clock::now();
  const auto translations = decoding.greedy(split.test.empty() ? kiln::row_range(held_source, 0, 1) : held_source);
  const double decode_seconds = seconds_since(decode_start);

  write_transformer_files(model_dir->staging(), trained);
  for (const auto format : {HeatmapFormat::png, HeatmapFormat::svg}) {
    const char* name = format == HeatmapFormat::png ? "attention.png" : "attention.svg";
    write_heatmap((model_dir->staging() / name).string(), format, trained.en, trained.fr, held_source, 0,
                  translations[0]);
  }
  write_training_history(model_dir->staging(), history);
  model_dir->commit();
  out << "Saved the model to " << model_dir->target().string() << "/\n";
  if (!split.test.empty()) {
    if (!o.quiet) print_samples(out, split.test, translations, 5);
    std::vector<TokenizedSentence> found;
    for (const auto& t : translations) found.push_back(t.words);
    std::snprintf(line, sizeof line, "%.1f", decode_seconds);
    out << "Held-out " << split.test.size() << " pairs, greedy decoding with the cache (" << line << " s):\n  ";
    print_scores(out, score_translations(found, targets_of(split.test)));
  }
  std::snprintf(line, sizeof line, "Total time %.1f s\n", seconds_since(start));
  out << line;
  return exit_ok;
}

}  // namespace nmt
