// The Transformer translator of the NMT example: the training model's
// shapes and masked loss, decoding with the key/value cache equal to
// decoding over the whole prefix (greedy and beam search) and to the
// training model's teacher-forced logits, the model directory round trip,
// and `nmt train --arch transformer` end to end on a small phrasebook.

#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "examples/nmt/cli.hpp"
#include "examples/nmt/commands.hpp"
#include "examples/nmt/dataset.hpp"
#include "examples/nmt/loaded_model.hpp"
#include "examples/nmt/transformer_decoding.hpp"
#include "examples/nmt/transformer_model.hpp"
#include "examples/nmt/transformer_model_dir.hpp"
#include "graph/grad_mode.hpp"
#include "io/atomic_dir.hpp"
#include "io/atomic_file.hpp"
#include "layers/initializers.hpp"
#include "ops/slice.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using kiln::Array;
using kiln::Tensor;

namespace {

struct Small {
  nmt::Vocabularies vocab;
  nmt::TrainedTransformer trained;
  Array source;
};

// A small model with random weights over a few real pairs' vocabularies.
Small small_model() {
  kiln::set_random_seed(5);
  std::vector<kiln::text::SentencePair> pairs = {{"he saw a big old car", "il a vu une grande vieille voiture"},
                                                 {"she likes apples", "elle aime les pommes"},
                                                 {"we go to paris in may", "nous allons a paris en mai"}};
  nmt::Vocabularies vocab = nmt::fit_vocabularies(pairs);
  const nmt::TransformerConfig config{.d_model = 8, .heads = 2, .ff_dim = 12, .encoder_layers = 2, .decoder_layers = 2,
                                      .dropout = 0.0, .en_timesteps = 6, .fr_timesteps = 7,
                                      .en_vocab = vocab.en.vocabulary_size(), .fr_vocab = vocab.fr.vocabulary_size()};
  Array source = nmt::source_ids(vocab.en, nmt::sources_of(pairs), config.en_timesteps);
  nmt::TrainedTransformer trained{nmt::build_transformer(config), vocab.en, vocab.fr};
  return {std::move(vocab), std::move(trained), std::move(source)};
}

fs::path scratch_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("kiln_nmt_transformer_test_" + name);
  fs::remove_all(dir);
  return dir;
}

}  // namespace

TEST_CASE("nmt transformer: the training model maps ids to logits carrying the French mask") {
  Small s = small_model();
  const auto& c = s.trained.model.config;
  Array french = xt::zeros<float>({std::size_t(3), c.decoder_steps()});
  french(0, 0) = 2, french(0, 1) = 3, french(1, 0) = 4;
  const Tensor logits = s.trained.model.training({Tensor(s.source), Tensor(french)});
  CHECK(logits.shape() == kiln::Shape{3, c.decoder_steps(), c.fr_vocab});
  REQUIRE(logits.mask());
  CHECK((*logits.mask())(0, 1) == 1.0f);
  CHECK((*logits.mask())(0, 2) == 0.0f);
  // keras_hub's blocks, named as the nmt model names them.
  std::set<std::string> names;
  for (const auto& [name, w] : s.trained.model.training->named_weights()) names.insert(name);
  CHECK(names.count("source_embedding/token_embedding/embeddings") == 1);
  CHECK(names.count("decoder_2/cross_attention/query/kernel") == 1);
  CHECK(names.count("output_layer/kernel") == 1);
}

TEST_CASE("nmt transformer: decoding with the cache equals rerunning the prefix and the teacher-forced model") {
  Small s = small_model();
  const nmt::TransformerDecoding cached(s.trained.model, s.trained.fr, true), uncached(s.trained.model, s.trained.fr, false);
  for (const std::size_t beam : {std::size_t(1), std::size_t(3)}) {
    CAPTURE(beam);
    const auto a = cached.translate(s.source, beam), b = uncached.translate(s.source, beam);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].ids == b[i].ids);
      CHECK(a[i].log_probability == doctest::Approx(b[i].log_probability).epsilon(1e-4));
    }
  }
  // Any prefix of real words, teacher-forced, gives the training model's logits step by step.
  const auto& m = s.trained.model;
  const std::size_t steps = m.config.decoder_steps();
  Array french = Array::from_shape({3, steps});
  for (std::size_t i = 0; i < french.size(); ++i) french.data()[i] = float(1 + (7 * i + 3) % (m.config.fr_vocab - 1));
  kiln::NoGradGuard no_grad;
  const Tensor logits = m.training({Tensor(s.source), Tensor(french)});
  const Tensor encoded = m.encode(s.source);
  std::vector<kiln::TransformerDecoderCache> caches;
  const Array mask = nmt::padding_mask(s.source);
  for (std::size_t t = 0; t < 3; ++t) {
    std::vector<int> previous;
    for (std::size_t r = 0; r < 3; ++r) previous.push_back(int(french(r, t)));
    const Array step = m.decode_step(previous, &encoded, caches, mask);
    const Array expected = kiln::slice(logits, 1, t, t + 1).value();
    CHECK(kiln::testing::max_abs_diff(step, Array(xt::reshape_view(expected, step.shape()))) < 1e-4);
  }
}

