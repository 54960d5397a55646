// The Transformer translator of the NMT example: the training model's
// shapes and masked loss, decoding with the key/value cache equal to
// decoding over the whole prefix (greedy and beam search) and to the
// training model's teacher-forced logits, the model directory round trip,
// batches cut to their longest sentence or bucketed by length training the
// same function as fixed-width ones, and `nmt train --arch transformer` end
// to end on a small phrasebook.

#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "examples/nmt/cli.hpp"
#include "examples/nmt/commands.hpp"
#include "examples/nmt/dataset.hpp"
#include "examples/nmt/loaded_model.hpp"
#include "examples/nmt/pair_dataset.hpp"
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
  Array source = nmt::source_ids(vocab.en, nmt::sources_of(pairs), config.en_timesteps, config.en_padding);
  nmt::TrainedTransformer trained{nmt::build_transformer(config), vocab.en, vocab.fr};
  return {std::move(vocab), std::move(trained), std::move(source)};
}

fs::path scratch_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("kiln_nmt_transformer_test_" + name);
  fs::remove_all(dir);
  return dir;
}

// Twelve pairs of one to six words a side, post-padded ids.
struct PairIds {
  Array source, target;
};
PairIds pair_ids(const nmt::Vocabularies& vocab, std::size_t en_timesteps, std::size_t fr_timesteps) {
  const std::vector<std::string> words = {"he", "saw", "a", "big", "old", "car"};
  std::vector<std::string> english, french;
  for (std::size_t i = 0; i < 12; ++i) {
    std::string en, fr;
    for (std::size_t w = 0; w <= (5 * i) % 6; ++w) en += words[(i + w) % 6] + " ";
    for (std::size_t w = 0; w <= (7 * i + 2) % 5; ++w) fr += std::string(w % 2 ? "une " : "voiture ");
    english.push_back(en);
    french.push_back(fr);
  }
  return {nmt::source_ids(vocab.en, english, en_timesteps, "post"), nmt::target_ids(vocab.fr, french, fr_timesteps)};
}

// Every batch of one epoch, read until the data ends (bucketed data does not know its count).
std::vector<kiln::Batch> epoch_of(kiln::Dataset& data) {
  std::vector<kiln::Batch> batches;
  for (std::size_t b = 0;; ++b) {
    try {
      batches.push_back(data.get_batch(b));
    } catch (const kiln::DataExhausted&) {
      return batches;
    }
  }
}

// The real words of row r of post-padded ids.
std::size_t words_in(const Array& ids, std::size_t r) {
  std::size_t n = 0;
  for (std::size_t j = 0; j < ids.shape()[1]; ++j) n += ids(r, j) != 0.0f;
  return n;
}

}  // namespace

TEST_CASE("nmt transformer: batches cut to their longest sentence or bucketed compute what fixed-width ones do") {
  // Configured wider than any pair, so every cut batch is narrower.
  kiln::set_random_seed(9);
  Small s = small_model();
  nmt::TransformerConfig c = s.trained.model.config;
  c.en_timesteps = 9, c.fr_timesteps = 10;
  const nmt::TransformerSeq2Seq wide = nmt::build_transformer(c);
  const PairIds ids = pair_ids(s.vocab, c.en_timesteps, c.fr_timesteps);
  auto& model = *wide.training;
  const auto fixed = model.evaluate(nmt::transformer_batches(ids.source, ids.target, 5, 3, nmt::Batching::fixed));
  const auto cut = nmt::transformer_batches(ids.source, ids.target, 5, 3, nmt::Batching::longest);
  CHECK(cut->get_batch(0).x[0].shape()[1] < c.en_timesteps);
  CHECK(cut->get_batch(0).x[1].shape()[1] < c.decoder_steps());
  const auto longest = model.evaluate(cut);
  CHECK(fixed.at("loss") == doctest::Approx(longest.at("loss")).epsilon(1e-5));
  CHECK(fixed.at("accuracy") == doctest::Approx(longest.at("accuracy")).epsilon(1e-6));
  // Bucketed batches group other pairs, so compare pair by pair: each real
  // word's logits as the whole fixed-width set gives them.
  kiln::NoGradGuard no_grad;
  const auto all = nmt::transformer_batches(ids.source, ids.target, 12, 3, nmt::Batching::fixed)->get_batch(0);
  const Array reference = Tensor(wide.training({Tensor(all.x[0]), Tensor(all.x[1])})).value();
  const auto buckets = nmt::transformer_batches(ids.source, ids.target, 3, 3, nmt::Batching::bucket);
  std::size_t words = 0;
  for (const kiln::Batch& batch : epoch_of(*buckets)) {
    const Array logits = Tensor(wide.training({Tensor(batch.x[0]), Tensor(batch.x[1])})).value();
    for (std::size_t r = 0; r < batch.x[0].shape()[0]; ++r) {
      // The same pair in the fixed-width batch: the row with the same ids.
      std::size_t match = 12;
      for (std::size_t i = 0; i < 12 && match == 12; ++i) {
        bool same = true;
        for (std::size_t t = 0; t < batch.x[0].shape()[1]; ++t) same = same && all.x[0](i, t) == batch.x[0](r, t);
        for (std::size_t t = 0; t < batch.x[1].shape()[1]; ++t) same = same && all.x[1](i, t) == batch.x[1](r, t);
        if (same) match = i;
      }
      REQUIRE(match < 12);
      for (std::size_t t = 0; t < batch.y[0].shape()[1]; ++t) {
        if (batch.y[0](r, t) == 0.0f) continue;
        ++words;
        for (std::size_t k = 0; k < logits.shape()[2]; ++k) {
          CHECK(logits(r, t, k) == doctest::Approx(reference(match, t, k)).epsilon(1e-4));
        }
      }
    }
  }
  CHECK(words == std::size_t(xt::sum(*all.sample_weight)()));
}

