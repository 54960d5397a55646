// kiln-bench-onnx: kiln's NMT translation speed against ONNX Runtime running
// kiln's own export of the same model, in one invocation (issue 18).
//   build/examples/kiln-bench-onnx [--sentences N] [--latency-sentences M]
// Trains the seed-sized model (GRU 96, one-hot, Bahdanau attention) briefly
// on the phrasebook so translations have realistic lengths, exports it with
// `nmt export`'s code, then times batched greedy decoding (sentences per
// second, batches of 256) and single-sentence latency (ms, one sentence at a
// time) in kiln and in ONNX Runtime (onnxruntime-node, one intra-op thread
// each, session creation excluded; tests/onnx/greedy_decode.js), and checks
// that both produce the same ids. Needs node and scripts/install-onnxruntime.sh.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "examples/command_line.hpp"
#include "examples/nmt/dataset.hpp"
#include "examples/nmt/decoding.hpp"
#include "examples/nmt/onnx_export.hpp"
#include "examples/nmt/trainer.hpp"
#include "data/batching.hpp"
#include "ops/blas.hpp"

#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;
using kiln::Array;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

nlohmann::json run_onnxruntime(const std::filesystem::path& dir, const nlohmann::json& request) {
  std::ofstream(dir / "request.json") << request.dump();
  const std::string modules = std::getenv("KILN_ONNXRUNTIME_DIR") ? std::getenv("KILN_ONNXRUNTIME_DIR")
                                                                 : std::string(KILN_SOURCE_DIR) + "/.onnxruntime";
  const std::string command = "node '" + std::string(KILN_SOURCE_DIR) + "/tests/onnx/greedy_decode.js' '" + modules +
                              "' '" + (dir / "onnx").string() + "' '" + (dir / "request.json").string() + "' '" +
                              (dir / "result.json").string() + "'";
  if (std::system(command.c_str()) != 0) throw kiln::Error("ONNX Runtime run failed: " + command);
  std::ifstream in(dir / "result.json");
  return nlohmann::json::parse(in);
}

}  // namespace

int main(int argc, char** argv) {
  const examples::CommandLine line(argc, argv, " [--sentences N] [--latency-sentences M]\n");
  std::size_t sentences = 512, latency_sentences = 50;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      line.print_usage();
      return 0;
    } else if (a == "--sentences") {
      sentences = line.whole(i, 1, 100000);
    } else if (a == "--latency-sentences") {
      latency_sentences = line.whole(i, 1, 100000);
    } else {
      line.fail("unknown flag '" + a + "'");
    }
  }
  kiln::set_num_threads(1);
  kiln::set_random_seed(3);
  nmt::DataOptions phrasebook;
  phrasebook.samples = 3000 + sentences;
  auto split = nmt::split_pairs(nmt::load_pairs(phrasebook, 3), double(sentences) / double(phrasebook.samples), 3);
  auto vocab = nmt::fit_vocabularies(split.train);
  const nmt::Seq2SeqConfig config{.hidden = 96, .en_timesteps = 20, .fr_timesteps = 20,
                                  .en_vocab = vocab.en.vocabulary_size(), .fr_vocab = vocab.fr.vocabulary_size()};
  nmt::TrainedModel trained{nmt::build_seq2seq(config), std::move(vocab.en), std::move(vocab.fr)};
  nmt::train_seq2seq(trained.model,
                     nmt::source_ids(trained.en, nmt::sources_of(split.train), config.en_timesteps),
                     nmt::target_ids(trained.fr, nmt::targets_of(split.train), config.fr_timesteps),
                     {.epochs = 2, .batch_size = 64, .seed = 3, .verbose = false});

  const auto dir = std::filesystem::temp_directory_path() / ("kiln-bench-onnx-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  nmt::export_onnx_dir(trained, dir / "onnx");
  const Array ids = nmt::source_ids(trained.en, nmt::sources_of(split.test), config.en_timesteps);
  const std::size_t n = ids.shape()[0];
  const nmt::Decoder decoder(trained.model, trained.fr);

  // kiln: batched throughput (3 runs) and one-at-a-time latency.
  std::vector<double> kiln_runs;
  std::vector<nmt::Translation> kiln_out;
  for (int r = 0; r < 3; ++r) {
    const auto t0 = Clock::now();
    kiln_out = decoder.greedy(ids, 256);
    kiln_runs.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  const std::size_t m = std::min(latency_sentences, n);
  std::vector<double> kiln_latency;
  for (std::size_t i = 0; i < m; ++i) {
    const Array one = kiln::row_range(ids, i, i + 1);
    const auto t0 = Clock::now();
    decoder.greedy(one, 1);
    kiln_latency.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }

  // ONNX Runtime: the same loop in Node.
  const Array source = nmt::model_input(ids, config.en_vocab, config);
  nlohmann::json request;
  request["source"]["shape"] = std::vector<std::size_t>(source.shape().begin(), source.shape().end());
  request["source"]["data"] = std::vector<float>(source.begin(), source.end());
  request["start_id"] = trained.fr.index_of(config.start_token);
  request["end_id"] = trained.fr.index_of(config.end_token);
  request["fr_vocab"] = config.fr_vocab;
  request["steps"] = config.decoder_steps();
  request["one_hot"] = true;
  request["batch_size"] = 256;
  request["repeats"] = 3;
  const nlohmann::json batched = run_onnxruntime(dir, request);
  const auto ort_ids = batched.at("ids").get<std::vector<std::vector<int>>>();
  std::size_t agree = 0;
  for (std::size_t i = 0; i < n; ++i) agree += ort_ids.at(i) == kiln_out.at(i).ids;

  const Array first = kiln::row_range(source, 0, m);
  request["source"]["shape"][0] = m;
  request["source"]["data"] = std::vector<float>(first.begin(), first.end());
  request["batch_size"] = 1;
  request["repeats"] = 3;
  const nlohmann::json single = run_onnxruntime(dir, request);
  std::filesystem::remove_all(dir);

  const double kiln_sps = double(n) / median(kiln_runs);
  const double ort_sps = double(n) / median(batched.at("seconds").get<std::vector<double>>());
  const double kiln_ms = median(kiln_latency);
  const double ort_ms = 1000.0 * median(single.at("seconds").get<std::vector<double>>()) / double(m);
  std::printf("sentences=%zu same_translations=%zu/%zu\n", n, agree, n);
  std::printf("kiln_sentences_per_s=%.1f onnxruntime_sentences_per_s=%.1f ratio=%.2f\n", kiln_sps, ort_sps,
              kiln_sps / ort_sps);
  std::printf("kiln_latency_ms=%.3f onnxruntime_latency_ms=%.3f (median per sentence, one at a time; ORT: mean of %zu)\n",
              kiln_ms, ort_ms, m);
  return agree == n ? 0 : 1;
}
