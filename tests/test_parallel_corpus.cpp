// Parallel corpus readers on small files written here and on small_vocab.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "graph/error.hpp"
#include "shared_data.hpp"
#include "text/parallel_corpus.hpp"
#include "scratch_dir.hpp"

using namespace kiln;
using kiln::testing::ScratchDir;
using namespace kiln::text;

TEST_CASE("read_parallel_files pairs line N of one file with line N of the other") {
  ScratchDir dir("pairs");
  const auto en = dir.write("en", "the cat .\r\nhello\n\n\nlast line");
  const auto fr = dir.write("fr", "le chat .\r\nbonjour\n\nsalut\ndernière ligne\n");
  // line 3 is empty on both sides and skipped; line 4 is kept with an empty source
  CHECK(read_parallel_files(en, fr) == std::vector<SentencePair>{{"the cat .", "le chat ."},
                                                                 {"hello", "bonjour"},
                                                                 {"", "salut"},
                                                                 {"last line", "dernière ligne"}});
}

TEST_CASE("LF, CRLF and lone CR line endings all end a line, mixed in one file") {
  ScratchDir dir("endings");
  std::string en, fr;
  for (int i = 0; i < 300; ++i) {  // 300 pairs with CR endings only: once read as a single pair
    en += "sentence " + std::to_string(i) + "\r";
    fr += "phrase " + std::to_string(i) + "\r";
  }
  const auto cr = read_parallel_files(dir.write("en", en), dir.write("fr", fr));
  REQUIRE(cr.size() == 300);
  CHECK(cr[299] == SentencePair{"sentence 299", "phrase 299"});
  const auto mixed = read_parallel_files(dir.write("en2", "a\rb\r\nc\nd"), dir.write("fr2", "1\n2\r3\r\n4\r"));
  CHECK(mixed == std::vector<SentencePair>{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}});
  const auto tsv = read_tab_separated_pairs(dir.write("tsv", "go .\tva .\rhi .\tsalut .\r"));
  CHECK(tsv == std::vector<SentencePair>{{"go .", "va ."}, {"hi .", "salut ."}});
}

TEST_CASE("read_parallel_files skips a UTF-8 byte order mark") {
  ScratchDir dir("bom");
  const auto en = dir.write("en", "\xEF\xBB\xBFyes\n");
  const auto fr = dir.write("fr", "oui\n");
  CHECK(read_parallel_files(en, fr) == std::vector<SentencePair>{{"yes", "oui"}});
}

TEST_CASE("read_parallel_files names both files and both counts when they differ") {
  ScratchDir dir("counts");
  const auto en = dir.write("en", "a\nb\nc\n");
  const auto fr = dir.write("fr", "a\nb\n");
  CHECK_THROWS_WITH_AS(read_parallel_files(en, fr),
                       ("read_parallel_files: '" + en + "' has 3 lines but '" + fr + "' has 2").c_str(), FormatError);
  const std::string cannot_open = "cannot open " + (dir.path / "nope").string();
  CHECK_THROWS_WITH_AS(read_parallel_files(en, (dir.path / "nope").string()), doctest::Contains(cannot_open.c_str()),
                       FormatError);
}

TEST_CASE("read_tab_separated_pairs reads english<TAB>french and drops attributions") {
  ScratchDir dir("tsv");
  const auto path = dir.write("fra.txt",
                              "\xEF\xBB\xBFGo.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272\r\n"
                              "Hi.\tSalut !\n"
                              "\n"
                              "I'm cold.\tJ'ai froid.\t\n");
  CHECK(read_tab_separated_pairs(path) == std::vector<SentencePair>{
                                              {"Go.", "Va !"}, {"Hi.", "Salut !"}, {"I'm cold.", "J'ai froid."}});
}

TEST_CASE("read_tab_separated_pairs names the file and line of a line without a tab") {
  ScratchDir dir("tsv_bad");
  const auto path = dir.write("fra.txt", "Go.\tVa !\n\nHi. Salut !\n");
  CHECK_THROWS_WITH_AS(read_tab_separated_pairs(path),
                       ("read_tab_separated_pairs: '" + path + "' line 3: expected source<TAB>target, found no tab")
                           .c_str(),
                       FormatError);
}

TEST_CASE("read_corpus_dir names the corpus file that is missing") {
  ScratchDir dir("dir");
  dir.write("small_vocab_en", "a\n");
  const std::string fr = (dir.path / "small_vocab_fr").string();
  CHECK_THROWS_WITH_AS(read_corpus_dir(dir.path.string()), ("read_corpus_dir: missing corpus file '" + fr + "'").c_str(),
                       FormatError);
  dir.write("small_vocab_fr", "b\n");
  CHECK(read_corpus_dir(dir.path.string()) == std::vector<SentencePair>{{"a", "b"}});
}

TEST_CASE("read_corpus_dir reads the 28,000 small_vocab pairs in order" *
          kiln::testing::needs_shared("data/small_vocab")) {
  const auto pairs = read_corpus_dir(kiln::testing::shared_path("data/small_vocab"));
  REQUIRE(pairs.size() == 28000);
  CHECK(pairs.front() == SentencePair{"new jersey is sometimes quiet during autumn , and it is snowy in april .",
                                      "new jersey est parfois calme pendant l' automne , et il est neigeux en avril ."});
  CHECK(pairs.back() == SentencePair{"he likes oranges , mangoes , and grapefruit .",
                                     "il aime les oranges , les mangues et le pamplemousse ."});
}
