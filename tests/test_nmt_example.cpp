// The NMT example (examples/nmt): data preparation, the models built from
// shared layers, decoding, the model directory and the command line.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <xtensor/xbuilder.hpp>

#include "examples/nmt/checkpoint.hpp"
#include "examples/nmt/cli.hpp"
#include "examples/nmt/commands.hpp"
#include "examples/nmt/dataset.hpp"
#include "examples/nmt/decoding.hpp"
#include "examples/nmt/evaluation.hpp"
#include "examples/nmt/model_dir.hpp"
#include "examples/nmt/pair_dataset.hpp"
#include "examples/nmt/report.hpp"
#include "examples/nmt/seq2seq.hpp"
#include "examples/nmt/trainer.hpp"
#include "graph/node.hpp"
#include "io/atomic_dir.hpp"
#include "io/atomic_file.hpp"
#include "io/safetensors.hpp"
#include "layers/initializers.hpp"
#include "data/batching.hpp"
#include "ops/one_hot.hpp"
#include "golden.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using kiln::Array;
using kiln::Tensor;

namespace {

// A fresh empty directory under the system's temporary directory.
fs::path scratch_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("kiln_nmt_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Random ids in [lo, vocab) as floats, (n, t).
Array random_ids(std::size_t n, std::size_t t, std::size_t vocab, std::uint64_t seed, std::size_t lo = 0) {
  Array a = kiln::testing::random_array({n, t}, seed, float(lo), float(vocab) - 0.01f);
  for (auto& v : a) v = std::floor(v);
  return a;
}

// Runs the inference encoder, then the one-step decoder teacher-forced on
// the given decoder ids, and returns the probabilities and the attention
// weights of every step, stacked as the training model has them:
// (B, Td, fr_vocab) and (B, Td, en_timesteps).
std::pair<Array, Array> teacher_forced_run(const nmt::Seq2Seq& m, const Array& source, const Array& decoder_ids) {
  const auto& c = m.config;
  kiln::NoGradGuard no_grad;
  const std::size_t b = source.shape()[0];
  auto encoded = m.encoder({Tensor(nmt::model_input(source, c.en_vocab, c))});
  Array state = encoded[1].value();
  Array probabilities = Array::from_shape({b, c.decoder_steps(), c.fr_vocab});
  Array attention = Array::from_shape({b, c.decoder_steps(), c.en_timesteps});
  for (std::size_t t = 0; t < c.decoder_steps(); ++t) {
    const Array word = nmt::id_columns(decoder_ids, t, t + 1);
    auto step = m.decoder_step({Tensor(nmt::model_input(word, c.fr_vocab, c)), encoded[0], Tensor(state)});
    CHECK(step[0].shape() == kiln::Shape{b, 1, c.fr_vocab});
    CHECK(step[1].shape() == kiln::Shape{b, 1, c.en_timesteps});
    for (std::size_t i = 0; i < b; ++i) {
      std::copy_n(step[0].value().data() + i * c.fr_vocab, c.fr_vocab,
                  probabilities.data() + (i * c.decoder_steps() + t) * c.fr_vocab);
      std::copy_n(step[1].value().data() + i * c.en_timesteps, c.en_timesteps,
                  attention.data() + (i * c.decoder_steps() + t) * c.en_timesteps);
    }
    state = step[2].value();
  }
  return {probabilities, attention};
}

Array teacher_forced_steps(const nmt::Seq2Seq& m, const Array& source, const Array& decoder_ids) {
  return teacher_forced_run(m, source, decoder_ids).first;
}

// (N, T, V) one-hot rows -> (N, T) ids.
Array ids_of_one_hot(const Array& one_hot) {
  const std::size_t n = one_hot.shape()[0], t = one_hot.shape()[1], v = one_hot.shape()[2];
  Array ids = xt::zeros<float>({n, t});
  for (std::size_t i = 0; i < n * t; ++i) {
    const float* row = one_hot.data() + i * v;
    ids.data()[i] = float(std::max_element(row, row + v) - row);
  }
  return ids;
}

Array full_model_probabilities(const nmt::Seq2Seq& m, const Array& source, const Array& decoder_ids) {
  const auto& c = m.config;
  kiln::NoGradGuard no_grad;
  return m.training({Tensor(nmt::model_input(source, c.en_vocab, c)),
                     Tensor(nmt::model_input(decoder_ids, c.fr_vocab, c))})[0]
      .value();
}

// 300 phrasebook pairs, a 16-unit model, 3 epochs of batches of 4: about a second.
struct TinyTrainedModel {
  nmt::Split split;
  nmt::TrainedModel trained;
  kiln::History history;
};

const TinyTrainedModel& tiny_trained_model() {
  static const TinyTrainedModel tiny = [] {
    kiln::set_random_seed(7);
    nmt::DataOptions phrasebook;
    phrasebook.samples = 300;
    auto split = nmt::split_pairs(nmt::load_pairs(phrasebook, 7), 0.1, 7);
    auto vocab = nmt::fit_vocabularies(split.train);
    const nmt::Seq2SeqConfig config{.hidden = 16, .en_timesteps = 12, .fr_timesteps = 14,
                                    .en_vocab = vocab.en.vocabulary_size(), .fr_vocab = vocab.fr.vocabulary_size()};
    nmt::TrainedModel trained{nmt::build_seq2seq(config), std::move(vocab.en), std::move(vocab.fr)};
    const Array source = nmt::source_ids(trained.en, nmt::sources_of(split.train), config.en_timesteps);
    const Array target = nmt::target_ids(trained.fr, nmt::targets_of(split.train), config.fr_timesteps);
    auto history = nmt::train_seq2seq(trained.model, source, target,
                                      {.epochs = 3, .batch_size = 4, .seed = 7, .verbose = false});
    return TinyTrainedModel{std::move(split), std::move(trained), std::move(history)};
  }();
  return tiny;
}

}  // namespace

// ---------------------------------------------------------------- data

TEST_CASE("nmt: English is pre-padded and French post-padded inside '<sos>' ... '<eos>', as the seed does") {
  const std::vector<kiln::text::SentencePair> pairs = {{"the cat sleeps .", "le chat dort ."},
                                                       {"the dog .", "le chien ."}};
  const auto v = nmt::fit_vocabularies(pairs);
  CHECK(v.en.index_of("UNK") == 1);
  CHECK(v.fr.index_of("UNK") == 1);
  CHECK(v.fr.index_of(nmt::start_token) > 1);
  CHECK(v.fr.index_of(nmt::end_token) > 1);

  const Array src = nmt::source_ids(v.en, nmt::sources_of(pairs), 5);
  const float the = float(v.en.index_of("the")), cat = float(v.en.index_of("cat")),
              sleeps = float(v.en.index_of("sleeps")), dog = float(v.en.index_of("dog"));
  CHECK(src == Array{{0, 0, the, cat, sleeps}, {0, 0, 0, the, dog}});

  const Array tgt = nmt::target_ids(v.fr, nmt::targets_of(pairs), 6);
  const float sos = float(v.fr.index_of(nmt::start_token)), eos = float(v.fr.index_of(nmt::end_token)), le = float(v.fr.index_of("le")),
              chat = float(v.fr.index_of("chat")), dort = float(v.fr.index_of("dort")),
              chien = float(v.fr.index_of("chien"));
  CHECK(tgt == Array{{sos, le, chat, dort, eos, 0}, {sos, le, chien, eos, 0, 0}});

  // Too long: the first words are kept (the sentence start, and 'sos').
  CHECK(nmt::source_ids(v.en, {"the cat sleeps"}, 2) == Array{{the, cat}});
  CHECK(nmt::target_ids(v.fr, {"le chat dort"}, 3) == Array{{sos, le, chat}});
  // Unknown words are the OOV id 1.
  CHECK(nmt::source_ids(v.en, {"the zebra"}, 3) == Array{{0, the, 1}});
}

TEST_CASE("nmt: the markers are reserved tokens: a French 'eos' or 'sos' is an ordinary word, never an end") {
  // The seed wrapped French as "sos ... eos": this target was cut after "le".
  const std::vector<kiln::text::SentencePair> pairs = {{"the eos .", "le eos et le sos ."}, {"go .", "va !"}};
  const auto v = nmt::fit_vocabularies(pairs);
  const int start = v.fr.index_of(nmt::start_token), end = v.fr.index_of(nmt::end_token);
  const int eos_word = v.fr.index_of("eos"), sos_word = v.fr.index_of("sos");
  CHECK(eos_word > 1);
  CHECK(sos_word > 1);
  CHECK(std::set<int>{start, end, eos_word, sos_word}.size() == 4);
  const Array tgt = nmt::target_ids(v.fr, {"Le EOS et le sos."}, 9);
  const float le = float(v.fr.index_of("le")), et = float(v.fr.index_of("et"));
  CHECK(tgt == Array{{float(start), le, float(eos_word), et, le, float(sos_word), float(end), 0, 0}});
  // No text can produce a marker: the tokenizer strips '<' and '>' from input.
  CHECK(v.en.tokens_of("<eos> <sos>") == std::vector<std::string>{"eos", "sos"});
  CHECK(nmt::wrap_target("<eos>") == std::string(nmt::start_token) + " eos " + nmt::end_token);
}

TEST_CASE("nmt: the split is a seeded shuffle holding out the requested fraction") {
  std::vector<kiln::text::SentencePair> pairs;
  for (int i = 0; i < 100; ++i) pairs.push_back({std::to_string(i) + "e", std::to_string(i) + "f"});
  const auto a = nmt::split_pairs(pairs, 0.15, 3);
  const auto b = nmt::split_pairs(pairs, 0.15, 3);
  const auto c = nmt::split_pairs(pairs, 0.15, 4);
  CHECK(a.train.size() == 85);
  CHECK(a.test.size() == 15);
  CHECK(a.test == b.test);
  CHECK(a.test != c.test);
  std::set<std::string> seen;
  for (const auto& p : a.train) seen.insert(p.source);
  for (const auto& p : a.test) seen.insert(p.source);
  CHECK(seen.size() == 100);
  CHECK(nmt::split_pairs(pairs, 0.0, 3).test.empty());
  CHECK_THROWS_WITH_AS(nmt::split_pairs({pairs[0]}, 0.5, 3), doctest::Contains("leaves no"), kiln::Error);
  CHECK_THROWS_AS(nmt::split_pairs({}, 0.1, 3), kiln::Error);
}

TEST_CASE("nmt: a training batch is [one-hot English, one-hot target[:, :-1]] -> one-hot target[:, 1:]") {
  const nmt::Seq2SeqConfig c{.hidden = 4, .en_timesteps = 3, .fr_timesteps = 4, .en_vocab = 5, .fr_vocab = 6};
  const Array source = {{0, 2, 3}, {1, 4, 4}, {0, 0, 2}};
  const Array target = {{2, 3, 5, 0}, {2, 4, 5, 0}, {2, 1, 3, 5}};
  auto ids_of = [&](const std::vector<std::size_t>& rows) {
    return kiln::Batch{{kiln::take_rows(source, rows), kiln::take_rows(target, rows)}, {}, std::nullopt};
  };
  const auto batch = nmt::seq2seq_inputs(c)(ids_of({2, 0}));
  REQUIRE(batch.x.size() == 2);
  REQUIRE(batch.y.size() == 1);
  CHECK(batch.x[0] == kiln::one_hot(Array{{0, 0, 2}, {0, 2, 3}}, 5).value());
  CHECK(batch.x[1] == kiln::one_hot(Array{{2, 1, 3}, {2, 3, 5}}, 6).value());
  CHECK(batch.y[0] == kiln::one_hot(Array{{1, 3, 5}, {3, 5, 0}}, 6).value());

  // With embeddings the inputs stay ids; the target is one-hot all the same.
  nmt::Seq2SeqConfig e = c;
  e.embed = 3;
  const auto ids = nmt::seq2seq_inputs(e)(ids_of({1}));
  CHECK(ids.x[0] == Array{{1, 4, 4}});
  CHECK(ids.x[1] == Array{{2, 4, 5}});
  CHECK(ids.y[0] == kiln::one_hot(Array{{4, 5, 0}}, 6).value());
}

// ---------------------------------------------------------------- models

TEST_CASE("nmt: the training model has the seed's layers, names and shapes") {
  kiln::set_random_seed(1);
  const nmt::Seq2SeqConfig c{.hidden = 96, .en_timesteps = 20, .fr_timesteps = 20, .en_vocab = 229, .fr_vocab = 343};
  const auto m = nmt::build_seq2seq(c);
  std::map<std::string, kiln::Shape> weights;
  for (const auto& [name, t] : m.training->named_weights()) weights[name] = t.shape();
  const std::map<std::string, kiln::Shape> expected = {
      {"encoder_gru/kernel", {229, 288}},
      {"encoder_gru/recurrent_kernel", {96, 288}},
      {"encoder_gru/bias", {2, 288}},
      {"decoder_gru/kernel", {343, 288}},
      {"decoder_gru/recurrent_kernel", {96, 288}},
      {"decoder_gru/bias", {2, 288}},
      {"attention_layer/W_a", {96, 96}},
      {"attention_layer/U_a", {96, 96}},
      {"attention_layer/V_a", {96, 1}},
      {"time_distributed_layer/softmax_layer/kernel", {192, 343}},
      {"time_distributed_layer/softmax_layer/bias", {343}},
  };
  CHECK(weights == expected);
  CHECK(m.training->compute_output_shape({{kiln::unknown_dim, 20, 229}, {kiln::unknown_dim, 19, 343}}) ==
        std::vector<kiln::PartialShape>{{kiln::unknown_dim, 19, 343}});
  // The inference models own no weights of their own: the same tensors.
  const auto encoder_weights = m.encoder->weights();
  REQUIRE(encoder_weights.size() == 3);
  CHECK(encoder_weights[0].same_as(m.training->named_weights()[0].second));
  CHECK(m.decoder_step->weights().size() == 8);
}

TEST_CASE("nmt: the inference encoder and one-step decoder reproduce the training model's outputs") {
  struct Variant {
    const char* name;
    std::size_t embed;
    bool bidirectional;
  };
  for (const Variant v : {Variant{"one-hot", 0, false}, Variant{"embedding", 5, false},
                          Variant{"bidirectional", 0, true}, Variant{"bidirectional + embedding", 4, true}}) {
    CAPTURE(v.name);
    kiln::set_random_seed(11);
    const nmt::Seq2SeqConfig c{.hidden = 6, .en_timesteps = 5, .fr_timesteps = 6, .en_vocab = 9, .fr_vocab = 11,
                               .embed = v.embed, .bidirectional = v.bidirectional};
    const auto m = nmt::build_seq2seq(c);
    const Array source = random_ids(3, 5, 9, 21);
    const Array decoder_ids = random_ids(3, 5, 11, 22);
    const Array full = full_model_probabilities(m, source, decoder_ids);
    REQUIRE(full.shape() == kiln::Shape{3, 5, 11});
    CHECK_ARRAY_NEAR(teacher_forced_steps(m, source, decoder_ids), full, 1e-5);
  }
}

TEST_CASE("nmt: the example's model reproduces the golden seed step: loss, attention, Adam update") {
  // tests/golden/seed_step.safetensors: the seed's model (229 / 343 words,
  // GRU 96) on a batch of 8, computed independently of kiln.
  using kiln::testing::golden;
  const std::string file = "seed_step.safetensors";
  const nmt::Seq2SeqConfig c{.hidden = 96, .en_timesteps = 20, .fr_timesteps = 20, .en_vocab = 229, .fr_vocab = 343};
  auto m = nmt::build_seq2seq(c);
  // Our Dense sits inside TimeDistributed; the golden file names it alone.
  auto golden_name = [](std::string name) {
    const std::string wrapper = "time_distributed_layer/";
    return name.rfind(wrapper, 0) == 0 ? name.substr(wrapper.size()) : name;
  };
  for (auto& [name, weight] : m.training->named_weights()) weight.mutable_value() = golden(file, golden_name(name));

  const Array source = ids_of_one_hot(golden(file, "encoder_inputs"));
  const Array decoder_in = ids_of_one_hot(golden(file, "decoder_inputs"));
  CHECK(nmt::model_input(source, 229, c) == golden(file, "encoder_inputs"));
  const auto [probabilities, attention] = teacher_forced_run(m, source, decoder_in);
  CHECK_ARRAY_NEAR(attention, golden(file, "attention_weights"), 1e-5);
  CHECK_ARRAY_NEAR(probabilities, full_model_probabilities(m, source, decoder_in), 1e-5);

  const auto logs = m.training->train_on_batch({golden(file, "encoder_inputs"), golden(file, "decoder_inputs")},
                                               {golden(file, "decoder_targets")});
  CHECK(logs.at("loss") == doctest::Approx(golden(file, "loss")(0)).epsilon(1e-5));
  for (auto& [name, weight] : m.training->named_weights()) {
    CAPTURE(name);
    CHECK_ARRAY_NEAR(weight.value(), golden(file, "after_adam/" + golden_name(name)), 1e-6);
  }
}

TEST_CASE("nmt: a tiny model trains end to end and its inference models match the training model") {
  const auto& tiny = tiny_trained_model();
  const auto& m = tiny.trained.model;
  const auto& losses = tiny.history.history.at("loss");
  REQUIRE(losses.size() == 3);
  CHECK(losses.back() < losses.front());
  CHECK(std::isfinite(losses.back()));

  const Array source = nmt::source_ids(tiny.trained.en, nmt::sources_of(tiny.split.test), m.config.en_timesteps);
  const Array target = nmt::target_ids(tiny.trained.fr, nmt::targets_of(tiny.split.test), m.config.fr_timesteps);
  const Array decoder_ids = nmt::id_columns(target, 0, m.config.decoder_steps());
  CHECK_ARRAY_NEAR(teacher_forced_steps(m, source, decoder_ids), full_model_probabilities(m, source, decoder_ids),
                   1e-5);
}

TEST_CASE("nmt: greedy translations are French words, end at 'eos', and carry one attention row per word") {
  const auto& tiny = tiny_trained_model();
  const auto& m = tiny.trained.model;
  const nmt::Decoder decoder(m, tiny.trained.fr);
  const Array source = nmt::source_ids(tiny.trained.en, nmt::sources_of(tiny.split.test), m.config.en_timesteps);
  const auto translations = decoder.greedy(source, 7);  // several blocks
  REQUIRE(translations.size() == tiny.split.test.size());
  const int eos = tiny.trained.fr.index_of(m.config.end_token);
  for (const auto& t : translations) {
    REQUIRE(!t.ids.empty());
    CHECK(t.ids.size() <= m.config.decoder_steps());
    const bool ended = t.ids.back() == eos || t.ids.back() == 0;
    CHECK((ended || t.ids.size() == m.config.decoder_steps()));
    CHECK(t.words.size() == t.ids.size() - (ended ? 1 : 0));
    for (const auto& w : t.words) {
      CHECK(!w.empty());
      CHECK(w.find(' ') == std::string::npos);
      CHECK(w != m.config.start_token);
      CHECK(w != m.config.end_token);
    }
    REQUIRE(t.attention.shape() == kiln::Shape{t.ids.size(), m.config.en_timesteps});
    for (std::size_t s = 0; s < t.ids.size(); ++s) {
      double sum = 0.0;
      for (std::size_t j = 0; j < m.config.en_timesteps; ++j) sum += t.attention(s, j);
      CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
    }
    CHECK(t.log_probability <= 0.0);
  }
  const auto worded = std::count_if(translations.begin(), translations.end(),
                                    [](const nmt::Translation& t) { return !t.words.empty(); });
  CHECK(worded > 0);
  // One sentence at a time gives the same as in a batch.
  const auto single = decoder.greedy(kiln::row_range(source, 2, 3));
  CHECK(single[0].ids == translations[2].ids);
  CHECK_ARRAY_NEAR(single[0].attention, translations[2].attention, 1e-6);
}

TEST_CASE("nmt: beam search of width 1 is greedy decoding, and wider beams give well-formed translations") {
  const auto& tiny = tiny_trained_model();
  const auto& m = tiny.trained.model;
  const nmt::Decoder decoder(m, tiny.trained.fr);
  const Array source =
      kiln::row_range(nmt::source_ids(tiny.trained.en, nmt::sources_of(tiny.split.test), m.config.en_timesteps), 0, 5);
  const auto greedy = decoder.greedy(source);
  const auto beam1 = decoder.beam_search(source, 1);
  const auto beam3 = decoder.beam_search(source, 3);
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(beam1[i].ids == greedy[i].ids);
    CHECK(beam1[i].log_probability == doctest::Approx(greedy[i].log_probability));
    CHECK(!beam3[i].ids.empty());
    CHECK(beam3[i].attention.shape()[0] == beam3[i].ids.size());
    CHECK(beam3[i].log_probability <= 0.0);
  }
  CHECK_THROWS_AS(decoder.beam_search(source, 0), kiln::Error);
  CHECK_THROWS_WITH_AS(decoder.greedy(Array::from_shape({2, 3})), doctest::Contains("(2, 3)"), kiln::ShapeError);
}

