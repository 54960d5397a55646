// `nmt evaluate`: translate a corpus and score it against its references.

#include <chrono>
#include <cmath>

#include "examples/nmt/commands.hpp"
#include "examples/nmt/dataset.hpp"
#include "examples/nmt/decoding.hpp"
#include "examples/nmt/evaluation.hpp"
#include "examples/nmt/loaded_model.hpp"
#include "examples/nmt/model_dir.hpp"
#include "examples/nmt/output.hpp"
#include "ops/blas.hpp"

namespace nmt {

int run_evaluate(const EvaluateOptions& o, std::ostream& out, std::ostream& log) {
  kiln::set_num_threads(int(o.threads));
  const LoadedModel model = LoadedModel::load(o.model_dir, {.strict = o.strict, .warnings = &log});
  const auto pairs = load_pairs(o.data, 0);
  const std::size_t steps = model.en_timesteps();
  std::size_t cut = 0;
  for (const auto& p : pairs) cut += model.en().tokens_of(p.source).size() > steps;
  if (cut) {  // never silently: the scores are of the cut sentences
    log << "nmt evaluate: " << cut << " of " << pairs.size() << " English sentences have more than " << steps
        << " words (the model's en_timesteps); only their first " << steps << " are translated\n";
  }
  if (!o.quiet) {
    log << "nmt evaluate: translating " << pairs.size() << " sentences ("
        << (o.beam > 1 ? "beam " + std::to_string(o.beam) : std::string("greedy")) << ")\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const auto translations = model.translate(model.source_ids(sources_of(pairs)), o.beam, nullptr, o.cache);
  std::vector<TokenizedSentence> found;
  for (const auto& t : translations) found.push_back(t.words);
  const Scores scores = score_translations(found, targets_of(pairs));
  if (!o.quiet) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log << "nmt evaluate: translated in " << std::lround(seconds * 100) / 100.0 << " s ("
        << std::lround(seconds / double(pairs.size()) * 1e5) / 100.0 << " ms per sentence)\n";
  }
  print_scores(out, scores);
  check_output(out, "standard output");
  return exit_ok;
}

}  // namespace nmt
