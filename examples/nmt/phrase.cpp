#include "examples/nmt/phrase.hpp"

#include <algorithm>
#include <array>

#include "examples/nmt/lexicon.hpp"
#include "graph/error.hpp"

namespace nmt {
namespace {

using Words = std::vector<std::string>;

[[noreturn]] void fail(const std::string& what) { throw kiln::Error("phrasebook: " + what); }

void add(Words& words, std::initializer_list<std::string_view> more) {
  for (auto w : more) words.emplace_back(w);
}

void append(Words& words, const Words& more) { words.insert(words.end(), more.begin(), more.end()); }

// Initial vowel or mute h: "l' homme", "j' aime", "cet oiseau".
bool french_vowel_initial(std::string_view word) {
  static constexpr std::string_view kStarts[] = {"a", "e", "i", "o", "u", "y", "h", "é", "è", "ê", "â", "î", "ô", "œ"};
  return std::any_of(std::begin(kStarts), std::end(kStarts), [&](auto s) { return word.starts_with(s); });
}

bool english_vowel_initial(std::string_view word) {
  return !word.empty() && std::string_view("aeiou").find(word[0]) != std::string_view::npos;
}

// Elision and contraction, applied once the words are in order:
//   le/la -> l', de -> d', ne -> n', je -> j', ce -> cet, ma/ta/sa -> mon/ton/son
//   before a vowel; then à le -> au, à les -> aux, de le -> du, de les -> des.
Words finish_french(Words words) {
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    if (!french_vowel_initial(words[i + 1])) continue;
    std::string& w = words[i];
    if (w == "le" || w == "la") w = "l'";
    else if (w == "de") w = "d'";
    else if (w == "ne") w = "n'";
    else if (w == "je") w = "j'";
    else if (w == "ce") w = "cet";
    else if (w == "ma") w = "mon";
    else if (w == "ta") w = "ton";
    else if (w == "sa") w = "son";
  }
  Words out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const bool next_le = i + 1 < words.size() && words[i + 1] == "le";
    const bool next_les = i + 1 < words.size() && words[i + 1] == "les";
    if (words[i] == "à" && (next_le || next_les)) {
      out.push_back(next_le ? "au" : "aux");
      ++i;
    } else if (words[i] == "de" && (next_le || next_les)) {
      out.push_back(next_le ? "du" : "des");
      ++i;
    } else {
      out.push_back(words[i]);
    }
  }
  return out;
}

Words finish_english(Words words) {
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == "a" && english_vowel_initial(words[i + 1])) words[i] = "an";
  }
  return words;
}

std::string sentence(const Words& words) {
  std::string out;
  for (const auto& w : words) out += w + " ";
  return out + ".";
}

// What a verb or adjective agrees with.
struct Agreement {
  int person;  // 0..5 = je, tu, il/elle, nous, vous, ils
  Gender gender;
  bool plural;
};

std::size_t form_index(const Agreement& a) {
  return (a.plural ? 2 : 0) + (a.gender == Gender::feminine ? 1 : 0);
}

std::string_view english_be(const Agreement& a) { return a.person == 0 ? "am" : a.person == 2 ? "is" : "are"; }
bool english_third_singular(const Agreement& a) { return a.person == 2; }

struct Rendered {
  Words en, fr;
};

struct Subject {
  Rendered words;
  Agreement agreement;
};

Words determiner_fr(Determiner d, Gender g, bool plural, bool has_pre_adjective, bool negated) {
  const bool m = g == Gender::masculine;
  switch (d) {
    case Determiner::the: return {plural ? "les" : m ? "le" : "la"};
    case Determiner::a:
      if (negated || (plural && has_pre_adjective)) return {"de"};  // pas de chat, de petits chats
      if (plural) return {"de", "les"};                              // -> des
      return {m ? "un" : "une"};
    case Determiner::some: return negated ? Words{"de"} : Words{"de", m ? "le" : "la"};  // du, de la, de l'
    case Determiner::this_one: return {plural ? "ces" : m ? "ce" : "cette"};
    case Determiner::my: return {plural ? "mes" : m ? "mon" : "ma"};
    case Determiner::your: return {plural ? "tes" : m ? "ton" : "ta"};
    case Determiner::his:
    case Determiner::her: return {plural ? "ses" : m ? "son" : "sa"};
    case Determiner::our: return {plural ? "nos" : "notre"};
    case Determiner::their: return {plural ? "leurs" : "leur"};
    case Determiner::two: return {"deux"};
    case Determiner::three: return {"trois"};
  }
  return {};
}

Words determiner_en(Determiner d, bool plural, bool negated) {
  switch (d) {
    case Determiner::the: return {"the"};
    case Determiner::a: return plural ? Words{} : Words{"a"};
    case Determiner::some: return {negated ? "any" : "some"};
    case Determiner::this_one: return {plural ? "these" : "this"};
    case Determiner::my: return {"my"};
    case Determiner::your: return {"your"};
    case Determiner::his: return {"his"};
    case Determiner::her: return {"her"};
    case Determiner::our: return {"our"};
    case Determiner::their: return {"their"};
    case Determiner::two: return {"two"};
    case Determiner::three: return {"three"};
  }
  return {};
}

