#pragma once
// The fuzzing entry points: each takes arbitrary bytes and feeds them to one
// reader. A reader may reject the bytes with a kiln::Error (that is its job);
// anything else is a bug: another exception escapes (and aborts the fuzzer),
// a sanitizer fires, or a property checked here fails (fuzz_check traps).
//
// Targets: safetensors_loader, tokenizer_json, parallel_corpus, model_json.
// fuzz/<target>.cpp wraps each in LLVMFuzzerTestOneInput; the doctest suite
// (tests/test_fuzz_regressions.cpp) replays fuzz/corpus/<target>/ and
// fuzz/regressions/<target>/ through the same functions.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/error.hpp"
#include "io/safetensors.hpp"
#include "models/model_file.hpp"
#include "text/parallel_corpus.hpp"
#include "text/tokenizer.hpp"

namespace kiln::fuzz {

// A property that must hold for every input the reader accepts.
inline void fuzz_check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
  }
}

// io::load_safetensors on an in-memory file; an accepted file gives tensors
// whose element counts match their shapes and whose names are unique.
inline void safetensors_loader(std::string_view bytes) {
  try {
    const auto tensors = io::load_safetensors_from_bytes(bytes, "fuzz.safetensors");
    std::size_t total = 0;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      std::size_t elements = 1;
      for (const auto d : tensors[i].value.shape()) elements *= d;
      fuzz_check(elements == tensors[i].value.size(), "tensor size matches its shape");
      for (std::size_t j = 0; j < i; ++j) fuzz_check(tensors[j].name != tensors[i].name, "unique names");
      total += tensors[i].value.size();
    }
    fuzz_check(total * 2 <= bytes.size(), "every element comes from at least 2 bytes of the file");
  } catch (const Error&) {
  }
}

// text::Tokenizer::from_json; an accepted tokenizer survives a to_json ->
// from_json round trip unchanged and can encode and decode text.
inline void tokenizer_json(std::string_view bytes) {
  try {
    const text::Tokenizer tokenizer = text::Tokenizer::from_json(bytes);
    const std::string json = tokenizer.to_json();
    fuzz_check(text::Tokenizer::from_json(json).to_json() == json, "to_json/from_json round trip");
    if (!tokenizer.fitted()) return;
    const auto ids = tokenizer.text_to_sequence("The cat, the DOG et l'été\tsont là");
    text::Sequence all_ids;
    for (int i = -1; i <= static_cast<int>(tokenizer.word_index().size()) + 1; ++i) all_ids.push_back(i);
    (void)tokenizer.sequence_to_text(ids);
    (void)tokenizer.sequence_to_text(all_ids);
    fuzz_check(tokenizer.vocabulary_size() >= 1, "vocabulary_size counts the padding index");
  } catch (const Error&) {
  }
}

// text::parse_tab_separated_pairs; accepted pairs hold no tab or newline,
// and a tokenizer fitted on them encodes and decodes them.
inline void parallel_corpus(std::string_view bytes) {
  try {
    const auto pairs = text::parse_tab_separated_pairs(bytes, "fuzz.tsv");
    std::vector<std::string> sources, targets;
    for (const auto& pair : pairs) {
      for (const std::string* side : {&pair.source, &pair.target}) {
        fuzz_check(side->find_first_of("\t\n") == std::string::npos, "no tab or newline inside a side");
      }
      sources.push_back(pair.source);
      targets.push_back(pair.target);
    }
    for (const bool char_level : {false, true}) {
      text::Tokenizer tokenizer({.oov_token = "<unk>", .char_level = char_level});
      tokenizer.fit_on_texts(sources);
      const auto sequences = tokenizer.texts_to_sequences(targets);
      fuzz_check(sequences.size() == targets.size(), "one sequence per text");
      (void)tokenizer.sequences_to_texts(sequences);
    }
  } catch (const Error&) {
  }
}

// Whether the JSON in bytes holds an integer beyond +-limit: such sizes only
// ask for memory (a Dense of 10^9 units), which is no bug to find.
inline bool holds_integer_beyond(std::string_view bytes, std::uint64_t limit) {
  const nlohmann::json root = nlohmann::json::parse(bytes, nullptr, false);
  std::vector<const nlohmann::json*> pending = {&root};
  while (!pending.empty()) {
    const nlohmann::json& value = *pending.back();
    pending.pop_back();
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > limit) return true;
    if (value.is_number_integer() && !value.is_number_unsigned() &&
        value.get<std::int64_t>() < -static_cast<std::int64_t>(limit)) {
      return true;
    }
    if (value.is_structured()) {
      for (const auto& item : value) pending.push_back(&item);
    }
  }
  return false;
}

// A directory of this process's own, removed at exit.
struct ScratchDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("kiln-fuzz-" + std::to_string(::getpid()));
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

// kiln::load_model on a directory holding the bytes as model.json next to a
// weights file with no tensors; an accepted model describes itself.
inline void model_json(std::string_view bytes) {
  static const ScratchDir dir;
  static const bool weights_written = (io::save_safetensors(dir.path / "weights.safetensors", {}), true);
  (void)weights_written;
  if (holds_integer_beyond(bytes, 4096)) return;
  std::ofstream(dir.path / "model.json", std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  try {
    const auto model = load_model(dir.path);
    std::ostringstream summary;
    model->summary(summary);
    (void)model->get_config().dump();
  } catch (const Error&) {
  }
}

}  // namespace kiln::fuzz
