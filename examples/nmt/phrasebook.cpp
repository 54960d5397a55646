#include "examples/nmt/phrasebook.hpp"

#include <algorithm>
#include <limits>
#include <random>
#include <string>
#include <unordered_set>

#include "examples/nmt/lexicon.hpp"

namespace nmt {
namespace {

// Uniform choices from mt19937_64, whose output the standard fixes; the
// standard distributions are not, so they would differ across libraries.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  std::size_t below(std::size_t n) {
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t limit = kMax - kMax % n;  // a multiple of n: no modulo bias
    std::uint64_t x;
    do {
      x = engine_();
    } while (x >= limit);
    return static_cast<std::size_t>(x % n);
  }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }

  // An index drawn with the given integer weights.
  std::size_t weighted(std::initializer_list<int> weights) {
    int total = 0;
    for (int w : weights) total += w;
    int x = static_cast<int>(below(static_cast<std::size_t>(total)));
    std::size_t i = 0;
    for (int w : weights) {
      if (x < w) return i;
      x -= w;
      ++i;
    }
    return i - 1;
  }

  template <typename T>
  const T& pick(const std::vector<T>& items) { return items[below(items.size())]; }

 private:
  std::mt19937_64 engine_;
};

std::vector<const Noun*> nouns_of(std::uint32_t kinds) {
  std::vector<const Noun*> out;
  for (const Noun& n : nouns()) {
    if (n.kinds & kinds) out.push_back(&n);
  }
  return out;
}

std::vector<const Adjective*> adjectives_for(std::uint32_t kinds) {
  std::vector<const Adjective*> out;
  for (const Adjective& a : adjectives()) {
    if (a.describes & kinds) out.push_back(&a);
  }
  return out;
}

enum class Role { subject, object, place };

// Up to one adjective before and one after the noun in French.
std::vector<std::string> random_adjectives(Random& r, std::uint32_t kinds, int max_count) {
  const auto fitting = adjectives_for(kinds);
  const std::size_t count = std::min<std::size_t>(r.weighted({55, 35, 10}), static_cast<std::size_t>(max_count));
  std::vector<std::string> out;
  const Adjective* first = nullptr;
  for (std::size_t i = 0; i < count; ++i) {
    std::vector<const Adjective*> options;
    for (const Adjective* a : fitting) {
      if (!first || a->before_noun != first->before_noun) options.push_back(a);
    }
    if (options.empty()) break;
    const Adjective* chosen = r.pick(options);
    if (!first) first = chosen;
    out.emplace_back(chosen->en);
  }
  // English order: size, age or quality before colour and the rest.
  std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return adjective(a).before_noun && !adjective(b).before_noun;
  });
  return out;
}

// "my museum" or "her man" is not phrasebook material.
bool ownable(const Noun& n) {
  if (n.kinds & kPlace) return n.en == "house" || n.en == "garden";
  if (n.kinds & kPerson) return n.en == "child";
  return true;
}

// "happy and sad" in one description would be nonsense.
bool opposite(std::string_view a, std::string_view b) {
  static constexpr std::pair<std::string_view, std::string_view> kOpposites[] = {
      {"happy", "sad"}, {"small", "big"}, {"hot", "cold"}, {"new", "old"}, {"black", "white"}};
  for (const auto& [x, y] : kOpposites) {
    if ((a == x && b == y) || (a == y && b == x)) return true;
  }
  return false;
}

