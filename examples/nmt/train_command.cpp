// `nmt train`: the seed's train.py from corpus to model directory.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>

#include "examples/nmt/checkpoint.hpp"
#include "examples/nmt/commands.hpp"
#include "examples/nmt/dataset.hpp"
#include "examples/nmt/evaluation.hpp"
#include "examples/nmt/model_dir.hpp"
#include "examples/nmt/parallel_report.hpp"
#include "examples/nmt/report.hpp"
#include "examples/nmt/step_timer.hpp"
#include "examples/nmt/trainer.hpp"
#include "examples/nmt/training_history.hpp"
#include "examples/nmt/transformer_commands.hpp"
#include "io/atomic_dir.hpp"
#include "layers/initializers.hpp"
#include "data/batching.hpp"
#include "ops/blas.hpp"

namespace nmt {

namespace {

// How many sentences have more words than fit in `timesteps` (cut when encoded).
std::size_t count_longer(const Tokenizer& tokenizer, const std::vector<std::string>& texts, std::size_t timesteps) {
  std::size_t n = 0;
  for (const auto& t : texts) n += tokenizer.tokens_of(t).size() > timesteps;
  return n;
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
        << " words with <sos>/<eos>; they are cut (and lose '<eos>')\n";
  }
  Array source = source_ids(vocab.en, english, o.en_timesteps);
  Array target = target_ids(vocab.fr, targets_of(split.train), o.fr_timesteps);
  return {std::move(split), std::move(vocab), config, std::move(source), std::move(target)};
}

// The held-out pairs translated greedily (or, without any, the first
// training pair, whose attention is still drawn).
struct HeldOut {
  Array source;
  std::vector<Translation> translations;
  double seconds = 0.0;
};

HeldOut translate_held_out(const TrainedModel& trained, const Split& split, const TrainOptions& o) {
  const auto& shown = split.test.empty() ? split.train : split.test;
  HeldOut held;
  held.source = source_ids(trained.en, sources_of(shown), o.en_timesteps);
  const Decoder decoder(trained.model, trained.fr);
  const auto start = std::chrono::steady_clock::now();
  held.translations = decoder.greedy(split.test.empty() ? kiln::row_range(held.source, 0, 1) : held.source);
  held.seconds = std::lround(seconds_since(start) * 10) / 10.0;
  return held;
}

void draw_attention(const std::filesystem::path& dir, const TrainedModel& trained, const HeldOut& held) {
  for (const auto format : {HeatmapFormat::png, HeatmapFormat::svg}) {
    const char* name = format == HeatmapFormat::png ? "attention.png" : "attention.svg";
    write_heatmap((dir / name).string(), format, trained.en, trained.fr, held.source, 0, held.translations[0]);
  }
}

void report_held_out(const Split& split, const HeldOut& held, const TrainOptions& o, std::ostream& out) {
  if (split.test.empty()) return;
  if (!o.quiet) print_samples(out, split.test, held.translations, 5);
  std::vector<TokenizedSentence> found;
  for (const auto& t : held.translations) found.push_back(t.words);
  out << "Held-out " << split.test.size() << " pairs, greedy decoding (" << held.seconds << " s):\n  ";
  print_scores(out, score_translations(found, targets_of(split.test)));
}

// SIGINT and SIGTERM during training ask for a checkpoint and a clean stop
// after the current step; after the last step, they let the model be saved
// first. The handlers are reset on delivery, so a second
// signal ends the program at once; the checkpoint write is atomic, so even
// that leaves the previous checkpoint whole.
volatile std::sig_atomic_t stop_signal = 0;

extern "C" void request_stop(int signal) { stop_signal = signal; }

class StopOnSignals {
 public:
  StopOnSignals() {
    struct sigaction action {};
    action.sa_handler = request_stop;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopOnSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

const char* signal_name(int signal) { return signal == SIGINT ? "SIGINT" : "SIGTERM"; }

// The options of the run to do: as given, or as the checkpoint to resume
// recorded them (with this command line's --quiet, --threads and a
// non-zero --checkpoint-every).
TrainOptions run_options(const TrainOptions& given, const std::optional<CheckpointState>& resumed) {
  if (!resumed) return given;
  TrainOptions o = resumed->options;
  o.quiet = given.quiet;
  o.threads = given.threads;
  if (given.checkpoint_every) o.checkpoint_every = given.checkpoint_every;
  o.checkpoint_dir = given.resume;
  o.resume = given.resume;
  return o;
}

// A resumed run must see the data and model it was checkpointed with.
void check_same_run(const TrainedModel& trained, const PreparedData& data, const std::string& dir) {
  const bool same = trained.model.config == data.config && trained.en.to_json() == data.vocab.en.to_json() &&
                    trained.fr.to_json() == data.vocab.fr.to_json();
  if (!same) {
    throw kiln::FormatError(dir + ": the data now gives other vocabularies or model sizes than the checkpoint was "
                                  "trained with (was the corpus changed?); it cannot be resumed");
  }
}

// The model to train: fresh from the data's config, or the checkpoint's,
// which must be the model the data gives.
TrainedModel starting_model(const TrainOptions& o, PreparedData& data, const std::optional<CheckpointState>& resumed,
                            const std::shared_ptr<kiln::Communicator>& communicator, std::ostream& out) {
  if (!resumed) {
    return {build_seq2seq(data.config, communicator), std::move(data.vocab.en), std::move(data.vocab.fr)};
  }
  TrainedModel trained = load_checkpoint(o.resume, communicator);
  check_same_run(trained, data, o.resume);
  out << "Resuming " << o.resume << " at epoch " << resumed->position.epoch + 1 << ", step "
      << resumed->position.step + 1 << "\n";
  return trained;
}

// Trains to the end, checkpointing on the way into `checkpoints` (rank 0
// only; empty elsewhere). True when a signal stopped it first.
bool train_to_end(TrainedModel& trained, const PreparedData& data, const TrainOptions& o,
                  const std::optional<CheckpointState>& resumed, std::optional<kiln::io::DirectoryWrite>& checkpoints,
                  std::vector<double>& step_seconds, kiln::History& history, std::ostream& out) {
  TrainOptions recorded = o;  // what a resumed run reads back
  recorded.resume.clear();
  recorded.checkpoint_dir.clear();
  auto checkpoint = [&](const TrainingPosition& at) {
    if (!checkpoints) return;
    write_checkpoint(*checkpoints, trained, recorded, at);
    out << "Checkpoint written to " << checkpoints->target().string() << "/ (epoch " << at.epoch + (at.step ? 1 : 0)
        << (at.step ? ", step " + std::to_string(at.step) : std::string()) << ")\n";
  };
  const auto job = kiln::world();
  bool interrupted = false;
  history = train_seq2seq(trained.model, data.source, data.target,
                {.epochs = o.epochs, .batch_size = o.batch_size, .seed = o.seed,
                 .verbose = !o.quiet && job->is_root(), .out = &out, .step_seconds = &step_seconds,
                 .resume_from = resumed ? &resumed->position : nullptr, .checkpoint_every = o.checkpoint_every,
                 .checkpoint = checkpoint, .stop = &stop_signal, .interrupted = &interrupted});
  return interrupted;
}

void report_training(const TrainedModel& trained, const TrainOptions& o, std::size_t epochs_run,
                     std::vector<double>& step_seconds, double train_seconds, std::size_t pairs, std::ostream& out) {
  // The median step resists the bursts of other work on a shared machine.
  std::nth_element(step_seconds.begin(), step_seconds.begin() + std::ptrdiff_t(step_seconds.size() / 2),
                   step_seconds.end());
  const double median_step = step_seconds.empty() ? 0.0 : step_seconds[step_seconds.size() / 2];
  char line[200];
  std::snprintf(line, sizeof line, "Trained %zu epochs in %.1f s (%.0f pairs/s; median step %.1f ms)\n", epochs_run,
                train_seconds, double(pairs * epochs_run) / train_seconds, median_step * 1e3);
  out << line;
  const auto job = kiln::world();
  if (job->size() > 1) {
    const std::size_t steps = epochs_run * ((pairs + o.batch_size - 1) / o.batch_size);
    std::size_t gradient_floats = 0;
    for (const auto& w : trained.model.training->trainable_weights()) gradient_floats += w.size();
    report_data_parallel(out, *job, steps, gradient_floats, train_seconds);
  }
}

}  // namespace

int run_train(const TrainOptions& given, std::ostream& root_out) {
  if (given.arch == "transformer") return run_train_transformer(given, root_out);
  if (!given.batching.empty() && given.batching != "fixed") {
    // The seed's GRU reads every padded step (nothing masks it) and learns the
    // padding as words: a batch cut shorter would train another function.
    throw kiln::Error("nmt train: --batching " + given.batching +
                      " needs a model that masks padding (--arch transformer); the gru model takes only fixed");
  }
  const auto start = std::chrono::steady_clock::now();
  // Under mpirun every process prepares the same data and model and trains
  // on its shard of each global batch (--batch-size stays the global size);
  // rank 0 alone prints, writes the model directory and evaluates.
  const auto job = kiln::world();
  std::ostream discard(nullptr);
  std::ostream& out = job->is_root() ? root_out : discard;
  std::optional<CheckpointState> resumed;
  if (!given.resume.empty()) resumed = read_checkpoint_state(given.resume);
  TrainOptions o = run_options(given, resumed);
  if (!o.epochs) o.epochs = o.data.builtin() ? default_phrasebook_epochs : default_corpus_epochs;
  kiln::set_num_threads(int(o.threads));
  kiln::set_random_seed(o.seed);

  // What can fail after training is tried before it: the model and the
  // checkpoint directories are locked (for the whole run), checked and
  // staged now.
  std::optional<kiln::io::DirectoryWrite> model_dir, checkpoints;
  if (job->is_root()) {
    model_dir.emplace(o.out, model_dir_parts());
    checkpoints.emplace(o.checkpoint_path(), checkpoint_parts());
  }
  // From here to the saved model a signal asks for a clean stop; under
  // mpirun, mpirun itself signals every rank.
  std::optional<StopOnSignals> signals;
  stop_signal = 0;
  if (job->size() == 1) signals.emplace();
  PreparedData data = prepare_data(o, out);
  TrainedModel trained = starting_model(o, data, resumed, job->size() > 1 ? job : nullptr, out);
  if (!o.quiet) trained.model.training->summary(out);
  const auto train_start = std::chrono::steady_clock::now();
  std::vector<double> step_seconds;
  kiln::History history;
  if (train_to_end(trained, data, o, resumed, checkpoints, step_seconds, history, out)) {
    std::cerr << "nmt train: stopped by " << signal_name(stop_signal) << "; continue with: nmt train --resume "
              << o.checkpoint_path() << "\n";
    return 128 + int(stop_signal);
  }
  const std::size_t epochs_run = o.epochs - (resumed ? resumed->position.epoch : 0);
  report_training(trained, o, epochs_run, step_seconds, seconds_since(train_start), data.source.shape()[0], out);
  if (!job->is_root()) return exit_ok;

  const HeldOut held = translate_held_out(trained, data.split, o);
  write_model_files(model_dir->staging(), trained);
  draw_attention(model_dir->staging(), trained, held);
  write_training_history(model_dir->staging(), history);
  model_dir->commit();
  out << "Saved the model to " << model_dir->target().string() << "/\n";
  if (stop_signal != 0) {  // came after the last step: the model is saved, the report skipped
    std::cerr << "nmt train: stopped by " << signal_name(stop_signal) << " after saving the model\n";
    return 128 + int(stop_signal);
  }
  report_held_out(data.split, held, o, out);
  char line[80];
  std::snprintf(line, sizeof line, "Total time %.1f s\n", seconds_since(start));
  out << line;
  return exit_ok;
}

}  // namespace nmt