// ---------------------------------------------------------------- evaluation

TEST_CASE("nmt: scores compare normalised words, ignoring case and punctuation") {
  CHECK(nmt::normalise("Il fait beau, n'est-ce pas ?") ==
        std::vector<std::string>{"il", "fait", "beau", "n'est", "ce", "pas"});
  // The seed's markers were words; a reference may hold them as words.
  CHECK(nmt::normalise("le sos et eos") == std::vector<std::string>{"le", "sos", "et", "eos"});
  const auto perfect = nmt::score_translations({{"il", "fait", "beau", "ce", "matin"}, {"oui"}},
                                               {"Il fait beau, ce matin.", "Oui !"});
  CHECK(perfect.bleu == doctest::Approx(1.0));
  CHECK(perfect.token_accuracy == doctest::Approx(1.0));
  CHECK(perfect.exact_match == doctest::Approx(1.0));
  CHECK(perfect.sentences == 2);
  // One of six words wrong (position 3), one sentence of two exact.
  const auto half = nmt::score_translations({{"il", "fait", "froid", "ce", "matin"}, {"oui"}},
                                            {"il fait beau ce matin", "oui"});
  CHECK(half.token_accuracy == doctest::Approx(5.0 / 6.0));
  CHECK(half.exact_match == doctest::Approx(0.5));
  CHECK(half.bleu < 1.0);
  CHECK_THROWS_AS(nmt::score_translations({{"a"}}, {"a", "b"}), kiln::Error);
}

