// Every input in fuzz/corpus/<target>/ (seeds) and fuzz/regressions/<target>/
// (inputs that once crashed a reader) goes through the fuzzer's own entry
// point (fuzz/targets.hpp): each must be accepted or rejected with a
// kiln::Error, never crash. Under the sanitizer build (build-asan) this
// also replays them under AddressSanitizer and UBSan.

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "fuzz/targets.hpp"
#include "golden.hpp"
#include "io/atomic_file.hpp"
#include "support.hpp"

#ifndef KILN_SOURCE_DIR
#error "tests/meson.build passes KILN_SOURCE_DIR, the absolute path of the source tree"
#endif

using namespace kiln;
namespace fs = std::filesystem;

namespace {

// The files of fuzz/<kind>/<target>/, sorted; none when the folder is absent.
std::vector<fs::path> inputs_of(const std::string& kind, const std::string& target) {
  const fs::path folder = fs::path(KILN_SOURCE_DIR) / "fuzz" / kind / target;
  std::vector<fs::path> files;
  if (!fs::is_directory(folder)) return files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Replays every seed and regression of one target; returns how many.
std::size_t replay(const std::string& target, const std::function<void(std::string_view)>& entry_point) {
  std::size_t count = 0;
  for (const char* kind : {"corpus", "regressions"}) {
    for (const auto& file : inputs_of(kind, target)) {
      INFO("replaying " << file.string());
      const std::string bytes = io::read_file(file);
      CHECK_NOTHROW(entry_point(bytes));
      ++count;
    }
  }
  return count;
}

}  // namespace

TEST_CASE("fuzz inputs: the safetensors loader accepts or rejects each, never crashes") {
  CHECK(replay("safetensors_loader", fuzz::safetensors_loader) >= 5);
}

TEST_CASE("fuzz inputs: Tokenizer::from_json accepts or rejects each, never crashes") {
  CHECK(replay("tokenizer_json", fuzz::tokenizer_json) >= 4);
}

TEST_CASE("fuzz inputs: the tab-separated corpus reader accepts or rejects each, never crashes") {
  CHECK(replay("parallel_corpus", fuzz::parallel_corpus) >= 3);
}

TEST_CASE("fuzz inputs: load_model accepts or rejects each model.json, never crashes") {
  CHECK(replay("model_json", fuzz::model_json) >= 2);
}

TEST_CASE("Tokenizer JSON nested a million levels deep is a FormatError, not a stack overflow") {
  const std::string deep = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  CHECK_THROWS_WITH_AS(text::Tokenizer::from_json(deep), "Tokenizer JSON: JSON nests deeper than 16 levels",
                       FormatError);
  const std::string deep_field = "{\"config\": {\"word_index\": \"" + deep + "\"}}";
  CHECK_THROWS_WITH_AS(text::Tokenizer::from_json(deep_field),
                       "Tokenizer JSON: field \"word_index\": JSON nests deeper than 16 levels", FormatError);
}

TEST_CASE("load_safetensors_from_bytes reads what load_safetensors reads from the file") {
  const std::string path = kiln::testing::golden_path("gru.safetensors");
  const auto from_file = io::load_safetensors(path);
  const auto from_bytes = io::load_safetensors_from_bytes(io::read_file(path), "gru in memory");
  REQUIRE(from_bytes.size() == from_file.size());
  for (std::size_t i = 0; i < from_file.size(); ++i) {
    CHECK(from_bytes[i].name == from_file[i].name);
    CHECK_ARRAY_NEAR(from_bytes[i].value, from_file[i].value, 0.0);
  }
}

TEST_CASE("load_safetensors_from_bytes names the source in its errors") {
  CHECK_THROWS_WITH_AS(io::load_safetensors_from_bytes("abc", "weights in memory"),
                       doctest::Contains("weights in memory: file is 3 bytes"), FormatError);
  const std::string header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
  std::string truncated(8, '\0');
  truncated[0] = static_cast<char>(header.size());
  truncated += header + "1234";  // 4 of the 8 data bytes
  CHECK_THROWS_WITH_AS(io::load_safetensors_from_bytes(truncated, "short"),
                       doctest::Contains("short: tensor 'w': data_offsets [0, 8] run past the end"),
                       FormatError);
}

TEST_CASE("parse_tab_separated_pairs reads in-memory lines as read_tab_separated_pairs reads a file") {
  const auto pairs = text::parse_tab_separated_pairs("\xEF\xBB\xBFGo.\tVa !\tCC-BY\r\n\nHi.\tSalut !", "mem");
  REQUIRE(pairs.size() == 2);
  CHECK(pairs[0] == text::SentencePair{"Go.", "Va !"});
  CHECK(pairs[1] == text::SentencePair{"Hi.", "Salut !"});
  CHECK_THROWS_WITH_AS(text::parse_tab_separated_pairs("a\tb\nno tab here\n", "mem.tsv"),
                       doctest::Contains("'mem.tsv' line 2: expected source<TAB>target"), FormatError);
}
