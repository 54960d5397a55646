// Tokenizer: Keras' word ranking, OOV handling, num_words, filters and
// lowercasing on UTF-8 text, JSON round trips, and every bad input.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "graph/error.hpp"
#include "shared_data.hpp"
#include "text/parallel_corpus.hpp"
#include "text/tokenizer.hpp"
#include "text/utf8.hpp"

using namespace kiln;
using namespace kiln::text;

namespace {

// "the" x3, "sat" x2, then cat, on, mat, dog once each in first-seen order.
const std::vector<std::string> kCatTexts = {"The cat sat on the mat.", "The dog sat!"};

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("kiln_test_tokenizer_" + name);
}

}  // namespace

TEST_CASE("text_to_word_sequence lowercases, replaces filters by spaces and drops empty words") {
  // Keras' filters do not include the apostrophe: elided French words stay whole.
  CHECK(text_to_word_sequence("C'est l'automne, n'est-ce pas?") ==
        std::vector<std::string>{"c'est", "l'automne", "n'est", "ce", "pas"});
  CHECK(text_to_word_sequence("  Hello,\tWORLD!\n") == std::vector<std::string>{"hello", "world"});
  CHECK(text_to_word_sequence("Hello World", kDefaultFilters, false) == std::vector<std::string>{"Hello", "World"});
  CHECK(text_to_word_sequence("").empty());
}

