// Saving and loading the NMT model directory (see model_dir.hpp).

#include "examples/nmt/model_dir.hpp"

#include <cmath>
#include <map>

#include "examples/nmt/dataset.hpp"
#include "examples/nmt/model_dir_reading.hpp"
#include "examples/nmt/training_history.hpp"
#include "io/atomic_dir.hpp"
#include "io/atomic_file.hpp"

namespace nmt {

namespace fs = std::filesystem;
using kiln::io::NamedArray;

namespace {

Seq2SeqConfig read_config(const kiln::io::DirectoryReader& dir) {
  const fs::path file = dir.path() / config_file;
  return config_from_json(parse_config_json(file, read_dir_part(dir, config_file)), file.string());
}

using Shapes = std::map<std::string, kiln::Shape>;

// The GRU named `name` reading `in` features with `units` units.
void expect_gru(Shapes& shapes, const std::string& name, std::size_t in, std::size_t units) {
  shapes[name + "/kernel"] = {in, 3 * units};
  shapes[name + "/recurrent_kernel"] = {units, 3 * units};
  shapes[name + "/bias"] = {2, 3 * units};
}

// The shapes that together fix en_vocab, fr_vocab, embed and hidden.
Shapes sizing_shapes(const Seq2SeqConfig& c) {
  Shapes shapes;
  const std::size_t en_in = c.one_hot() ? c.en_vocab : c.embed, fr_in = c.one_hot() ? c.fr_vocab : c.embed;
  if (!c.one_hot()) {
    shapes["encoder_embedding/embeddings"] = {c.en_vocab, c.embed};
    shapes["decoder_embedding/embeddings"] = {c.fr_vocab, c.embed};
  }
  if (c.bidirectional) {
    expect_gru(shapes, "bidirectional_encoder/forward_encoder_gru", en_in, c.hidden);
    expect_gru(shapes, "bidirectional_encoder/backward_encoder_gru", en_in, c.hidden);
  } else {
    expect_gru(shapes, "encoder_gru", en_in, c.hidden);
  }
  const std::size_t w = c.encoder_width();
  expect_gru(shapes, "decoder_gru", fr_in, w);
  shapes["attention_layer/W_a"] = {w, w};
  shapes["attention_layer/V_a"] = {w, 1};
  shapes["time_distributed_layer/softmax_layer/kernel"] = {2 * w, c.fr_vocab};
  shapes["time_distributed_layer/softmax_layer/bias"] = {c.fr_vocab};
  return shapes;
}

// Puts the checked tensors into the model's weights, by name.
void assign_weights(kiln::Model& model, std::vector<NamedArray> tensors, const std::string& where) {
  std::map<std::string, kiln::Array> file;
  for (auto& t : tensors) file.emplace(t.name, std::move(t.value));
  const auto weights = model.named_weights();
  for (const auto& [name, w] : weights) {
    const auto found = file.find(name);
    if (found == file.end()) {
      file_fault(where, "no weight '" + name + "' (the file has " + std::to_string(file.size()) + ")");
    }
    if (found->second.shape() != w.shape()) {
      file_fault(where, "weight '" + name + "' has shape " + kiln::to_string(found->second.shape()) +
                            " but the model built from config.json has " + kiln::to_string(w.shape()));
    }
  }
  if (file.size() != weights.size()) {
    for (const auto& [name, value] : file) {
      bool used = false;
      for (const auto& w : weights) used = used || w.first == name;
      if (!used) file_fault(where, "weight '" + name + "' is not part of the model config.json describes");
    }
  }
  for (const auto& [name, w] : weights) kiln::Tensor(w).mutable_value() = std::move(file.at(name));
}

}  // namespace

std::vector<std::string> model_dir_parts() {
  return {config_file,     weights_file,    english_vocab_file, french_vocab_file, "attention.png",
          "attention.svg", history_csv_file, history_png_file};
}

void write_model_files(const fs::path& dir, const TrainedModel& trained) {
  kiln::io::write_file_atomically(dir / config_file, to_json(trained.model.config).dump(2) + "\n");
  trained.en.save((dir / english_vocab_file).string());
  trained.fr.save((dir / french_vocab_file).string());
  trained.model.training->save_weights(dir / weights_file);
}

void save_model_dir(const fs::path& dir, const TrainedModel& trained) {
  kiln::io::DirectoryWrite write(dir, model_dir_parts());
  write_model_files(write.staging(), trained);
  write.commit();
}

void check_weights_fit_config(const Seq2SeqConfig& config, const std::vector<NamedArray>& tensors,
                              const std::string& where) {
  std::map<std::string, const kiln::Array*> by_name;
  for (const auto& t : tensors) by_name.emplace(t.name, &t.value);
  for (const auto& [name, shape] : sizing_shapes(config)) {
    const auto found = by_name.find(name);
    if (found == by_name.end()) {
      file_fault(where, "has no tensor '" + name + "', which the model config.json describes needs");
    }
    if (found->second->shape() != shape) {
      file_fault(where, "tensor '" + name + "' has shape " + kiln::to_string(found->second->shape()) +
                            " but config.json (hidden " + std::to_string(config.hidden) + ", en_vocab " +
                            std::to_string(config.en_vocab) + ", fr_vocab " + std::to_string(config.fr_vocab) +
                            ", embed " + std::to_string(config.embed) + ") needs " + kiln::to_string(shape) +
                            ": the files do not belong together");
    }
  }
}

std::vector<std::string> non_finite_tensors(const std::vector<NamedArray>& tensors) {
  std::vector<std::string> out;
  for (const auto& t : tensors) {
    std::size_t nan = 0, inf = 0;
    for (const float v : t.value) {
      nan += std::isnan(v);
      inf += std::isinf(v);
    }
    if (nan + inf == 0) continue;
    std::string what = "'" + t.name + "' holds ";
    if (nan) what += std::to_string(nan) + " NaN";
    if (nan && inf) what += " and ";
    if (inf) what += std::to_string(inf) + " infinite";
    out.push_back(what + " of " + std::to_string(t.value.size()) + " values");
  }
  return out;
}

TrainedModel load_model_dir(const fs::path& dir, const LoadOptions& options) {
  if (!fs::exists(dir)) file_fault(dir, "no such model directory");
  const kiln::io::DirectoryReader reader(dir);  // one version of every file, even if the directory is replaced
  const Seq2SeqConfig config = read_config(reader);
  auto en = read_dir_vocabulary(reader, english_vocab_file, config.en_vocab, "en_vocab", {});
  auto fr = read_dir_vocabulary(reader, french_vocab_file, config.fr_vocab, "fr_vocab",
                                {config.start_token, config.end_token});
  const std::string where = (dir / weights_file).string();
  auto tensors = kiln::io::load_safetensors_from_bytes(read_dir_part(reader, weights_file), where);
  check_weights_fit_config(config, tensors, where);
  for (const auto& problem : non_finite_tensors(tensors)) {
    if (options.strict) file_fault(where, "tensor " + problem + " (--strict)");
    if (options.warnings) *options.warnings << "nmt: warning: " << where << ": tensor " << problem << "\n";
  }
  TrainedModel trained{build_seq2seq(config, options.communicator), std::move(en), std::move(fr)};
  assign_weights(*trained.model.training, std::move(tensors), where);
  return trained;
}

}  // namespace nmt
