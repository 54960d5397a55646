// `nmt export`: the exported encoder and decoder_step, run by ONNX Runtime
// in the greedy loop `nmt translate` runs (tests/onnx/greedy_decode.js),
// give kiln's own translations of the phrasebook's held-out sentences.

#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "examples/nmt/dataset.hpp"
#include "examples/nmt/decoding.hpp"
#include "examples/nmt/onnx_export.hpp"
#include "examples/nmt/trainer.hpp"
#include "onnx_support.hpp"
#include "support.hpp"

using kiln::Array;

namespace {

struct Tiny {
  nmt::Split split;
  nmt::TrainedModel trained;
};

// 400 phrasebook pairs, a 16-unit model (bidirectional or not), 3 epochs of batches of 4: seconds.
Tiny tiny_model(bool bidirectional, std::size_t embed) {
  kiln::set_random_seed(9);
  nmt::DataOptions phrasebook;
  phrasebook.samples = 400;
  auto split = nmt::split_pairs(nmt::load_pairs(phrasebook, 9), 0.1, 9);
  auto vocab = nmt::fit_vocabularies(split.train);
  const nmt::Seq2SeqConfig config{.hidden = 16, .en_timesteps = 12, .fr_timesteps = 14,
                                  .en_vocab = vocab.en.vocabulary_size(), .fr_vocab = vocab.fr.vocabulary_size(),
                                  .embed = embed, .bidirectional = bidirectional};
  nmt::TrainedModel trained{nmt::build_seq2seq(config), std::move(vocab.en), std::move(vocab.fr)};
  const Array source = nmt::source_ids(trained.en, nmt::sources_of(split.train), config.en_timesteps);
  const Array target = nmt::target_ids(trained.fr, nmt::targets_of(split.train), config.fr_timesteps);
  nmt::train_seq2seq(trained.model, source, target, {.epochs = 3, .batch_size = 4, .seed = 9, .verbose = false});
  return {std::move(split), std::move(trained)};
}

void check_onnx_translations(bool bidirectional, std::size_t embed) {
  Tiny tiny = tiny_model(bidirectional, embed);
  const auto& c = tiny.trained.model.config;
  kiln::testing::OnnxTempDir dir;
  nmt::export_onnx_dir(tiny.trained, dir / "onnx");
  for (const char* f : {"encoder.onnx", "decoder_step.onnx", "config.json", "vocab_en.json", "vocab_fr.json"}) {
    CHECK(std::filesystem::exists(dir / "onnx" / f));
  }
  if (auto report = kiln::testing::onnx_checker_report(dir / "onnx" / "decoder_step.onnx")) CHECK_MESSAGE(report->empty(), *report);
  if (!kiln::testing::onnxruntime_available()) return;

  const Array ids = nmt::source_ids(tiny.trained.en, nmt::sources_of(tiny.split.test), c.en_timesteps);
  const nmt::Decoder decoder(tiny.trained.model, tiny.trained.fr);
  const auto translations = decoder.greedy(ids);
  const Array source = nmt::model_input(ids, c.en_vocab, c);
  nlohmann::json request;
  request["source"]["shape"] = std::vector<std::size_t>(source.shape().begin(), source.shape().end());
  request["source"]["data"] = std::vector<float>(source.begin(), source.end());
  request["start_id"] = tiny.trained.fr.index_of(c.start_token);
  request["end_id"] = tiny.trained.fr.index_of(c.end_token);
  request["fr_vocab"] = c.fr_vocab;
  request["steps"] = c.decoder_steps();
  request["one_hot"] = c.one_hot();
  std::ofstream(dir / "request.json") << request.dump();
  std::string out;
  const std::string command = "node '" + std::string(KILN_SOURCE_DIR) + "/tests/onnx/greedy_decode.js' '" +
                              kiln::testing::onnxruntime_modules_dir().string() + "' '" + (dir / "onnx").string() +
                              "' '" + (dir / "request.json").string() + "' '" + (dir / "result.json").string() + "'";
  REQUIRE_MESSAGE(kiln::testing::onnx_detail::run_command(command, out), out);
  std::ifstream in(dir / "result.json");
  const auto result = nlohmann::json::parse(in).at("ids").get<std::vector<std::vector<int>>>();
  REQUIRE(result.size() == translations.size());
  std::size_t words = 0;
  for (std::size_t i = 0; i < result.size(); ++i) {
    INFO("sentence " << i << ": " << tiny.split.test[i].source);
    CHECK(result[i] == translations[i].ids);
    words += translations[i].words.size();
  }
  CHECK(words > 0);
}

}  // namespace

TEST_CASE("nmt export: ONNX Runtime's greedy decoding gives kiln's translations (one-hot GRU encoder)") {
  check_onnx_translations(false, 0);
}

TEST_CASE("nmt export: ONNX Runtime's greedy decoding gives kiln's translations (bidirectional, embeddings)") {
  check_onnx_translations(true, 8);
}