// ---------------------------------------------------------------- model directory

TEST_CASE("nmt: a saved model directory reloads to the same weights, vocabularies and translations") {
  const auto& tiny = tiny_trained_model();
  const fs::path dir = scratch_dir("roundtrip");
  nmt::save_model_dir(dir, tiny.trained);
  for (const char* f : {"config.json", "weights.safetensors", "vocab_en.json", "vocab_fr.json"}) {
    CHECK(fs::is_regular_file(dir / f));
  }
  const auto loaded = nmt::load_model_dir(dir);
  CHECK(loaded.model.config == tiny.trained.model.config);
  CHECK(loaded.en.word_index() == tiny.trained.en.word_index());
  CHECK(loaded.fr.word_index() == tiny.trained.fr.word_index());
  const auto a = tiny.trained.model.training->get_weights();
  const auto b = loaded.model.training->get_weights();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == b[i]);

  const Array source = nmt::source_ids(loaded.en, nmt::sources_of(tiny.split.test), loaded.model.config.en_timesteps);
  const auto before = nmt::Decoder(tiny.trained.model, tiny.trained.fr).greedy(source);
  const auto after = nmt::Decoder(loaded.model, loaded.fr).greedy(source);
  for (std::size_t i = 0; i < before.size(); ++i) CHECK(before[i].words == after[i].words);
  fs::remove_all(dir);
}