void check_determiner(const NounPhrase& np, const Noun& n) {
  const bool numeral = np.determiner == Determiner::two || np.determiner == Determiner::three;
  if (n.mass && np.plural) fail("\"" + np.noun + "\" is a mass noun and has no plural");
  if (n.mass && (np.determiner == Determiner::a || numeral)) {
    fail("a mass noun such as \"" + np.noun + "\" takes \"some\", not a count determiner");
  }
  if (!n.mass && np.determiner == Determiner::some) fail("\"some\" needs a mass noun, not \"" + np.noun + "\"");
  if (numeral && !np.plural) fail("two and three need a plural noun phrase (\"" + np.noun + "\")");
}

// negated: the noun phrase is the object of a negated verb (pas de ...).
Rendered render_noun_phrase(const NounPhrase& np, bool negated) {
  const Noun& n = noun(np.noun);
  check_determiner(np, n);
  const Adjective* pre = nullptr;
  const Adjective* post = nullptr;
  for (const auto& name : np.adjectives) {
    const Adjective& a = adjective(name);
    const Adjective*& slot = a.before_noun ? pre : post;
    if (slot) fail("\"" + np.noun + "\" can take one adjective before and one after it in French, got two " +
                   (a.before_noun ? "before" : "after"));
    slot = &a;
  }
  const Agreement agreement{np.plural ? 5 : 2, n.gender, np.plural};
  const std::size_t form = form_index(agreement);
  const std::string_view noun_fr = np.plural ? n.fr_plural : n.fr;

  Rendered r;
  r.fr = determiner_fr(np.determiner, n.gender, np.plural, pre != nullptr, negated);
  if (pre) {
    const bool alternate = form == 0 && french_vowel_initial(noun_fr) && !pre->fr_before_vowel.empty();
    add(r.fr, {alternate ? pre->fr_before_vowel : pre->fr[form]});
  }
  add(r.fr, {noun_fr});
  if (post) add(r.fr, {post->fr[form]});

  r.en = determiner_en(np.determiner, np.plural, negated);
  if (pre) add(r.en, {pre->en});
  if (post) add(r.en, {post->en});
  add(r.en, {np.plural ? n.en_plural : n.en});
  return r;
}

Subject render_subject(const Phrase& p) {
  const auto M = Gender::masculine;
  switch (p.pronoun) {
    case Pronoun::none: {
      Subject s{render_noun_phrase(p.subject, false), {}};
      s.agreement = {p.subject.plural ? 5 : 2, noun(p.subject.noun).gender, p.subject.plural};
      return s;
    }
    case Pronoun::i: return {{{"i"}, {"je"}}, {0, M, false}};
    case Pronoun::you: return {{{"you"}, {"tu"}}, {1, M, false}};
    case Pronoun::he: return {{{"he"}, {"il"}}, {2, M, false}};
    case Pronoun::she: return {{{"she"}, {"elle"}}, {2, Gender::feminine, false}};
    case Pronoun::we: return {{{"we"}, {"nous"}}, {3, M, true}};
    case Pronoun::you_all: return {{{"you", "all"}, {"vous"}}, {4, M, true}};
    case Pronoun::they: return {{{"they"}, {"ils"}}, {5, M, true}};
  }
  fail("unknown pronoun");
}

// French "[ne] <finite> [pas]" around a conjugated auxiliary or verb.
Words negatable(std::string_view finite, bool negated) {
  return negated ? Words{"ne", std::string(finite), "pas"} : Words{std::string(finite)};
}

Rendered render_action(const Phrase& p, const Agreement& a) {
  const Verb& v = verb(p.verb);
  if (p.tense == Tense::progressive && !v.progressive) fail("\"" + p.verb + "\" has no progressive form here");
  if (p.tense == Tense::past && !v.past) fail("\"" + p.verb + "\" has no past tense here");
  const bool third = english_third_singular(a);
  const bool neg = p.negated;
  Rendered r;
  switch (p.tense) {
    case Tense::present:
      if (neg) add(r.en, {third ? "does" : "do", "not", v.en});
      else add(r.en, {third ? v.en_third : v.en});
      r.fr = negatable(v.fr_present[a.person], neg);
      break;
    case Tense::progressive:
      add(r.en, {english_be(a)});
      if (neg) add(r.en, {"not"});
      add(r.en, {v.en_ing});
      r.fr = negatable(v.fr_present[a.person], neg);
      break;
    case Tense::past:
      if (neg) add(r.en, {"did", "not", v.en});
      else add(r.en, {v.en_past});
      r.fr = negatable(kAvoir[a.person], neg);
      add(r.fr, {v.fr_participle});
      break;
    case Tense::future:
      add(r.en, {english_be(a)});
      if (neg) add(r.en, {"not"});
      add(r.en, {"going", "to", v.en});
      r.fr = negatable(kAller[a.person], neg);
      add(r.fr, {v.fr_infinitive});
      break;
  }
  const Rendered object = render_noun_phrase(p.object, neg);
  append(r.en, object.en);
  append(r.fr, object.fr);
  return r;
}