TEST_CASE("text_to_word_sequence splits on any separator string, as Python's str.split") {
  CHECK(text_to_word_sequence("a|b||c d", "", true, "|") == std::vector<std::string>{"a", "b", "c d"});
  CHECK(text_to_word_sequence("a::b,c", ",", true, "::") == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("lowercasing handles accented Latin, Greek and Cyrillic letters like Python's str.lower") {
  CHECK(to_lower_utf8("ÉLÈVE À ÇA ÉTÉ ŒUF", "test") == "élève à ça été œuf");
  CHECK(to_lower_utf8("ΑΘΉΝΑ МОСКВА ŞİR", "test") == "αθήνα москва şi\u0307r");
  CHECK(to_lower_utf8("Ÿ ẞ Ａ ×", "test") == "ÿ ß ａ ×");  // × has no case
}

TEST_CASE("filters are characters, so a non-ASCII filter never cuts another character's bytes") {
  // '©' is C2 A9 and 'é' is C3 A9: a byte-wise filter would break "café".
  CHECK(text_to_word_sequence("café©thé", "©") == std::vector<std::string>{"café", "thé"});
  CHECK(text_to_word_sequence("«bonjour», mon ami", "«»,") == std::vector<std::string>{"bonjour", "mon", "ami"});
}

TEST_CASE("invalid UTF-8 is reported with its byte offset") {
  CHECK_THROWS_WITH_AS(text_to_word_sequence("caf\xE9 noir"),
                       "text_to_word_sequence: invalid UTF-8 at byte 3 (0xE9)", Error);
  CHECK_THROWS_WITH_AS(text_to_word_sequence("\xC3"), "text_to_word_sequence: invalid UTF-8 at byte 0 (0xC3)", Error);
  // overlong encoding of '/'
  CHECK_THROWS_WITH_AS(text_to_word_sequence("a\xC0\xAF"), "text_to_word_sequence: invalid UTF-8 at byte 1 (0xC0)", Error);
  CHECK_THROWS_AS(Tokenizer({.filters = "\xFF"}), Error);
}

TEST_CASE("word_index ranks words by descending count, ties in first-seen order, from 1") {
  Tokenizer tok;
  tok.fit_on_texts(kCatTexts);
  CHECK(tok.word_index() == std::unordered_map<std::string, int>{
                                {"the", 1}, {"sat", 2}, {"cat", 3}, {"on", 4}, {"mat", 5}, {"dog", 6}});
  CHECK(tok.word_counts() == std::vector<std::pair<std::string, std::size_t>>{
                                 {"the", 3}, {"cat", 1}, {"sat", 2}, {"on", 1}, {"mat", 1}, {"dog", 1}});
  CHECK(tok.document_count() == 2);
  CHECK(tok.vocabulary_size() == 7);  // 6 words + padding
  CHECK(tok.word_at(2) == "sat");
  CHECK(tok.index_of("dog") == 6);
  CHECK(tok.index_of("bird") == 0);
}

TEST_CASE("fitting again adds to the counts and re-ranks every word") {
  Tokenizer tok;
  tok.fit_on_texts({"b a"});
  tok.fit_on_texts({"a c"});
  // counts: b 1, a 2, c 1 -> a first, then b and c in first-seen order
  CHECK(tok.word_index() == std::unordered_map<std::string, int>{{"a", 1}, {"b", 2}, {"c", 3}});
  CHECK(tok.document_count() == 2);
}

TEST_CASE("texts_to_sequences drops unknown words when there is no OOV token") {
  Tokenizer tok;
  tok.fit_on_texts(kCatTexts);
  CHECK(tok.texts_to_sequences({"the dog sat on a mat", "", "birds!"}) ==
        std::vector<Sequence>{{1, 6, 2, 4, 5}, {}, {}});
}

TEST_CASE("the OOV token takes index 1, pushes the others up and replaces unknown words") {
  Tokenizer tok({.oov_token = "<unk>"});
  tok.fit_on_texts(kCatTexts);
  CHECK(tok.word_index() == std::unordered_map<std::string, int>{
                                {"<unk>", 1}, {"the", 2}, {"sat", 3}, {"cat", 4}, {"on", 5}, {"mat", 6}, {"dog", 7}});
  CHECK(tok.text_to_sequence("the dog sat on a mat") == Sequence{2, 7, 3, 5, 1, 6});
  CHECK(tok.vocabulary_size() == 8);
}

TEST_CASE("an OOV token that also occurs in the texts keeps index 1 and is indexed once") {
  Tokenizer tok({.oov_token = "unk"});
  tok.fit_on_texts({"unk cat unk"});
  CHECK(tok.word_index() == std::unordered_map<std::string, int>{{"unk", 1}, {"cat", 2}});
}

TEST_CASE("num_words keeps only indices below it, without and with an OOV token") {
  Tokenizer plain({.num_words = 4});
  plain.fit_on_texts(kCatTexts);
  CHECK(plain.word_index().size() == 6);  // the index keeps every word, as in Keras
  CHECK(plain.text_to_sequence("the dog sat on a mat") == Sequence{1, 2});
  CHECK(plain.vocabulary_size() == 4);

  Tokenizer with_oov({.num_words = 4, .oov_token = "<unk>"});
  with_oov.fit_on_texts(kCatTexts);
  // kept: <unk> 1, the 2, sat 3; everything else becomes 1
  CHECK(with_oov.text_to_sequence("the dog sat on a mat") == Sequence{2, 1, 3, 1, 1, 1});
  CHECK(with_oov.vocabulary_size() == 4);

  Tokenizer large({.num_words = 100});
  large.fit_on_texts(kCatTexts);
  CHECK(large.vocabulary_size() == 7);
}

TEST_CASE("sequences_to_texts skips padding and maps unknown or cut indices like Keras") {
  Tokenizer plain({.num_words = 4});
  plain.fit_on_texts(kCatTexts);
  // 6 >= num_words is dropped, 0 is padding, 99 and -1 are unknown
  CHECK(plain.sequences_to_texts({{1, 2, 3, 6, 0, 99, -1}, {}}) == std::vector<std::string>{"the sat cat", ""});

  Tokenizer with_oov({.num_words = 4, .oov_token = "<unk>"});
  with_oov.fit_on_texts(kCatTexts);
  CHECK(with_oov.sequence_to_text({0, 0, 2, 3, 4, 99}) == "the sat <unk> <unk>");

  Tokenizer all;
  all.fit_on_texts(kCatTexts);
  CHECK(all.sequence_to_text(all.text_to_sequence("The mat sat on the dog.")) == "the mat sat on the dog");
}

TEST_CASE("lower = false keeps case distinctions") {
  Tokenizer tok({.lower = false});
  tok.fit_on_texts({"The the THE the"});
  CHECK(tok.word_index() == std::unordered_map<std::string, int>{{"the", 1}, {"The", 2}, {"THE", 3}});
}

TEST_CASE("char_level makes every UTF-8 character a token, spaces and punctuation included") {
  Tokenizer tok({.char_level = true});
  tok.fit_on_texts({"Été, t"});
  // characters: é t é , ' ' t  -> é 2, t 2, ',' 1, ' ' 1
  CHECK(tok.word_index() == std::unordered_map<std::string, int>{{"é", 1}, {"t", 2}, {",", 3}, {" ", 4}});
  CHECK(tok.text_to_sequence("tÉ!") == Sequence{2, 1});
  CHECK(tok.sequence_to_text({1, 2, 1}) == "é t é");  // Keras joins with spaces at character level too
}

TEST_CASE("the tokenizer reads the small_vocab corpus as Keras does" *
          kiln::testing::needs_shared("data/small_vocab")) {
  // Numbers from a Python re-implementation of Keras' Tokenizer on these files.
  const auto pairs = read_corpus_dir(kiln::testing::shared_path("data/small_vocab"));
  std::vector<std::string> english, french;
  for (const auto& p : pairs) {
    english.push_back(p.source);
    french.push_back(p.target);
  }
  Tokenizer en, fr;
  en.fit_on_texts(english);
  fr.fit_on_texts(french);
  CHECK(en.word_index().size() == 199);
  CHECK(fr.word_index().size() == 328);
  CHECK(en.word_at(1) == "is");
  CHECK(en.word_at(5) == "the");
  CHECK(en.index_of("paris") == 18);
  CHECK(fr.word_at(1) == "est");
  CHECK(fr.index_of("automne") == 25);
  CHECK(fr.index_of("l'automne") == 96);
  CHECK(fr.index_of("états") == 30);  // "états-unis" splits at the hyphen
  std::size_t longest_en = 0, longest_fr = 0;
  for (const auto& s : en.texts_to_sequences(english)) longest_en = std::max(longest_en, s.size());
  for (const auto& s : fr.texts_to_sequences(french)) longest_fr = std::max(longest_fr, s.size());
  CHECK(longest_en == 15);
  CHECK(longest_fr == 20);
}

TEST_CASE("to_json writes Keras' layout with the dictionaries as JSON strings") {
  Tokenizer tok({.oov_token = "<unk>"});
  tok.fit_on_texts(kCatTexts);
  const auto root = nlohmann::ordered_json::parse(tok.to_json());
  CHECK(root["class_name"] == "Tokenizer");
  const auto& config = root["config"];
  CHECK(config["num_words"].is_null());
  CHECK(config["oov_token"] == "<unk>");
  CHECK(config["filters"] == std::string(kDefaultFilters));
  CHECK(config["document_count"] == 2);
  CHECK(config["word_counts"] == R"({"the":3,"cat":1,"sat":2,"on":1,"mat":1,"dog":1})");
  CHECK(config["word_index"] == R"({"<unk>":1,"the":2,"sat":3,"cat":4,"on":5,"mat":6,"dog":7})");
  CHECK(config["index_word"] == R"({"1":"<unk>","2":"the","3":"sat","4":"cat","5":"on","6":"mat","7":"dog"})");
  // "the" and "sat" occur in both documents, the rest in one
  CHECK(config["word_docs"] == R"({"the":2,"cat":1,"sat":2,"on":1,"mat":1,"dog":1})");
}

TEST_CASE("from_json restores options, index and counts so the tokenizer behaves the same") {
  Tokenizer tok({.num_words = 5, .filters = "!.", .split = " ", .oov_token = "<unk>"});
  tok.fit_on_texts({"Le chat, le chien.", "l'été est là!"});
  const Tokenizer back = Tokenizer::from_json(tok.to_json(2));
  CHECK(back.word_index() == tok.word_index());
  CHECK(back.word_counts() == tok.word_counts());
  CHECK(back.document_count() == 2);
  CHECK(back.options().num_words == 5);
  CHECK(back.options().filters == "!.");
  CHECK(back.options().oov_token == "<unk>");
  CHECK(back.to_json() == tok.to_json());
  const std::vector<std::string> probe = {"le chien est là, l'été!", "inconnu"};
  CHECK(back.texts_to_sequences(probe) == tok.texts_to_sequences(probe));
}

TEST_CASE("from_json reads a tokenizer written by Keras") {
  // As printed by keras.preprocessing.text.Tokenizer(oov_token="<OOV>").to_json()
  // after fit_on_texts(["I love", "love you"]).
  const std::string keras = R"({"class_name": "Tokenizer", "config": {"num_words": null,
    "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": true, "split": " ",
    "char_level": false, "oov_token": "<OOV>", "document_count": 2,
    "word_counts": "{\"i\": 1, \"love\": 2, \"you\": 1}",
    "word_docs": "{\"i\": 1, \"love\": 2, \"you\": 1}",
    "index_docs": "{\"3\": 1, \"2\": 2, \"4\": 1}",
    "index_word": "{\"1\": \"<OOV>\", \"2\": \"love\", \"3\": \"i\", \"4\": \"you\"}",
    "word_index": "{\"<OOV>\": 1, \"love\": 2, \"i\": 3, \"you\": 4}"}})";
  const Tokenizer tok = Tokenizer::from_json(keras);
  CHECK(tok.text_to_sequence("I love you, Paris!") == Sequence{3, 2, 4, 1});
  CHECK(tok.vocabulary_size() == 5);
  CHECK(tok.options().filters == std::string(kDefaultFilters));
}