NounPhrase random_noun_phrase(Random& r, const Noun& n, Role role) {
  static constexpr Determiner kPossessives[] = {Determiner::my,  Determiner::your, Determiner::his,
                                                Determiner::her, Determiner::our,  Determiner::their};
  NounPhrase np{.noun = std::string(n.en)};
  if (role == Role::place || (n.kinds & kPlace)) {  // one park, one school: places stay singular
    np.determiner = ownable(n) && r.chance(25) ? kPossessives[r.below(6)] : Determiner::the;
    if (r.chance(20)) np.adjectives = random_adjectives(r, n.kinds, 1);
    return np;
  }
  if (n.mass) {
    const std::size_t d = r.weighted({35, role == Role::object ? 45 : 0, 10, 10});
    np.determiner = d == 0 ? Determiner::the : d == 1 ? Determiner::some : d == 2 ? Determiner::this_one
                                                                                : kPossessives[r.below(6)];
  } else {
    np.plural = r.chance(35);
    switch (r.weighted({40, 20, 10, 20, 10})) {
      case 0: np.determiner = Determiner::the; break;
      case 1: np.determiner = Determiner::a; break;
      case 2: np.determiner = Determiner::this_one; break;
      case 3: np.determiner = ownable(n) ? kPossessives[r.below(6)] : Determiner::the; break;
      default:
        np.determiner = r.chance(50) ? Determiner::two : Determiner::three;
        np.plural = true;
    }
    // Generic bare plurals as subjects read as "les ..." in French: avoid them.
    if (role == Role::subject && np.determiner == Determiner::a && np.plural) np.determiner = Determiner::the;
  }
  np.adjectives = random_adjectives(r, n.kinds, 2);
  return np;
}

constexpr Pronoun kPronouns[] = {Pronoun::i,  Pronoun::you,     Pronoun::he,  Pronoun::she,
                                 Pronoun::we, Pronoun::you_all, Pronoun::they};

// Sets a pronoun (when people may be the subject and the dice say so) or a
// noun phrase of one of the given kinds.
void random_subject(Random& r, Phrase& p, std::uint32_t kinds, int pronoun_percent) {
  if ((kinds & kPerson) && r.chance(pronoun_percent)) {
    p.pronoun = kPronouns[r.below(7)];
    return;
  }
  const auto candidates = nouns_of(kinds);
  p.subject = random_noun_phrase(r, *r.pick(candidates), Role::subject);
  if (p.clause == Clause::description && p.subject.determiner == Determiner::a) {
    p.subject.determiner = Determiner::the;  // "a cat is black" is not phrasebook English
  }
}

Tense random_tense(Random& r) {
  static constexpr Tense kTenses[] = {Tense::present, Tense::progressive, Tense::past, Tense::future};
  return kTenses[r.weighted({35, 15, 25, 25})];
}

void random_action(Random& r, Phrase& p) {
  const Verb& v = verbs()[r.below(verbs().size())];
  p.verb = std::string(v.en);
  random_subject(r, p, v.subjects, 50);
  p.object = random_noun_phrase(r, *r.pick(nouns_of(v.objects)), Role::object);
  // "aimer" takes the definite article for kinds of things: "j' aime les pommes".
  const bool determiner_fits = !(v.en == "like" && (p.object.determiner == Determiner::a ||
                                                    p.object.determiner == Determiner::some));
  if (!determiner_fits) p.object.determiner = Determiner::the;
  const bool stative = !v.progressive && !v.past;  // like, want, have: present only
  p.tense = stative ? Tense::present : random_tense(r);
  if ((p.tense == Tense::progressive && !v.progressive) || (p.tense == Tense::past && !v.past)) {
    p.tense = Tense::present;
  }
}

void random_description(Random& r, Phrase& p) {
  random_subject(r, p, ~0u, 35);
  const std::uint32_t kinds = p.pronoun != Pronoun::none ? std::uint32_t{kPerson} : noun(p.subject.noun).kinds;
  // Not "the old car is old" nor "the old car is new": the predicate adds to the subject.
  auto fits = [&](const Adjective* a) {
    for (const auto& other : p.subject.adjectives) {
      if (other == a->en || opposite(other, a->en)) return false;
    }
    for (const auto& other : p.adjectives) {
      if (other == a->en || opposite(other, a->en)) return false;
    }
    return true;
  };
  const std::size_t count = r.chance(25) ? 2 : 1;
  for (std::size_t i = 0; i < count; ++i) {
    std::vector<const Adjective*> options;
    for (const Adjective* a : adjectives_for(kinds)) {
      if (fits(a)) options.push_back(a);
    }
    if (options.empty()) break;
    p.adjectives.emplace_back(r.pick(options)->en);
  }
  if (p.adjectives.empty()) {  // the subject's adjectives used up every option
    p.subject.adjectives.clear();
    p.adjectives.emplace_back(r.pick(adjectives_for(kinds))->en);
  }
}