Rendered render_motion(const Phrase& p, const Agreement& a) {
  static constexpr std::array<std::string_view, 4> kAlle = {"allé", "allée", "allés", "allées"};
  const bool third = english_third_singular(a);
  const bool neg = p.negated;
  Rendered r;
  switch (p.tense) {
    case Tense::present:
      if (neg) add(r.en, {third ? "does" : "do", "not", "go"});
      else add(r.en, {third ? "goes" : "go"});
      r.fr = negatable(kAller[a.person], neg);
      break;
    case Tense::progressive:
      add(r.en, {english_be(a)});
      if (neg) add(r.en, {"not"});
      add(r.en, {"going"});
      r.fr = negatable(kAller[a.person], neg);
      break;
    case Tense::past:  // passé composé with être: the participle agrees with the subject
      if (neg) add(r.en, {"did", "not", "go"});
      else add(r.en, {"went"});
      r.fr = negatable(kEtre[a.person], neg);
      add(r.fr, {kAlle[form_index(a)]});
      break;
    case Tense::future:
      add(r.en, {english_be(a)});
      if (neg) add(r.en, {"not"});
      add(r.en, {"going", "to", "go"});
      r.fr = negatable(kAller[a.person], neg);
      add(r.fr, {"aller"});
      break;
  }
  const Rendered place = render_noun_phrase(p.object, false);
  add(r.en, {"to"});
  append(r.en, place.en);
  add(r.fr, {"à"});
  append(r.fr, place.fr);
  return r;
}

void require_present(const Phrase& p, const char* clause) {
  if (p.tense != Tense::present) fail(std::string(clause) + " sentences are in the present tense only");
}

Rendered render_description(const Phrase& p, const Agreement& a) {
  require_present(p, "description");
  if (p.adjectives.empty() || p.adjectives.size() > 2) {
    fail("a description takes one or two adjectives, got " + std::to_string(p.adjectives.size()));
  }
  Rendered r;
  add(r.en, {english_be(a)});
  if (p.negated) add(r.en, {"not"});
  r.fr = negatable(kEtre[a.person], p.negated);
  for (std::size_t i = 0; i < p.adjectives.size(); ++i) {
    const Adjective& adj = adjective(p.adjectives[i]);
    if (i > 0) {
      add(r.en, {"and"});
      add(r.fr, {"et"});
    }
    add(r.en, {adj.en});
    add(r.fr, {adj.fr[form_index(a)]});
  }
  return r;
}

Rendered render_location(const Phrase& p, const Agreement& a) {
  require_present(p, "location");
  Rendered r;
  add(r.en, {english_be(a)});
  if (p.negated) add(r.en, {"not"});
  r.fr = negatable(kEtre[a.person], p.negated);
  switch (p.preposition) {
    case Preposition::in: add(r.en, {"in"}), add(r.fr, {"dans"}); break;
    case Preposition::on: add(r.en, {"on"}), add(r.fr, {"sur"}); break;
    case Preposition::under: add(r.en, {"under"}), add(r.fr, {"sous"}); break;
    case Preposition::near: add(r.en, {"near"}), add(r.fr, {"près", "de"}); break;
    case Preposition::at: add(r.en, {"at"}), add(r.fr, {"à"}); break;
  }
  const Rendered place = render_noun_phrase(p.object, false);
  append(r.en, place.en);
  append(r.fr, place.fr);
  return r;
}

Rendered time_adverb(const Phrase& p) {
  if (p.clause == Clause::description || p.clause == Clause::location) return {{"now"}, {"maintenant"}};
  switch (p.tense) {
    case Tense::present: return {{"today"}, {"aujourd'hui"}};
    case Tense::progressive: return {{"now"}, {"maintenant"}};
    case Tense::past: return {{"yesterday"}, {"hier"}};
    case Tense::future: return {{"tomorrow"}, {"demain"}};
  }
  return {};
}

}  // namespace

kiln::text::SentencePair render(const Phrase& p) {
  Subject subject = render_subject(p);
  Rendered predicate;
  switch (p.clause) {
    case Clause::action: predicate = render_action(p, subject.agreement); break;
    case Clause::description: predicate = render_description(p, subject.agreement); break;
    case Clause::location: predicate = render_location(p, subject.agreement); break;
    case Clause::motion: predicate = render_motion(p, subject.agreement); break;
  }
  Words en = std::move(subject.words.en);
  Words fr = std::move(subject.words.fr);
  append(en, predicate.en);
  append(fr, predicate.fr);
  if (p.time_adverb) {
    const Rendered adverb = time_adverb(p);
    append(en, adverb.en);
    append(fr, adverb.fr);
  }
  return {sentence(finish_english(std::move(en))), sentence(finish_french(std::move(fr)))};
}

}  // namespace nmt