TEST_CASE("nmt transformer: the model directory saves, loads and translates the same") {
  Small s = small_model();
  const fs::path dir = scratch_dir("dir");
  {
    kiln::io::DirectoryWrite write(dir, nmt::model_dir_parts());
    nmt::write_transformer_files(write.staging(), s.trained);
    write.commit();
  }
  CHECK(nmt::is_transformer_dir(dir));
  const nmt::LoadedModel loaded = nmt::LoadedModel::load(dir);
  REQUIRE(loaded.is_transformer());
  const auto before = nmt::TransformerDecoding(s.trained.model, s.trained.fr).greedy(s.source);
  std::vector<std::vector<Array>> heads;
  const auto after = loaded.translate(s.source, 1, &heads);
  for (std::size_t i = 0; i < before.size(); ++i) CHECK(before[i].ids == after[i].ids);
  REQUIRE(heads.size() == 3);
  CHECK(heads[0][0].shape() == kiln::Shape{2, 6});  // (heads, en_timesteps) per word
  CHECK(after[0].attention.shape() == kiln::Shape{after[0].ids.size(), 6});
  fs::remove_all(dir);
}

TEST_CASE("nmt transformer: config.json is checked field by field") {
  nmt::TransformerConfig c{.en_vocab = 10, .fr_vocab = 12};
  CHECK(nmt::transformer_config_from_json(nmt::to_json(c), "config.json") == c);
  auto json = nmt::to_json(c);
  json["heads"] = 3;
  CHECK_THROWS_WITH_AS(nmt::transformer_config_from_json(json, "config.json"),
                       "config.json: heads: d_model 128 is not a multiple of it", kiln::FormatError);
  json = nmt::to_json(c);
  json.erase("ff_dim");
  CHECK_THROWS_WITH_AS(nmt::transformer_config_from_json(json, "config.json"), "config.json: ff_dim: missing",
                       kiln::FormatError);
}

TEST_CASE("nmt train --arch transformer trains, saves and is read back by translate and evaluate") {
  const fs::path dir = scratch_dir("train");
  const auto inv = nmt::parse_command_line({"nmt", "train", "--arch", "transformer", "--samples", "400", "--epochs", "2",
                                            "--d-model", "16", "--heads", "2", "--ff-dim", "24", "--layers", "1",
                                            "--warmup", "10", "--quiet", "--out", dir.string()});
  std::ostringstream out;
  REQUIRE(nmt::run_train(inv.train, out) == nmt::exit_ok);
  CHECK(out.str().find("Held-out") != std::string::npos);
  CHECK(fs::exists(dir / "attention.png"));
  CHECK(fs::exists(dir / "history.png"));
  const std::string history = kiln::io::read_file(dir / "history.csv");
  CHECK(history.rfind("epoch,", 0) == 0);
  CHECK(std::count(history.begin(), history.end(), '\n') == 3);  // the header and 2 epochs
  std::istringstream english("the cat eats\n\nwe like the big house\n");
  std::ostringstream french, log;
  nmt::TranslateOptions t;
  t.model_dir = dir.string();
  t.beam = 2;
  REQUIRE(nmt::run_translate(t, english, french, log) == nmt::exit_ok);
  const std::string lines = french.str();
  CHECK(std::count(lines.begin(), lines.end(), '\n') == 3);
  CHECK_THROWS_WITH_AS(nmt::parse_command_line({"nmt", "train", "--arch", "lstm"}),
                       doctest::Contains("--arch expects gru or transformer"), nmt::UsageError);
  fs::remove_all(dir);
}
