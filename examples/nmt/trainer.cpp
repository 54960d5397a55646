// The NMT training loop (see trainer.hpp).

#include "examples/nmt/trainer.hpp"

#include <chrono>
#include <iostream>
#include <numeric>
#include <optional>
#include <random>

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
  std::mt19937_64 rng(settings.seed);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  kiln::History history;

  for (std::size_t epoch = 0; epoch < settings.epochs; ++epoch) {
    if (settings.verbose) out << "Epoch " << epoch + 1 << "/" << settings.epochs << "\n";
    std::optional<kiln::ProgressBar> bar;
    if (settings.verbose) bar.emplace(steps, out, interactive);
    std::shuffle(order.begin(), order.end(), rng);
    double loss_sum = 0.0, accuracy_sum = 0.0;
    std::size_t seen = 0;
    kiln::ProgressBar::Values values;
    for (std::size_t step = 0; step < steps; ++step) {
      const std::size_t begin = step * settings.batch_size, end = std::min(n, begin + settings.batch_size);
      const std::vector<std::size_t> rows(order.begin() + std::ptrdiff_t(begin), order.begin() + std::ptrdiff_t(end));
      const auto step_start = std::chrono::steady_clock::now();
      const TrainingBatch batch = make_batch(c, source_ids, target_ids, rows);
      const auto logs = model.training->train_on_batch(batch.x, batch.y);
      if (settings.step_seconds) {
        settings.step_seconds->push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count());
      }
      loss_sum += logs.at("loss") * double(rows.size());
      accuracy_sum += logs.at("accuracy") * double(rows.size());
      seen += rows.size();
      values = {{"loss", loss_sum / double(seen)}, {"accuracy", accuracy_sum / double(seen)}};
      if (bar) bar->update(step + 1, values);
    }
    if (bar) bar->finish(values);
    history.record_epoch(values);
  }
  return history;
}

}  // namespace nmt