TEST_CASE("nmt: a damaged model directory is a FormatError naming the file and the fault") {
  const auto& tiny = tiny_trained_model();
  const fs::path good = scratch_dir("good");
  nmt::save_model_dir(good, tiny.trained);
  auto damaged = [&](const std::string& name, const std::function<void(const fs::path&)>& damage) {
    const fs::path dir = scratch_dir(name);
    fs::remove_all(dir);
    fs::copy(good, dir);
    damage(dir);
    return dir;
  };
  auto write = [](const fs::path& file, const std::string& text) { std::ofstream(file, std::ios::binary) << text; };
  auto load_error = [](const fs::path& dir) {
    try {
      nmt::load_model_dir(dir);
    } catch (const kiln::FormatError& e) {
      return std::string(e.what());
    }
    return std::string("(no FormatError)");
  };

  struct Case {
    const char* name;
    std::function<void(const fs::path&)> damage;
    const char* file;
    const char* fault;
  };
  const std::vector<Case> cases = {
      {"no_config", [](const fs::path& d) { fs::remove(d / "config.json"); }, "config.json", "missing"},
      {"config_not_json", [&](const fs::path& d) { write(d / "config.json", "{\"hidden\": 16,"); }, "config.json",
       "not valid JSON"},
      {"config_version", [&](const fs::path& d) {
         auto j = nmt::to_json(tiny.trained.model.config);
         j["format_version"] = 99;
         write(d / "config.json", j.dump());
       }, "config.json", "format_version"},
      {"config_hidden", [&](const fs::path& d) {
         auto j = nmt::to_json(tiny.trained.model.config);
         j["hidden"] = -3;
         write(d / "config.json", j.dump());
       }, "config.json", "hidden"},
      {"config_shape", [&](const fs::path& d) {
         auto j = nmt::to_json(tiny.trained.model.config);
         j["hidden"] = 17;  // the weights are 16 wide
         write(d / "config.json", j.dump());
       }, "weights.safetensors", "shape"},
      {"no_vocab_fr", [](const fs::path& d) { fs::remove(d / "vocab_fr.json"); }, "vocab_fr.json", "missing"},
      {"vocab_en_garbage", [&](const fs::path& d) { write(d / "vocab_en.json", "not json"); }, "vocab_en.json", ""},
      {"vocab_size", [&](const fs::path& d) {
         kiln::text::Tokenizer small({.oov_token = "UNK"});
         small.fit_on_texts({"sos le eos"});
         small.save((d / "vocab_fr.json").string());
       }, "vocab_fr.json", "fr_vocab"},
      {"no_weights", [](const fs::path& d) { fs::remove(d / "weights.safetensors"); }, "weights.safetensors",
       "missing"},
      {"truncated_weights", [](const fs::path& d) {
         const auto size = fs::file_size(d / "weights.safetensors");
         fs::resize_file(d / "weights.safetensors", size / 2);
       }, "weights.safetensors", ""},
      {"empty_weights", [&](const fs::path& d) { write(d / "weights.safetensors", ""); }, "weights.safetensors", ""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const fs::path dir = damaged(c.name, c.damage);
    const std::string message = load_error(dir);
    CAPTURE(message);
    CHECK(message.find((dir / c.file).string()) != std::string::npos);
    CHECK(message.find(c.fault) != std::string::npos);
    fs::remove_all(dir);
  }
  CHECK(load_error(good / "nowhere").find("no such model directory") != std::string::npos);
  fs::remove_all(good);
}

// ---------------------------------------------------------------- command line

TEST_CASE("nmt: the command line has the documented defaults and rejects bad options") {
  const auto train = nmt::parse_command_line({"nmt", "train"});
  CHECK(train.command == nmt::Command::train);
  CHECK(train.train.out == "nmt-out");
  CHECK(train.train.batch_size == 64);
  CHECK(train.train.hidden == 96);
  CHECK(train.train.en_timesteps == 20);
  CHECK(train.train.fr_timesteps == 20);
  CHECK(train.train.embed == 0);
  CHECK(!train.train.bidirectional);
  CHECK(train.train.test_split == doctest::Approx(0.15));
  CHECK(train.train.data.builtin());

  const auto set = nmt::parse_command_line(
      {"nmt", "train", "--epochs", "3", "--hidden=16", "--bidirectional", "--embed", "8", "--test-split", "0.2"});
  CHECK(set.train.epochs == 3);
  CHECK(set.train.hidden == 16);
  CHECK(set.train.bidirectional);
  CHECK(set.train.embed == 8);
  CHECK(set.train.test_split == doctest::Approx(0.2));

  const auto tr = nmt::parse_command_line({"nmt", "translate", "--model", "m", "--beam", "4"});
  CHECK(tr.translate.model_dir == "m");
  CHECK(tr.translate.beam == 4);

  auto usage = [](std::vector<std::string> args) {
    try {
      nmt::parse_command_line(args);
    } catch (const nmt::UsageError& e) {
      return std::string(e.what());
    }
    return std::string("(no UsageError)");
  };
  CHECK(usage({"nmt"}).find("missing command") != std::string::npos);
  CHECK(usage({"nmt", "fly"}).find("unknown command 'fly'") != std::string::npos);
  CHECK(usage({"nmt", "train", "--colour"}).find("unknown option '--colour'") != std::string::npos);
  CHECK(usage({"nmt", "train", "--epochs", "-3"}).find("--epochs expects an integer from 1 to 1000000, got '-3'") !=
        std::string::npos);
  CHECK(usage({"nmt", "train", "--epochs", "0"}).find("--epochs") != std::string::npos);
  CHECK(usage({"nmt", "train", "--hidden", "1.5"}).find("--hidden") != std::string::npos);
  CHECK(usage({"nmt", "train", "--batch-size"}).find("--batch-size needs a value") != std::string::npos);
  CHECK(usage({"nmt", "train", "--test-split", "1"}).find("--test-split") != std::string::npos);
  CHECK(usage({"nmt", "train", "--fr-timesteps", "1"}).find("--fr-timesteps") != std::string::npos);
  CHECK(usage({"nmt", "train", "--data-dir", "/no/such/dir"}).find("/no/such/dir") != std::string::npos);
  CHECK(usage({"nmt", "train", "--pairs", "/no/such/file"}).find("/no/such/file") != std::string::npos);
  CHECK(usage({"nmt", "train", "--quiet=yes"}).find("takes no value") != std::string::npos);
  CHECK(usage({"nmt", "translate"}).find("missing --model") != std::string::npos);
  CHECK(usage({"nmt", "translate", "--model", "m", "--beam", "0"}).find("--beam") != std::string::npos);
  CHECK(usage({"nmt", "evaluate", "--model", "m"}).find("missing --data-dir") != std::string::npos);
}

TEST_CASE("nmt: --help lists every option of every command with its default") {
  const std::map<std::string, std::vector<std::string>> options = {
      {"train",
       {"--data-dir", "--pairs", "--samples", "--out", "--epochs", "--batch-size", "--hidden", "--en-timesteps",
        "--fr-timesteps", "--embed", "--bidirectional", "--test-split", "--seed", "--threads", "--quiet", "--help"}},
      {"translate", {"--model", "--beam", "--heatmap", "--threads", "--help"}},
      {"evaluate", {"--model", "--data-dir", "--pairs", "--samples", "--beam", "--threads", "--quiet", "--help"}},
  };
  const std::string program = nmt::program_help();
  for (const auto& [command, names] : options) {
    const auto inv = nmt::parse_command_line({"nmt", command, "--help"});
    CHECK(inv.command == nmt::Command::help);
    for (const auto& name : names) {
      CAPTURE(command);
      CAPTURE(name);
      CHECK(inv.help_text.find(name) != std::string::npos);
      CHECK(program.find(name) != std::string::npos);
    }
    // Every option line but the required ones and --help states a default.
    std::istringstream lines(inv.help_text);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("  --", 0) != 0) continue;
      CAPTURE(line);
      CHECK((line.find("default") != std::string::npos || line.find("required") != std::string::npos));
    }
  }
  CHECK(nmt::parse_command_line({"nmt", "--help"}).help_text == program);
}

