// The NMT example's support code: the phrasebook grammar (sentences worked
// out by hand), the generated corpus (determinism, agreement rules checked
// on every pair), and the attention heatmap files.

#include <doctest/doctest.h>

#include <cairo.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "examples/nmt/colormap.hpp"
#include "examples/nmt/heatmap.hpp"
#include "examples/nmt/phrasebook.hpp"
#include "graph/error.hpp"

using namespace nmt;
using kiln::text::SentencePair;

namespace {

std::vector<std::string> words_of(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool contains(const std::set<std::string>& set, const std::string& w) { return set.count(w) > 0; }

// Written out here, independently of the lexicon.
const std::set<std::string> kFeminineSingular = {
    "pomme", "orange", "soupe", "eau", "voiture", "lettre", "porte", "boîte", "chemise", "table",
    "maison", "école", "plage", "gare", "femme", "fille", "souris",
    "petite", "grande", "belle", "nouvelle", "vieille", "bonne"};
const std::set<std::string> kMasculineSingular = {
    "chat", "chien", "oiseau", "cheval", "homme", "garçon", "enfant", "gâteau", "œuf", "poisson", "pain",
    "fromage", "lait", "café", "vélo", "bateau", "livre", "journal", "chapeau", "lit", "parc", "marché",
    "musée", "jardin", "aéroport", "petit", "grand", "beau", "bel", "nouveau", "nouvel", "vieux", "vieil", "bon"};

bool french_vowel_initial(const std::string& w) {
  for (const char* v : {"a", "e", "i", "o", "u", "h", "é", "ê", "œ"}) {
    if (w.rfind(v, 0) == 0) return true;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------- grammar

TEST_CASE("render: the brief's two example sentences") {
  CHECK(render({.clause = Clause::action,
                .subject = {.noun = "cat", .adjectives = {"black"}},
                .verb = "eat",
                .object = {.noun = "fish"},
                .tense = Tense::progressive}) ==
        SentencePair{"the black cat is eating the fish .", "le chat noir mange le poisson ."});
  CHECK(render({.clause = Clause::action,
                .pronoun = Pronoun::we,
                .verb = "like",
                .object = {.noun = "car", .adjectives = {"small", "red"}},
                .negated = true}) ==
        SentencePair{"we do not like the small red car .", "nous n' aimons pas la petite voiture rouge ."});
}

TEST_CASE("render: present tense conjugation for every person") {
  const std::pair<Pronoun, SentencePair> expected[] = {
      {Pronoun::i, {"i eat the apple .", "je mange la pomme ."}},
      {Pronoun::you, {"you eat the apple .", "tu manges la pomme ."}},
      {Pronoun::he, {"he eats the apple .", "il mange la pomme ."}},
      {Pronoun::she, {"she eats the apple .", "elle mange la pomme ."}},
      {Pronoun::we, {"we eat the apple .", "nous mangeons la pomme ."}},
      {Pronoun::you_all, {"you all eat the apple .", "vous mangez la pomme ."}},
      {Pronoun::they, {"they eat the apple .", "ils mangent la pomme ."}},
  };
  for (const auto& [pronoun, pair] : expected) {
    CHECK(render({.pronoun = pronoun, .verb = "eat", .object = {.noun = "apple"}}) == pair);
  }
  CHECK(render({.pronoun = Pronoun::we, .verb = "drink", .object = {.noun = "milk"}}).target == "nous buvons le lait .");
  CHECK(render({.pronoun = Pronoun::they, .verb = "see", .object = {.noun = "dog", .plural = true}}).target ==
        "ils voient les chiens .");
}

TEST_CASE("render: elision, contraction and adjective forms before a vowel") {
  CHECK(render({.pronoun = Pronoun::i, .verb = "like", .object = {.noun = "bird", .adjectives = {"old"}}}) ==
        SentencePair{"i like the old bird .", "j' aime le vieil oiseau ."});
  CHECK(render({.pronoun = Pronoun::he, .verb = "see", .object = {.noun = "man", .determiner = Determiner::this_one}})
            .target == "il voit cet homme .");
  CHECK(render({.pronoun = Pronoun::he, .verb = "see", .object = {.noun = "school", .determiner = Determiner::my}})
            .target == "il voit mon école .");
  CHECK(render({.pronoun = Pronoun::she, .verb = "see", .object = {.noun = "egg"}}).target == "elle voit l' œuf .");
  CHECK(render({.pronoun = Pronoun::she, .verb = "eat", .object = {.noun = "orange", .determiner = Determiner::a}}) ==
        SentencePair{"she eats an orange .", "elle mange une orange ."});
  CHECK(render({.pronoun = Pronoun::you, .verb = "have",
                .object = {.noun = "hat", .determiner = Determiner::a, .adjectives = {"old"}}}) ==
        SentencePair{"you have an old hat .", "tu as un vieux chapeau ."});
}

TEST_CASE("render: indefinite and partitive articles, and de after negation") {
  CHECK(render({.pronoun = Pronoun::i, .verb = "have", .object = {.noun = "car", .determiner = Determiner::a},
                .negated = true}) == SentencePair{"i do not have a car .", "je n' ai pas de voiture ."});
  CHECK(render({.pronoun = Pronoun::you, .verb = "drink", .object = {.noun = "water", .determiner = Determiner::some}}) ==
        SentencePair{"you drink some water .", "tu bois de l' eau ."});
  CHECK(render({.pronoun = Pronoun::you, .verb = "drink", .object = {.noun = "water", .determiner = Determiner::some},
                .negated = true}) == SentencePair{"you do not drink any water .", "tu ne bois pas d' eau ."});
  CHECK(render({.pronoun = Pronoun::he, .verb = "eat", .object = {.noun = "bread", .determiner = Determiner::some}})
            .target == "il mange du pain .");
  CHECK(render({.pronoun = Pronoun::they, .verb = "see", .object = {.noun = "cat", .determiner = Determiner::a, .plural = true}}) ==
        SentencePair{"they see cats .", "ils voient des chats ."});
  CHECK(render({.pronoun = Pronoun::they, .verb = "see",
                .object = {.noun = "cat", .determiner = Determiner::a, .plural = true, .adjectives = {"small"}}}) ==
        SentencePair{"they see small cats .", "ils voient de petits chats ."});
}

TEST_CASE("render: passé composé, futur proche and time adverbs") {
  CHECK(render({.pronoun = Pronoun::we, .verb = "eat", .object = {.noun = "bread"}, .tense = Tense::past}) ==
        SentencePair{"we ate the bread .", "nous avons mangé le pain ."});
  CHECK(render({.pronoun = Pronoun::they, .verb = "eat", .object = {.noun = "bread"}, .tense = Tense::past,
                .negated = true, .time_adverb = true}) ==
        SentencePair{"they did not eat the bread yesterday .", "ils n' ont pas mangé le pain hier ."});
  CHECK(render({.pronoun = Pronoun::you_all, .verb = "buy",
                .object = {.noun = "book", .determiner = Determiner::two, .plural = true, .adjectives = {"new"}},
                .tense = Tense::future, .time_adverb = true}) ==
        SentencePair{"you all are going to buy two new books tomorrow .",
                     "vous allez acheter deux nouveaux livres demain ."});
  CHECK(render({.pronoun = Pronoun::he, .verb = "eat", .object = {.noun = "apple"}, .tense = Tense::progressive,
                .negated = true, .time_adverb = true}) ==
        SentencePair{"he is not eating the apple now .", "il ne mange pas la pomme maintenant ."});
  CHECK(render({.pronoun = Pronoun::i, .verb = "read", .object = {.noun = "letter"}, .time_adverb = true}) ==
        SentencePair{"i read the letter today .", "je lis la lettre aujourd'hui ."});
}

TEST_CASE("render: going somewhere, with être agreement in the past") {
  CHECK(render({.clause = Clause::motion, .pronoun = Pronoun::she, .object = {.noun = "school"}, .tense = Tense::past}) ==
        SentencePair{"she went to the school .", "elle est allée à l' école ."});
  CHECK(render({.clause = Clause::motion, .subject = {.noun = "girl", .plural = true}, .object = {.noun = "park"},
                .tense = Tense::past, .negated = true, .time_adverb = true}) ==
        SentencePair{"the girls did not go to the park yesterday .", "les filles ne sont pas allées au parc hier ."});
  CHECK(render({.clause = Clause::motion, .pronoun = Pronoun::i, .object = {.noun = "market"}, .tense = Tense::future}) ==
        SentencePair{"i am going to go to the market .", "je vais aller au marché ."});
  CHECK(render({.clause = Clause::motion, .pronoun = Pronoun::we, .object = {.noun = "airport"}}) ==
        SentencePair{"we go to the airport .", "nous allons à l' aéroport ."});
}

TEST_CASE("render: descriptions agree with the subject's gender and number") {
  CHECK(render({.clause = Clause::description, .subject = {.noun = "house", .plural = true}, .adjectives = {"big"}}) ==
        SentencePair{"the houses are big .", "les maisons sont grandes ."});
  CHECK(render({.clause = Clause::description, .subject = {.noun = "car"}, .adjectives = {"small", "red"},
                .negated = true}) == SentencePair{"the car is not small and red .", "la voiture n' est pas petite et rouge ."});
  CHECK(render({.clause = Clause::description, .pronoun = Pronoun::she, .adjectives = {"happy"}}).target ==
        "elle est heureuse .");
  CHECK(render({.clause = Clause::description, .pronoun = Pronoun::you_all, .adjectives = {"tired"}}) ==
        SentencePair{"you all are tired .", "vous êtes fatigués ."});
  CHECK(render({.clause = Clause::description, .pronoun = Pronoun::i, .adjectives = {"sad"}, .negated = true}) ==
        SentencePair{"i am not sad .", "je ne suis pas triste ."});
}

TEST_CASE("render: locations contract de and à with the article") {
  CHECK(render({.clause = Clause::location, .subject = {.noun = "cat", .determiner = Determiner::my},
                .object = {.noun = "house"}, .preposition = Preposition::near}) ==
        SentencePair{"my cat is near the house .", "mon chat est près de la maison ."});
  CHECK(render({.clause = Clause::location, .pronoun = Pronoun::he, .object = {.noun = "park"},
                .preposition = Preposition::near}).target == "il est près du parc .");
  CHECK(render({.clause = Clause::location, .pronoun = Pronoun::we, .object = {.noun = "market"},
                .preposition = Preposition::at}).target == "nous sommes au marché .");
  CHECK(render({.clause = Clause::location, .subject = {.noun = "book", .plural = true}, .object = {.noun = "table"},
                .preposition = Preposition::under, .negated = true}) ==
        SentencePair{"the books are not under the table .", "les livres ne sont pas sous la table ."});
}

TEST_CASE("render names what the grammar does not cover") {
  CHECK_THROWS_WITH_AS(render({.pronoun = Pronoun::i, .verb = "eat", .object = {.noun = "unicorn"}}),
                       "phrasebook: no noun \"unicorn\" in the lexicon", kiln::Error);
  CHECK_THROWS_WITH_AS(render({.pronoun = Pronoun::i, .verb = "fly", .object = {.noun = "bird"}}),
                       "phrasebook: no verb \"fly\" in the lexicon", kiln::Error);
  CHECK_THROWS_WITH_AS(render({.pronoun = Pronoun::i, .verb = "eat", .object = {.noun = "bread", .determiner = Determiner::a}}),
                       "phrasebook: a mass noun such as \"bread\" takes \"some\", not a count determiner", kiln::Error);
  CHECK_THROWS_WITH_AS(render({.pronoun = Pronoun::i, .verb = "eat", .object = {.noun = "apple", .determiner = Determiner::some}}),
                       "phrasebook: \"some\" needs a mass noun, not \"apple\"", kiln::Error);
  CHECK_THROWS_WITH_AS(render({.pronoun = Pronoun::i, .verb = "see", .object = {.noun = "car", .adjectives = {"black", "red"}}}),
                       "phrasebook: \"car\" can take one adjective before and one after it in French, got two after",
                       kiln::Error);
  CHECK_THROWS_WITH_AS(render({.pronoun = Pronoun::i, .verb = "like", .object = {.noun = "car"}, .tense = Tense::progressive}),
                       "phrasebook: \"like\" has no progressive form here", kiln::Error);
  CHECK_THROWS_WITH_AS(render({.clause = Clause::description, .pronoun = Pronoun::i, .adjectives = {"sad"}, .tense = Tense::past}),
                       "phrasebook: description sentences are in the present tense only", kiln::Error);
  CHECK_THROWS_WITH_AS(render({.clause = Clause::description, .pronoun = Pronoun::i}),
                       "phrasebook: a description takes one or two adjectives, got 0", kiln::Error);
  CHECK_THROWS_WITH_AS(render({.pronoun = Pronoun::i, .verb = "see", .object = {.noun = "cat", .determiner = Determiner::two}}),
                       "phrasebook: two and three need a plural noun phrase (\"cat\")", kiln::Error);
}

// ---------------------------------------------------------------- corpus

TEST_CASE("generate_phrasebook is deterministic in its seed and has the asked size") {
  const auto a = generate_phrasebook(500, 7);
  const auto b = generate_phrasebook(500, 7);
  const auto c = generate_phrasebook(500, 8);
  CHECK(a.size() == 500);
  CHECK(a == b);
  CHECK(a != c);
  // a longer run starts with the same pairs
  const auto longer = generate_phrasebook(600, 7);
  CHECK(std::equal(a.begin(), a.end(), longer.begin()));
  CHECK(generate_phrasebook(0, 7).empty());
}

TEST_CASE("generated pairs are distinct, 3 to 15 tokens, and end with a full stop") {
  const auto pairs = generate_phrasebook(5000, 1);
  std::set<std::pair<std::string, std::string>> distinct;
  for (const auto& p : pairs) {
    distinct.insert({p.source, p.target});
    const auto en = words_of(p.source);
    const auto fr = words_of(p.target);
    CAPTURE(p.source);
    CAPTURE(p.target);
    CHECK(en.size() >= 3);
    CHECK(en.size() <= 15);
    CHECK(fr.size() >= 3);
    CHECK(fr.size() <= 15);
    CHECK(en.back() == ".");
    CHECK(fr.back() == ".");
  }
  CHECK(distinct.size() == pairs.size());
}

TEST_CASE("the phrasebook's vocabulary is small: 120-250 words a side") {
  std::set<std::string> en, fr;
  for (const auto& p : generate_phrasebook(20000, 3)) {
    for (auto& w : words_of(p.source)) en.insert(w);
    for (auto& w : words_of(p.target)) fr.insert(w);
  }
  CHECK(en.size() >= 120);
  CHECK(en.size() <= 250);
  CHECK(fr.size() >= 150);
  CHECK(fr.size() <= 250);
}

TEST_CASE("every generated pair follows the agreement and elision rules") {
  for (const auto& p : generate_phrasebook(5000, 11)) {
    const auto en = words_of(p.source);
    const auto fr = words_of(p.target);
    CAPTURE(p.source);
    CAPTURE(p.target);
    for (std::size_t i = 0; i + 1 < fr.size(); ++i) {
      const std::string& w = fr[i];
      const std::string& next = fr[i + 1];
      if (w == "la" || w == "une" || w == "cette" || w == "ma") CHECK(contains(kFeminineSingular, next));
      if (w == "le" || w == "un" || w == "ce" || w == "du" || w == "au") CHECK(contains(kMasculineSingular, next));
      // elision: none of these stays whole before a vowel
      for (const char* elided : {"le", "la", "de", "ne", "je", "ce"}) {
        if (w == elided) CHECK_FALSE(french_vowel_initial(next));
      }
      // contraction: à le, à les, de le, de les never survive
      if (w == "à" || w == "de") CHECK((next != "le" && next != "les"));
      // conjugation after nous and vous (possibly behind ne / n')
      const std::string& verb = (next == "ne" || next == "n'") && i + 2 < fr.size() ? fr[i + 2] : next;
      if (w == "nous") CHECK((verb == "sommes" || verb.ends_with("ons")));
      if (w == "vous") CHECK((verb == "êtes" || verb.ends_with("ez")));
    }
    for (std::size_t i = 0; i + 1 < en.size(); ++i) {
      const bool vowel = std::string_view("aeiou").find(en[i + 1][0]) != std::string_view::npos;
      if (en[i] == "a") CHECK_FALSE(vowel);
      if (en[i] == "an") CHECK(vowel);
    }
    // negation and time words translate one for one
    CHECK(std::count(en.begin(), en.end(), "not") == std::count(fr.begin(), fr.end(), "pas"));
    CHECK(std::count(en.begin(), en.end(), "yesterday") == std::count(fr.begin(), fr.end(), "hier"));
    CHECK(std::count(en.begin(), en.end(), "tomorrow") == std::count(fr.begin(), fr.end(), "demain"));
  }
}

// ---------------------------------------------------------------- heatmap

namespace {

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("kiln_test_heatmap_" + name);
}

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint32_t big_endian(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

// (r, g, b) 0..255 of one pixel of a PNG, read back through cairo.
std::array<int, 3> pixel(const std::string& png_path, int x, int y) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(png_path.c_str());
  REQUIRE(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS);
  const unsigned char* row = cairo_image_surface_get_data(s) + y * cairo_image_surface_get_stride(s);
  std::uint32_t argb;
  std::memcpy(&argb, row + 4 * x, 4);
  cairo_surface_destroy(s);
  return {int((argb >> 16) & 0xFF), int((argb >> 8) & 0xFF), int(argb & 0xFF)};
}

const std::vector<std::string> kSource = {"the", "black", "cat", "eats", "<eos>"};
const std::vector<std::string> kTarget = {"le", "chat", "noir", "mange", "<eos>"};

kiln::Array diagonal_weights() {
  kiln::Array w = kiln::Array::from_shape({5, 5});
  for (std::size_t i = 0; i < 5; ++i) {
    for (std::size_t j = 0; j < 5; ++j) w(i, j) = i == j ? 1.0f : 0.0f;
  }
  return w;
}

}  // namespace

TEST_CASE("viridis runs from dark purple to yellow") {
  const Rgb low = viridis(0), high = viridis(1), below = viridis(-3);
  CHECK(std::lround(low.r * 255) == 68);
  CHECK(std::lround(low.g * 255) == 1);
  CHECK(std::lround(low.b * 255) == 84);
  CHECK(std::lround(high.r * 255) == 253);
  CHECK(std::lround(high.g * 255) == 231);
  CHECK(std::lround(high.b * 255) == 37);
  CHECK(below.r == low.r);
  CHECK(luminance(high) > luminance(viridis(0.5)));
  CHECK(luminance(viridis(0.5)) > luminance(low));
}

TEST_CASE("write_attention_heatmap writes a PNG of the planned size with one coloured cell per weight") {
  const auto path = temp_file("grid.png");
  const kiln::Array w = diagonal_weights();
  write_attention_heatmap(path.string(), kSource, kTarget, w);
  const std::string png = read_bytes(path);
  REQUIRE(png.size() > 33);
  CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  CHECK(png.substr(12, 4) == "IHDR");
  const HeatmapGeometry g = attention_heatmap_geometry(kSource, kTarget, w);
  CHECK(big_endian(png, 16) == static_cast<std::uint32_t>(g.width));
  CHECK(big_endian(png, 20) == static_cast<std::uint32_t>(g.height));
  CHECK(g.width > g.grid_x + 5 * g.cell);
  CHECK(g.height > g.grid_y + 5 * g.cell);
  CHECK(g.prints_values);

  // a corner of cell (0, 0) holds weight 1 (yellow), of cell (0, 1) weight 0 (purple)
  const int y = static_cast<int>(g.grid_y + 3);
  CHECK(pixel(path.string(), static_cast<int>(g.grid_x + 3), y) == std::array<int, 3>{253, 231, 37});
  CHECK(pixel(path.string(), static_cast<int>(g.grid_x + g.cell + 3), y) == std::array<int, 3>{68, 1, 84});
  // no temporary file is left next to it
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(path.parent_path())) {
    if (e.path().filename().string().starts_with("kiln_test_heatmap_grid.png")) ++files;
  }
  CHECK(files == 1);
  std::filesystem::remove(path);
}

TEST_CASE("large grids get smaller cells and no printed values") {
  std::vector<std::string> many;
  for (int i = 0; i < 40; ++i) many.push_back("w" + std::to_string(i));
  kiln::Array w = kiln::Array::from_shape({40, 40});
  w.fill(0.0f);
  const HeatmapGeometry big = attention_heatmap_geometry(many, many, w);
  const HeatmapGeometry small = attention_heatmap_geometry(kSource, kTarget, diagonal_weights());
  CHECK(big.cell < small.cell);
  CHECK_FALSE(big.prints_values);
  CHECK(big.width > small.width);
  CHECK_FALSE(attention_heatmap_geometry(kSource, kTarget, diagonal_weights(), {.print_values = false}).prints_values);
}

TEST_CASE("write_attention_heatmap_svg writes every word as text, escaped") {
  const auto path = temp_file("grid.svg");
  write_attention_heatmap_svg(path.string(), kSource, kTarget, diagonal_weights(), {.title = "Attention: cat & co"});
  const std::string svg = read_bytes(path);
  CHECK(svg.starts_with("<?xml"));
  CHECK(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
  for (const auto& word : {"the", "black", "cat", "eats", "le", "chat", "noir", "mange"}) {
    CAPTURE(word);
    CHECK(svg.find(std::string(">") + word + "</text>") != std::string::npos);
  }
  CHECK(svg.find(">&lt;eos&gt;</text>") != std::string::npos);
  CHECK(svg.find(">Attention: cat &amp; co</text>") != std::string::npos);
  CHECK(svg.find(">1.00</text>") != std::string::npos);  // printed cell value
  CHECK(svg.find("fill=\"#fde725\"") != std::string::npos);  // a weight-1 cell
  CHECK(svg.ends_with("</svg>\n"));
  std::filesystem::remove(path);
}

TEST_CASE("the heatmap names both shapes when words and weights disagree, and rejects bad weights") {
  const auto path = temp_file("bad.png").string();
  const kiln::Array w = kiln::Array::from_shape({2, 3});
  CHECK_THROWS_WITH_AS(write_attention_heatmap(path, {"a", "b", "c", "d"}, {"x", "y"}, w),
                       "write_attention_heatmap: weights (target_len, source_len) and the word counts (target, source) "
                       "differ: (2, 3) and (2, 4)",
                       kiln::ShapeError);
  CHECK_THROWS_AS(write_attention_heatmap_svg(path, {"a"}, {"x"}, kiln::Array::from_shape({1})), kiln::ShapeError);
  CHECK_THROWS_WITH_AS(write_attention_heatmap(path, {}, {}, kiln::Array::from_shape({0, 0})),
                       "write_attention_heatmap: needs at least one source and one target word, got 0 and 0",
                       kiln::Error);
  kiln::Array nan = kiln::Array::from_shape({1, 2});
  nan(0, 0) = 0.5f;
  nan(0, 1) = std::nanf("");
  CHECK_THROWS_WITH_AS(write_attention_heatmap(path, {"a", "b"}, {"x"}, nan),
                       "write_attention_heatmap: weight (0, 1) is not finite", kiln::Error);
  CHECK_FALSE(std::filesystem::exists(path));
  const auto nowhere = (std::filesystem::temp_directory_path() / "kiln_no_such_dir" / "x.png").string();
  kiln::Array one = kiln::Array::from_shape({1, 1});
  one.fill(0.5f);
  CHECK_THROWS_WITH_AS(write_attention_heatmap(nowhere, {"a"}, {"x"}, one),
                       doctest::Contains("cannot write"), kiln::Error);
}
