#pragma once
// The phrasebook's bilingual lexicon: nouns with gender and plural, adjectives
// with their four French forms and position, verbs with their conjugations,
// and the semantic classes that keep generated sentences sensible ("eat"
// takes food, "red" describes things, not people).

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace nmt {

// Semantic classes of nouns, combined as bit masks.
enum Kind : std::uint32_t {
  kAnimal = 1u << 0,
  kPerson = 1u << 1,
  kFood = 1u << 2,
  kDish = 1u << 3,       // food that is served hot or cold
  kDrink = 1u << 4,
  kVehicle = 1u << 5,
  kReading = 1u << 6,    // book, letter, newspaper
  kOpenable = 1u << 7,
  kClothing = 1u << 8,
  kFurniture = 1u << 9,
  kPlace = 1u << 10,
};

enum class Gender { masculine, feminine };

struct Noun {
  std::string_view en, en_plural, fr, fr_plural;
  Gender gender;
  std::uint32_t kinds;
  bool mass = false;  // uncountable: "some bread" / "du pain", never plural
};

struct Adjective {
  std::string_view en;
  std::array<std::string_view, 4> fr;  // masculine, feminine, masculine plural, feminine plural
  std::string_view fr_before_vowel;    // masculine singular before a vowel (bel, nouvel, vieil)
  bool before_noun;                    // French position: "petit chat" vs "chat noir"
  std::uint32_t describes;             // noun kinds it can describe
};

struct Verb {
  std::string_view en, en_third, en_past, en_ing;
  std::string_view fr_infinitive;
  std::array<std::string_view, 6> fr_present;  // je, tu, il/elle, nous, vous, ils
  std::string_view fr_participle;
  std::uint32_t subjects;  // noun kinds that can do it (pronouns count as kPerson)
  std::uint32_t objects;   // noun kinds it takes as object
  bool progressive;        // English "is eating" is natural
  bool past;               // passé composé is natural ("j' ai mangé")
};

std::span<const Noun> nouns();
std::span<const Adjective> adjectives();
std::span<const Verb> verbs();

// Looks an entry up by its English (singular, base) form; throws
// kiln::Error naming the word when the lexicon has no such entry.
const Noun& noun(std::string_view en);
const Adjective& adjective(std::string_view en);
const Verb& verb(std::string_view en);

// être, avoir and aller in the present, je..ils.
inline constexpr std::array<std::string_view, 6> kEtre = {"suis", "es", "est", "sommes", "êtes", "sont"};
inline constexpr std::array<std::string_view, 6> kAvoir = {"ai", "as", "a", "avons", "avez", "ont"};
inline constexpr std::array<std::string_view, 6> kAller = {"vais", "vas", "va", "allons", "allez", "vont"};

}  // namespace nmt