TEST_CASE("from_json names the faulty field of a malformed tokenizer") {
  auto with_config = [](const std::string& config) {
    return R"({"class_name": "Tokenizer", "config": {)" + config + "}}";
  };
  CHECK_THROWS_WITH_AS(Tokenizer::from_json("{not json"), doctest::Contains("Tokenizer JSON: [json.exception.parse_error"),
                       FormatError);
  CHECK_THROWS_WITH_AS(Tokenizer::from_json(R"({"class_name": "Vectorizer", "config": {}})"),
                       "Tokenizer JSON: class_name is \"Vectorizer\", expected \"Tokenizer\"", FormatError);
  CHECK_THROWS_WITH_AS(Tokenizer::from_json(R"({"class_name": "Tokenizer"})"),
                       "Tokenizer JSON: missing field \"config\"", FormatError);
  CHECK_THROWS_WITH_AS(Tokenizer::from_json(with_config(R"("lower": true)")),
                       "Tokenizer JSON: missing field \"word_index\"", FormatError);
  CHECK_THROWS_WITH_AS(Tokenizer::from_json(with_config(R"("word_index": "{\"a\": 1, \"b\": 3}")")),
                       "Tokenizer JSON: word_index[\"b\"] = 3 is outside 1..2", FormatError);
  CHECK_THROWS_WITH_AS(Tokenizer::from_json(with_config(R"("word_index": {"a": 1, "b": 1})")),
                       "Tokenizer JSON: word_index gives index 1 to both \"a\" and \"b\"", FormatError);
  CHECK_THROWS_WITH_AS(Tokenizer::from_json(with_config(R"("word_index": "{\"a\": 1", "lower": true)")),
                       doctest::Contains("Tokenizer JSON: field \"word_index\" is not valid JSON"), FormatError);
  CHECK_THROWS_WITH_AS(Tokenizer::from_json(with_config(R"("word_index": {}, "word_counts": {"a": -2})")),
                       "Tokenizer JSON: word_counts[\"a\"] must be a non-negative integer, got -2", FormatError);
  CHECK_THROWS_WITH_AS(Tokenizer::from_json(with_config(R"("word_index": {}, "num_words": "ten")")),
                       "Tokenizer JSON: field \"num_words\" must be a non-negative integer, got \"ten\"", FormatError);
  CHECK_THROWS_WITH_AS(Tokenizer::from_json(with_config(R"("word_index": {}, "lower": 1)")),
                       "Tokenizer JSON: field \"lower\" must be true or false, got 1", FormatError);
  CHECK_THROWS_WITH_AS(Tokenizer::from_json(with_config(R"("word_index": {}, "split": "")")),
                       "Tokenizer JSON: field \"split\" must not be empty", FormatError);
  CHECK_THROWS_WITH_AS(Tokenizer::from_json(with_config(R"("word_index": {"a": 1, "<unk>": 2}, "oov_token": "<unk>")")),
                       "Tokenizer JSON: oov_token \"<unk>\" must have index 1 in word_index", FormatError);
}

TEST_CASE("save and load round-trip through a file") {
  const auto path = temp_path("roundtrip.json");
  Tokenizer tok({.oov_token = "<unk>"});
  tok.fit_on_texts(kCatTexts);
  tok.save(path.string());
  const Tokenizer back = Tokenizer::load(path.string());
  CHECK(back.word_index() == tok.word_index());
  CHECK(back.text_to_sequence("the dog sat on a mat") == Sequence{2, 7, 3, 5, 1, 6});
  std::filesystem::remove(path);
}

TEST_CASE("load names the file and the fault of a missing or malformed file") {
  const auto missing = temp_path("missing.json");
  std::filesystem::remove(missing);
  const std::string cannot_open = "cannot open " + missing.string();
  CHECK_THROWS_WITH_AS(Tokenizer::load(missing.string()), doctest::Contains(cannot_open.c_str()), FormatError);

  const auto truncated = temp_path("truncated.json");
  std::ofstream(truncated) << R"({"class_name": "Tokenizer", "config": {"word_index": )";
  const std::string not_json = "Tokenizer file '" + truncated.string() + "': not valid JSON";
  CHECK_THROWS_WITH_AS(Tokenizer::load(truncated.string()), doctest::Contains(not_json.c_str()), FormatError);

  const auto wrong = temp_path("wrong.json");
  std::ofstream(wrong) << R"({"class_name": "Tokenizer", "config": {"word_index": {"a": 0}}})";
  const std::string bad_index = "Tokenizer file '" + wrong.string() + "': word_index[\"a\"] = 0 is outside 1..1";
  CHECK_THROWS_WITH_AS(Tokenizer::load(wrong.string()), bad_index.c_str(), FormatError);
  std::filesystem::remove(truncated);
  std::filesystem::remove(wrong);
}

TEST_CASE("the tokenizer refuses bad options and use before fitting") {
  CHECK_THROWS_WITH_AS(Tokenizer({.split = ""}), "Tokenizer: split must not be empty", Error);
  CHECK_THROWS_WITH_AS(text_to_word_sequence("a b", kDefaultFilters, true, ""),
                       "text_to_word_sequence: split must not be empty", Error);
  Tokenizer tok;
  CHECK_THROWS_WITH_AS(tok.texts_to_sequences({"a"}),
                       "Tokenizer::texts_to_sequences: the tokenizer has no word index yet; call fit_on_texts or load first",
                       Error);
  CHECK_THROWS_WITH_AS(tok.sequence_to_text({1}), doctest::Contains("Tokenizer::sequences_to_texts"), Error);
  tok.fit_on_texts(kCatTexts);
  CHECK_THROWS_WITH_AS(tok.word_at(0), "Tokenizer::word_at: no word has index 0 (indices run 1..6)", Error);
  CHECK_THROWS_WITH_AS(tok.word_at(7), "Tokenizer::word_at: no word has index 7 (indices run 1..6)", Error);
}
