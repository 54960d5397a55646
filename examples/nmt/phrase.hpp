#pragma once
// A phrasebook sentence described by its structure, and its rendering into
// an English sentence and its French translation, both lowercase with
// spaces around punctuation and after elided words, as in small_vocab
// ("l' automne"):
//
//   Phrase p{.clause = Clause::action,
//            .subject = {.noun = "cat", .adjectives = {"black"}},
//            .verb = "eat", .object = {.noun = "fish"}, .tense = Tense::progressive};
//   render(p)  ->  {"the black cat is eating the fish .", "le chat noir mange le poisson ."}
//
// French grammar handled: gender and number agreement of articles,
// possessives, demonstratives and adjectives (before or after the noun,
// bel/nouvel/vieil before a vowel); elision (l', j', n', d') and
// contraction (au, aux, du, des); conjugation for je..ils in the present,
// passé composé (with être agreement for "aller") and futur proche;
// negation ne ... pas with un/une/des/du -> de; partitive articles.

#include <string>
#include <vector>

#include "text/parallel_corpus.hpp"

namespace nmt {

enum class Pronoun { none, i, you, he, she, we, you_all, they };  // "you all" = vous, "you" = tu
enum class Tense { present, progressive, past, future };         // future = "going to" / futur proche
enum class Determiner { the, a, some, this_one, my, your, his, her, our, their, two, three };
enum class Preposition { in, on, under, near, at };
enum class Clause {
  action,       // subject verb object:        "i eat the apple ."
  description,  // subject be adjective(s):    "the cars are red and fast ."
  location,     // subject be preposition place: "the cat is under the bed ."
  motion,       // subject go to place:        "we went to the beach ."
};

struct NounPhrase {
  std::string noun;                     // English singular ("mouse", not "mice")
  Determiner determiner = Determiner::the;
  bool plural = false;                  // "a" + plural = bare plural ("cats" / "des chats")
  std::vector<std::string> adjectives = {};  // at most one French pre-noun and one post-noun
};

struct Phrase {
  Clause clause = Clause::action;
  Pronoun pronoun = Pronoun::none;      // the subject, unless none
  NounPhrase subject = {};              // the subject when pronoun is none
  std::string verb = {};                // action: English base form
  NounPhrase object = {};               // action: object; location, motion: the place
  std::vector<std::string> adjectives = {};  // description: one or two
  Preposition preposition = Preposition::in;  // location
  Tense tense = Tense::present;         // description and location: present only
  bool negated = false;
  bool time_adverb = false;  // today / now / yesterday / tomorrow, by tense
};

// The English sentence and its French translation. Throws kiln::Error
// naming the fault for a phrase the grammar does not cover (unknown word,
// "a" with a mass noun, two adjectives on one side of the noun, ...).
kiln::text::SentencePair render(const Phrase& phrase);

}  // namespace nmt
