// The NMT training loop (see trainer.hpp).

#include "examples/nmt/trainer.hpp"

#include <chrono>
#include <iostream>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>

#include "examples/nmt/dataset.hpp"
#include "graph/error.hpp"
#include "models/batching.hpp"
#include "ops/one_hot.hpp"
#include "training/progress_bar.hpp"

namespace nmt {

using kiln::Array;

TrainingBatch make_batch(const Seq2SeqConfig& c, const Array& source_ids, const Array& target_ids,
                         const std::vector<std::size_t>& rows) {
  const Array source = kiln::take_rows(source_ids, rows);
  const Array target = kiln::take_rows(target_ids, rows);
  const Array decoder_in = id_columns(target, 0, c.fr_timesteps - 1);  // target[:, :-1]
  const Array decoder_out = id_columns(target, 1, c.fr_timesteps);     // target[:, 1:]
  TrainingBatch b;
  b.x = {model_input(source, c.en_vocab, c), model_input(decoder_in, c.fr_vocab, c)};
  b.y = {kiln::one_hot(decoder_out, c.fr_vocab).value()};
  return b;
}

namespace {

std::string state_of(const std::mt19937_64& rng) {
  std::ostringstream out;
  out << rng;
  return out.str();
}

std::mt19937_64 generator_from(const std::string& state) {
  std::mt19937_64 rng;
  std::istringstream in(state);
  in >> rng;
  if (!in) throw kiln::FormatError("the data order generator's state is damaged");
  return rng;
}

// A checkpoint's order must be a permutation of the n rows.
std::vector<std::size_t> checked_order(const std::vector<std::size_t>& order, std::size_t n) {
  bool valid = order.size() == n;
  std::vector<bool> seen(n, false);
  for (std::size_t k = 0; valid && k < n; ++k) {
    valid = order[k] < n && !seen[order[k]];
    if (valid) seen[order[k]] = true;
  }
  if (!valid) {
    throw kiln::FormatError("the checkpoint's data order is not a permutation of the " + std::to_string(n) +
                            " training pairs (did the data change?)");
  }
  return order;
}

bool stop_requested(const TrainingSettings& s) { return s.stop != nullptr && *s.stop != 0; }

}  // namespace

kiln::History train_seq2seq(Seq2Seq& model, const Array& source_ids, const Array& target_ids,
                            const TrainingSettings& settings) {
  const auto& c = model.config;
  const std::size_t n = source_ids.shape()[0];
  if (n == 0 || target_ids.shape()[0] != n) {
    throw kiln::Error("train: " + std::to_string(n) + " English rows and " + std::to_string(target_ids.shape()[0]) +
                      " French rows (need the same positive number)");
  }
  if (settings.batch_size == 0) throw kiln::Error("train: batch_size must be positive");
  std::ostream& out = settings.out ? *settings.out : std::cout;
  const bool interactive = settings.out == nullptr && kiln::stream_is_terminal(stdout);
  const std::size_t steps = (n + settings.batch_size - 1) / settings.batch_size;
  const TrainingPosition start = settings.resume_from ? *settings.resume_from : TrainingPosition{};
  if (start.step > steps) throw kiln::FormatError("train: the checkpoint's step is beyond the epoch");
  std::mt19937_64 rng = settings.resume_from ? generator_from(start.order_rng) : std::mt19937_64(settings.seed);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  if (settings.resume_from) order = checked_order(start.order, n);
  kiln::History history;
  if (settings.interrupted) *settings.interrupted = false;

  for (std::size_t epoch = start.epoch; epoch < settings.epochs; ++epoch) {
    const bool resumed = settings.resume_from && epoch == start.epoch;
    TrainingPosition at{epoch, resumed ? start.step : 0, state_of(rng), order, resumed ? start.loss_sum : 0.0,
                        resumed ? start.accuracy_sum : 0.0, resumed ? start.seen : 0};
    if (settings.verbose) out << "Epoch " << epoch + 1 << "/" << settings.epochs << "\n";
    std::optional<kiln::ProgressBar> bar;
    if (settings.verbose) bar.emplace(steps, out, interactive);
    // The same order from the same generator state and previous order, resumed or not.
    std::shuffle(order.begin(), order.end(), rng);
    kiln::ProgressBar::Values values;
    for (; at.step < steps; ++at.step) {
      const std::size_t begin = at.step * settings.batch_size, end = std::min(n, begin + settings.batch_size);
      const std::vector<std::size_t> rows(order.begin() + std::ptrdiff_t(begin), order.begin() + std::ptrdiff_t(end));
      const auto step_start = std::chrono::steady_clock::now();
      const TrainingBatch batch = make_batch(c, source_ids, target_ids, rows);
      const auto logs = model.training->train_on_batch(batch.x, batch.y);
      if (settings.step_seconds) {
        settings.step_seconds->push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count());
      }
      at.loss_sum += logs.at("loss") * double(rows.size());
      at.accuracy_sum += logs.at("accuracy") * double(rows.size());
      at.seen += rows.size();
      values = {{"loss", at.loss_sum / double(at.seen)}, {"accuracy", at.accuracy_sum / double(at.seen)}};
      if (bar) bar->update(at.step + 1, values);
      if (stop_requested(settings) && at.step + 1 < steps) {
        ++at.step;
        if (settings.checkpoint) settings.checkpoint(at);
        if (settings.interrupted) *settings.interrupted = true;
        return history;
      }
    }
    if (bar) bar->finish(values);
    history.record_epoch(values);
    const TrainingPosition next{epoch + 1, 0, state_of(rng), order, 0.0, 0.0, 0};
    const bool due = settings.checkpoint_every != 0 && (epoch + 1) % settings.checkpoint_every == 0;
    if (settings.checkpoint && (due || stop_requested(settings))) settings.checkpoint(next);
    if (stop_requested(settings) && epoch + 1 < settings.epochs) {
      if (settings.interrupted) *settings.interrupted = true;
      return history;
    }
  }
  return history;
}

}  // namespace nmt