struct Location {
  Preposition preposition;
  std::string_view place;
  std::uint32_t subjects;
};

constexpr std::uint32_t kSmallThings = kReading | kClothing;
constexpr Location kLocations[] = {
    {Preposition::in, "house", kAnimal | kPerson | kSmallThings | kFurniture},
    {Preposition::in, "garden", kAnimal | kPerson | kFurniture},
    {Preposition::in, "park", kAnimal | kPerson},
    {Preposition::in, "car", kAnimal | kPerson | kSmallThings},
    {Preposition::in, "box", kSmallThings},
    {Preposition::in, "museum", kPerson},
    {Preposition::on, "table", kAnimal | kSmallThings | kFood | kDrink},
    {Preposition::on, "bed", kAnimal | kPerson | kSmallThings},
    {Preposition::on, "boat", kAnimal | kPerson},
    {Preposition::under, "table", kAnimal | kSmallThings},
    {Preposition::under, "bed", kAnimal | kSmallThings},
    {Preposition::under, "car", kAnimal},
    {Preposition::near, "house", kAnimal | kPerson | kVehicle},
    {Preposition::near, "station", kAnimal | kPerson | kVehicle},
    {Preposition::near, "school", kAnimal | kPerson | kVehicle},
    {Preposition::near, "door", kAnimal | kPerson | kFurniture},
    {Preposition::near, "table", kAnimal | kPerson | kFurniture},
    {Preposition::at, "school", kPerson},
    {Preposition::at, "beach", kPerson},
    {Preposition::at, "station", kPerson},
    {Preposition::at, "market", kPerson},
    {Preposition::at, "museum", kPerson},
    {Preposition::at, "airport", kPerson},
    {Preposition::at, "park", kPerson},
};

void random_location(Random& r, Phrase& p) {
  const Location& where = kLocations[r.below(std::size(kLocations))];
  p.preposition = where.preposition;
  random_subject(r, p, where.subjects, 40);
  p.object = random_noun_phrase(r, noun(where.place), Role::place);
}

void random_motion(Random& r, Phrase& p) {
  random_subject(r, p, kPerson, 60);
  p.object = random_noun_phrase(r, *r.pick(nouns_of(kPlace)), Role::place);
  p.tense = random_tense(r);
}

Phrase random_phrase(Random& r) {
  Phrase p;
  switch (r.weighted({45, 20, 15, 20})) {
    case 0: p.clause = Clause::action, random_action(r, p); break;
    case 1: p.clause = Clause::description, random_description(r, p); break;
    case 2: p.clause = Clause::location, random_location(r, p); break;
    default: p.clause = Clause::motion, random_motion(r, p); break;
  }
  p.negated = r.chance(30);
  p.time_adverb = r.chance(20);
  return p;
}

std::size_t token_count(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), ' ')) + 1; }

}  // namespace

std::vector<kiln::text::SentencePair> generate_phrasebook(std::size_t count, std::uint64_t seed) {
  Random r(seed);
  std::vector<kiln::text::SentencePair> pairs;
  pairs.reserve(count);
  std::unordered_set<std::string> seen;
  // The grammar yields millions of distinct pairs; past this many draws we
  // accept repeats rather than loop for ever.
  const std::size_t patience = 50 * count + 1000;
  for (std::size_t draws = 0; pairs.size() < count; ++draws) {
    kiln::text::SentencePair pair = render(random_phrase(r));
    if (token_count(pair.source) > kMaxPhraseTokens || token_count(pair.target) > kMaxPhraseTokens) continue;
    const bool fresh = seen.insert(pair.source + '\t' + pair.target).second;
    if (fresh || draws > patience) pairs.push_back(std::move(pair));
  }
  return pairs;
}

}  // namespace nmt