TEST_CASE("nmt transformer: each batching gives every pair once per epoch, in batches no wider than their longest pair") {
  Small s = small_model();
  const PairIds ids = pair_ids(s.vocab, 8, 9);
  for (const auto batching : {nmt::Batching::fixed, nmt::Batching::longest, nmt::Batching::bucket}) {
    CAPTURE(int(batching));
    const auto batches = nmt::transformer_batches(ids.source, ids.target, 4, 7, batching);
    std::multiset<std::size_t> seen, expected;
    for (std::size_t r = 0; r < 12; ++r) expected.insert(words_in(ids.source, r) * 100 + words_in(ids.target, r));
    for (const kiln::Batch& batch : epoch_of(*batches)) {
      const Array& english = batch.x[0];
      const Array& decoder_in = batch.x[1];
      const Array& decoder_out = batch.y[0];
      std::size_t longest_en = 0, longest_fr = 0, shortest_en = 100;
      for (std::size_t r = 0; r < english.shape()[0]; ++r) {
        const std::size_t en = words_in(english, r), fr = words_in(decoder_out, r) + 1;  // + '<sos>'
        seen.insert(en * 100 + fr);
        longest_en = std::max(longest_en, en), longest_fr = std::max(longest_fr, fr);
        shortest_en = std::min(shortest_en, en);
      }
      if (batching == nmt::Batching::fixed) {
        CHECK(english.shape()[1] == 8);
        CHECK(decoder_in.shape()[1] == 8);
      } else {
        CHECK(english.shape()[1] == longest_en);
        CHECK(decoder_in.shape()[1] + 1 == longest_fr);
      }
      if (batching == nmt::Batching::bucket) CHECK(longest_en - shortest_en <= 1);
      REQUIRE(batch.sample_weight);
      CHECK(batch.sample_weight->shape() == decoder_in.shape());
    }
    CHECK(seen == expected);
  }
}

TEST_CASE("nmt transformer: English is padded on the side the model was trained with") {
  Small s = small_model();
  CHECK(s.trained.model.config.en_padding == "post");
  const fs::path dir = scratch_dir("padding");
  {
    kiln::io::DirectoryWrite write(dir, nmt::model_dir_parts());
    nmt::write_transformer_files(write.staging(), s.trained);
    write.commit();
  }
  const auto she = float(s.vocab.en.word_index().at("she"));
  CHECK(nmt::LoadedModel::load(dir).source_ids({"she"})(0, 0) == she);
  // Version 1 directories (before en_padding was saved) were trained pre-padded.
  auto json = nmt::to_json(s.trained.model.config);
  json.erase("en_padding");
  json["format_version"] = 1;
  const fs::path old_dir = scratch_dir("padding_v1");
  {
    kiln::io::DirectoryWrite write(old_dir, nmt::model_dir_parts());
    nmt::write_transformer_files(write.staging(), s.trained);
    kiln::io::write_file_atomically(write.staging() / "config.json", json.dump(2));
    write.commit();
  }
  const nmt::LoadedModel old = nmt::LoadedModel::load(old_dir);
  CHECK(old.source_ids({"she"})(0, old.en_timesteps() - 1) == she);
  CHECK(old.source_ids({"she"})(0, 0) == 0.0f);
  json["format_version"] = 2;
  CHECK_THROWS_WITH_AS(nmt::transformer_config_from_json(json, "config.json"), "config.json: en_padding: missing",
                       kiln::FormatError);
  json["en_padding"] = "middle";
  CHECK_THROWS_WITH_AS(nmt::transformer_config_from_json(json, "config.json"),
                       "config.json: en_padding: expected \"pre\" or \"post\", got \"middle\"", kiln::FormatError);
  fs::remove_all(dir);
  fs::remove_all(old_dir);
}

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
                                            "--warmup", "10", "--batching", "bucket", "--quiet", "--out", dir.string()});
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
  CHECK_THROWS_WITH_AS(nmt::parse_command_line({"nmt", "train", "--batching", "sorted"}),
                       doctest::Contains("--batching expects fixed, longest or bucket, got 'sorted'"), nmt::UsageError);
  const auto gru = nmt::parse_command_line({"nmt", "train", "--batching", "longest"});
  CHECK_THROWS_WITH_AS(nmt::run_train(gru.train, out), doctest::Contains("the gru model takes only fixed"), kiln::Error);
  fs::remove_all(dir);
}