TEST_CASE("nmt: translate writes exactly one line per input line, empty for empty input") {
  const auto& tiny = tiny_trained_model();
  const fs::path dir = scratch_dir("translate");
  nmt::save_model_dir(dir, tiny.trained);
  std::istringstream in(tiny.split.test[0].source + "\n\n   \n" + "zzzunknown " + tiny.split.test[1].source +
                        "\n\xff\xfe bad utf8\n" + tiny.split.test[2].source);  // no final newline
  std::ostringstream out, log;
  nmt::TranslateOptions options;
  options.model_dir = dir.string();
  CHECK(nmt::run_translate(options, in, out, log) == nmt::exit_ok);
  std::vector<std::string> lines;
  std::istringstream result(out.str());
  for (std::string line; std::getline(result, line);) lines.push_back(line);
  REQUIRE(lines.size() == 6);
  // The sentences come out as the decoder translates them; the rest empty.
  const auto& m = tiny.trained.model;
  const nmt::Decoder decoder(m, tiny.trained.fr);
  auto expected = [&](const std::string& english) {
    const auto t = decoder.greedy(nmt::source_ids(tiny.trained.en, {english}, m.config.en_timesteps));
    return nmt::join_words(t[0].words);
  };
  CHECK(lines[0] == expected(tiny.split.test[0].source));
  CHECK(lines[1].empty());
  CHECK(lines[2].empty());
  CHECK(lines[3] == expected("zzzunknown " + tiny.split.test[1].source));
  CHECK(lines[4].empty());
  CHECK(lines[5] == expected(tiny.split.test[2].source));
  CHECK(!(lines[0] + lines[3] + lines[5]).empty());
  CHECK(log.str().find("line 4: unknown word 'zzzunknown' is read as 'UNK'") != std::string::npos);
  CHECK(log.str().find("line 5:") != std::string::npos);
  fs::remove_all(dir);
}

// ---------------------------------------------------------------- reliability (issue 14)

namespace {

std::string format_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const kiln::FormatError& e) {
    return e.what();
  }
  return "(no FormatError)";
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const kiln::Error& e) {
    return e.what();
  }
  return "(no kiln::Error)";
}

void write_text(const fs::path& file, const std::string& text) { std::ofstream(file, std::ios::binary) << text; }

}  // namespace

TEST_CASE("nmt: the command line refuses values out of range before narrowing them") {
  auto usage = [](std::vector<std::string> args) {
    try {
      nmt::parse_command_line(args);
    } catch (const nmt::UsageError& e) {
      return std::string(e.what());
    }
    return std::string("(no UsageError)");
  };
  // 2^32 + 1 once became 1 thread in int(threads).
  CHECK(usage({"nmt", "translate", "--model", "m", "--threads", "4294967297"}).find("--threads expects an integer "
                                                                                    "from 0 to 1024") !=
        std::string::npos);
  CHECK(usage({"nmt", "train", "--seed", "18446744073709551616"}).find("--seed") != std::string::npos);  // 2^64
  CHECK(nmt::parse_command_line({"nmt", "train", "--seed", "18446744073709551615"}).train.seed == UINT64_MAX);
  CHECK(usage({"nmt", "translate", "--model", "m", "--beam", "99999999999"}).find("from 1 to 1000") !=
        std::string::npos);
  CHECK(usage({"nmt", "train", "--en-timesteps", "1000000000"}).find("--en-timesteps") != std::string::npos);
  CHECK(usage({"nmt", "train", "--hidden", "+5"}).find("--hidden") != std::string::npos);
  CHECK(usage({"nmt", "train", "--samples", "1000000000"}).find("phrasebook generates at most 1000000") !=
        std::string::npos);
  CHECK(usage({"nmt", "translate", "--model", "m", "--heatmap", "a.jpg"}).find("must end in .png or .svg") !=
        std::string::npos);
  CHECK(usage({"nmt", "translate", "--model", "m", "--heatmap", "a"}).find(".png or .svg") != std::string::npos);
  CHECK(nmt::heatmap_format("t", "x/A.SVG") == nmt::HeatmapFormat::svg);
  CHECK(nmt::heatmap_format("t", "a.png") == nmt::HeatmapFormat::png);
  CHECK(usage({"nmt", "train", "--resume", "ck", "--hidden", "8"}).find("--hidden cannot be given with it") !=
        std::string::npos);
  CHECK(nmt::parse_command_line({"nmt", "train", "--resume", "ck", "--quiet", "--threads", "2"}).train.resume == "ck");
  CHECK(usage({"nmt", "train", "--out", "m", "--checkpoint-dir", "m/"}).find("must differ from --out") !=
        std::string::npos);
  CHECK(nmt::parse_command_line({"nmt", "train", "--out", "m"}).train.checkpoint_path() == "m.checkpoint");
}

TEST_CASE("nmt: config.json is checked against the limits and the weights before a model is built") {
  const auto& tiny = tiny_trained_model();
  const fs::path good = scratch_dir("config_checks");
  nmt::save_model_dir(good, tiny.trained);
  auto with_config = [&](const std::string& key, const nlohmann::json& value) {
    auto j = nmt::to_json(tiny.trained.model.config);
    j[key] = value;
    write_text(good / "config.json", j.dump());
    return format_error_of([&] { nmt::load_model_dir(good); });
  };
  // Would once allocate gigabytes before failing.
  const std::string huge = with_config("en_timesteps", 1'000'000'000);
  CHECK(huge.find("en_timesteps: expected an integer from 1 to 1000") != std::string::npos);
  CHECK(with_config("hidden", 100'000).find("hidden") != std::string::npos);
  // Sizes that fit the limits but not the weights: named, with both shapes.
  const std::string embed = with_config("embed", 8);
  CHECK(embed.find("weights.safetensors: has no tensor 'decoder_embedding/embeddings'") != std::string::npos);
  CHECK(with_config("end_token", "le").find("end_token: 'le' is a word a sentence can hold") != std::string::npos);
  const std::string bidirectional = with_config("bidirectional", true);
  CHECK(bidirectional.find("do not belong together") != std::string::npos);
  nmt::save_model_dir(good, tiny.trained);

  // Weights of another model (one more French word) beside this config and vocabulary.
  auto other_config = tiny.trained.model.config;
  other_config.fr_vocab += 1;
  nmt::build_seq2seq(other_config).training->save_weights(good / "weights.safetensors");
  const std::string mixed = format_error_of([&] { nmt::load_model_dir(good); });
  CAPTURE(mixed);
  CHECK(mixed.find((good / "weights.safetensors").string()) != std::string::npos);
  CHECK(mixed.find("do not belong together") != std::string::npos);
  fs::remove_all(good);
}

TEST_CASE("nmt: the shapes config.json implies are those of the model it builds, in every variant") {
  for (const bool bidirectional : {false, true}) {
    for (const std::size_t embed : {std::size_t(0), std::size_t(6)}) {
      CAPTURE(bidirectional);
      CAPTURE(embed);
      const nmt::Seq2SeqConfig config{.hidden = 5, .en_timesteps = 4, .fr_timesteps = 5, .en_vocab = 11,
                                      .fr_vocab = 13, .embed = embed, .bidirectional = bidirectional};
      std::vector<kiln::io::NamedArray> tensors;
      for (const auto& [name, w] : nmt::build_seq2seq(config).training->named_weights()) tensors.push_back({name, w.value()});
      CHECK_NOTHROW(nmt::check_weights_fit_config(config, tensors, "built"));
      auto wider = config;
      wider.en_vocab += 1;  // the encoder's input side is checked too
      CHECK_THROWS_AS(nmt::check_weights_fit_config(wider, tensors, "built"), kiln::FormatError);
    }
  }
}

TEST_CASE("nmt: weights holding NaN or infinity are reported by tensor name, and refused with strict") {
  const auto& tiny = tiny_trained_model();
  const fs::path dir = scratch_dir("non_finite");
  nmt::save_model_dir(dir, tiny.trained);
  auto tensors = kiln::io::load_safetensors(dir / "weights.safetensors");
  CHECK(nmt::non_finite_tensors(tensors).empty());
  for (auto& t : tensors) {
    if (t.name == "decoder_gru/kernel") t.value.data()[3] = NAN;
    if (t.name == "attention_layer/V_a") t.value.data()[0] = -INFINITY;
  }
  kiln::io::save_safetensors(dir / "weights.safetensors", tensors);
  std::ostringstream warnings;
  nmt::load_model_dir(dir, {.warnings = &warnings});
  CAPTURE(warnings.str());
  CHECK(warnings.str().find("tensor 'decoder_gru/kernel' holds 1 NaN of ") != std::string::npos);
  CHECK(warnings.str().find("tensor 'attention_layer/V_a' holds 1 infinite of ") != std::string::npos);
  const std::string strict = format_error_of([&] { nmt::load_model_dir(dir, {.strict = true}); });
  CHECK(strict.find("weights.safetensors: tensor '") != std::string::npos);
  CHECK(strict.find("(--strict)") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("nmt: the model directory is replaced as a whole, by one writer at a time") {
  const auto& tiny = tiny_trained_model();
  const fs::path root = scratch_dir("whole_dir");
  const fs::path dir = root / "model";
  nmt::save_model_dir(dir, tiny.trained);
  const std::string config_before = kiln::io::read_file(dir / "config.json");

  SUBCASE("a second writer fails at once, naming the directory") {
    kiln::io::DirectoryWrite first(dir, nmt::model_dir_parts());
    const std::string second = error_of([&] { nmt::save_model_dir(dir, tiny.trained); });
    CHECK(second.find(dir.string() + " is being written by process") != std::string::npos);
  }
  SUBCASE("an abandoned write (a failure halfway) leaves the old version and no staging directory") {
    {
      kiln::io::DirectoryWrite write(dir, nmt::model_dir_parts());
      kiln::io::write_file_atomically(write.staging() / "config.json", std::string("{\"half\": true}"));
    }  // destroyed without commit, as when the weights' write throws
    CHECK(kiln::io::read_file(dir / "config.json") == config_before);
    std::size_t entries = 0;
    for (const auto& e : fs::directory_iterator(root)) entries += e.path().filename().string().find(".staging") != std::string::npos;
    CHECK(entries == 0);
  }
  SUBCASE("files the program did not write are never replaced") {
    write_text(dir / "notes.txt", "mine");
    const std::string refused = error_of([&] { nmt::save_model_dir(dir, tiny.trained); });
    CHECK(refused.find("holds 'notes.txt', which this program did not write") != std::string::npos);
    CHECK(kiln::io::read_file(dir / "notes.txt") == "mine");
    write_text(root / "file", "x");
    CHECK(error_of([&] { nmt::save_model_dir(root / "file", tiny.trained); }).find("is not a directory") !=
          std::string::npos);
  }
  SUBCASE("a reader keeps the version it opened while the directory is replaced") {
    const kiln::io::DirectoryReader reader(dir);
    auto changed = tiny.trained.model.config;  // only the text matters here
    kiln::io::DirectoryWrite write(dir, nmt::model_dir_parts());
    nmt::write_model_files(write.staging(), tiny.trained);
    kiln::io::write_file_atomically(write.staging() / "config.json", nmt::to_json(changed).dump() + " ");
    write.commit();
    CHECK(reader.read("config.json") == config_before);
    CHECK(kiln::io::read_file(dir / "config.json") != config_before);
  }
  fs::remove_all(root);
}

TEST_CASE("nmt: beam search is bounded by the French vocabulary") {
  const auto& tiny = tiny_trained_model();
  const auto& m = tiny.trained.model;
  const nmt::Decoder decoder(m, tiny.trained.fr);
  const Array source = kiln::row_range(
      nmt::source_ids(tiny.trained.en, nmt::sources_of(tiny.split.test), m.config.en_timesteps), 0, 2);
  const auto capped = decoder.beam_search(source, m.config.fr_vocab);
  const auto huge = decoder.beam_search(source, 99'999'999'999);  // once grew by 1.2 GB every 5 s
  REQUIRE(huge.size() == capped.size());
  for (std::size_t i = 0; i < huge.size(); ++i) CHECK(huge[i].ids == capped[i].ids);
}

TEST_CASE("nmt: translate reads LF, CRLF and lone CR line endings alike") {
  const auto& tiny = tiny_trained_model();
  const fs::path dir = scratch_dir("endings");
  nmt::save_model_dir(dir, tiny.trained);
  const std::string a = tiny.split.test[0].source, b = tiny.split.test[1].source, c = tiny.split.test[2].source;
  auto translate = [&](const std::string& input) {
    std::istringstream in(input);
    std::ostringstream out, log;
    nmt::TranslateOptions options;
    options.model_dir = dir.string();
    REQUIRE(nmt::run_translate(options, in, out, log) == nmt::exit_ok);
    return out.str();
  };
  const std::string expected = translate(a + "\n" + b + "\n\n" + c + "\n");
  CHECK(std::count(expected.begin(), expected.end(), '\n') == 4);
  CHECK(translate(a + "\r" + b + "\r\r" + c + "\r") == expected);
  CHECK(translate(a + "\r\n" + b + "\r\n\r\n" + c) == expected);
  CHECK(translate(a + "\r" + b + "\n\r\n" + c + "\r\n") == expected);
  fs::remove_all(dir);
}

TEST_CASE("nmt: unknown-word warnings are truncated") {
  const auto& tiny = tiny_trained_model();
  const fs::path dir = scratch_dir("warnings");
  nmt::save_model_dir(dir, tiny.trained);
  std::string line;
  for (int i = 0; i < 1000; ++i) line += "zzz" + std::to_string(i) + " ";
  line += std::string(500, 'q');
  std::string input;
  for (int i = 0; i < 300; ++i) input += line + "\n";
  std::istringstream in(input);
  std::ostringstream out, log;
  nmt::TranslateOptions options;
  options.model_dir = dir.string();
  REQUIRE(nmt::run_translate(options, in, out, log) == nmt::exit_ok);
  CHECK(log.str().find("'zzz0', 'zzz1', 'zzz2', 'zzz3', 'zzz4' and 996 more") != std::string::npos);
  CHECK(log.str().find("more warnings follow; they are not shown") != std::string::npos);
  std::istringstream huge(std::string(3 << 20, 'a') + "\n" + tiny.split.test[0].source + "\n");
  std::ostringstream huge_out, huge_log;
  REQUIRE(nmt::run_translate(options, huge, huge_out, huge_log) == nmt::exit_ok);
  CHECK(huge_log.str().find("line 1: longer than 1048576 bytes; left empty") != std::string::npos);
  CHECK(huge_out.str().substr(0, 1) == "\n");
  const std::string huge_text = huge_out.str();
  CHECK(std::count(huge_text.begin(), huge_text.end(), '\n') == 2);
  CHECK(log.str().size() < 40'000);  // 100 lines of warnings, not 300 lines of a thousand words
  const std::string translated = out.str();
  CHECK(std::count(translated.begin(), translated.end(), '\n') == 300);
  fs::remove_all(dir);
}

TEST_CASE("nmt: an interrupted and resumed training ends with the uninterrupted run's weights") {
  const auto& tiny = tiny_trained_model();
  const auto config = tiny.trained.model.config;
  const Array source = nmt::source_ids(tiny.trained.en, nmt::sources_of(tiny.split.train), config.en_timesteps);
  const Array target = nmt::target_ids(tiny.trained.fr, nmt::targets_of(tiny.split.train), config.fr_timesteps);
  auto fresh = [&] {
    kiln::set_random_seed(11);
    return nmt::TrainedModel{nmt::build_seq2seq(config), tiny.trained.en, tiny.trained.fr};
  };
  const nmt::TrainingSettings base{.epochs = 3, .batch_size = 8, .seed = 5, .verbose = false};
  auto whole = fresh();
  nmt::train_seq2seq(whole.model, source, target, base);

  const fs::path dir = scratch_dir("resume") / "checkpoint";
  nmt::TrainOptions recorded;
  recorded.epochs = base.epochs;
  volatile std::sig_atomic_t stop = 1;  // as if SIGTERM came during the first step
  bool interrupted = false;
  std::vector<nmt::TrainingPosition> positions;
  // Runs from `from` (nullptr: the start) until stopped, checkpointing into dir.
  auto run = [&](nmt::TrainedModel& trained, const nmt::TrainingPosition* from) {
    auto settings = base;
    settings.resume_from = from;
    settings.checkpoint_every = 1;
    settings.checkpoint = [&](const nmt::TrainingPosition& at) {
      positions.push_back(at);
      kiln::io::DirectoryWrite write(dir, nmt::checkpoint_parts());
      nmt::write_checkpoint(write, trained, recorded, at);
      stop = 1;  // the second run stops at its first epoch end
    };
    settings.stop = &stop;
    settings.interrupted = &interrupted;
    nmt::train_seq2seq(trained.model, source, target, settings);
  };
  auto first = fresh();
  run(first, nullptr);
  REQUIRE(interrupted);
  REQUIRE(positions.size() == 1);
  CHECK(positions[0].epoch == 0);  // mid-epoch: after its first step
  CHECK(positions[0].step == 1);

  stop = 0;
  auto state = nmt::read_checkpoint_state(dir);
  CHECK(state.position.order == positions[0].order);
  CHECK(state.position.order_rng == positions[0].order_rng);
  auto second = nmt::load_checkpoint(dir, nullptr);
  run(second, &state.position);
  REQUIRE(interrupted);
  REQUIRE(positions.size() == 2);
  CHECK(positions[1].epoch == 1);  // at an epoch boundary
  CHECK(positions[1].step == 0);

  state = nmt::read_checkpoint_state(dir);
  auto resumed = nmt::load_checkpoint(dir, nullptr);
  auto rest = base;
  rest.resume_from = &state.position;
  nmt::train_seq2seq(resumed.model, source, target, rest);
  const auto a = whole.model.training->get_weights(), b = resumed.model.training->get_weights();
  REQUIRE(a.size() == b.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, kiln::testing::max_abs_diff(a[i], b[i]));
  CHECK(worst <= 1e-6);
  // And the interruptions mattered: the weights moved after them.
  CHECK(kiln::testing::max_abs_diff(a[0], second.model.training->get_weights()[0]) > 1e-4);
  fs::remove_all(dir.parent_path());
}
