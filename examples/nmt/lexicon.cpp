#include "examples/nmt/lexicon.hpp"

#include <algorithm>
#include <string>

#include "graph/error.hpp"

namespace nmt {
namespace {

constexpr Gender M = Gender::masculine;
constexpr Gender F = Gender::feminine;

constexpr Noun kNouns[] = {
    // animals
    {"cat", "cats", "chat", "chats", M, kAnimal},
    {"dog", "dogs", "chien", "chiens", M, kAnimal},
    {"bird", "birds", "oiseau", "oiseaux", M, kAnimal},
    {"horse", "horses", "cheval", "chevaux", M, kAnimal},
    {"mouse", "mice", "souris", "souris", F, kAnimal},
    // people
    {"man", "men", "homme", "hommes", M, kPerson},
    {"woman", "women", "femme", "femmes", F, kPerson},
    {"boy", "boys", "garçon", "garçons", M, kPerson},
    {"girl", "girls", "fille", "filles", F, kPerson},
    {"child", "children", "enfant", "enfants", M, kPerson},
    // food
    {"apple", "apples", "pomme", "pommes", F, kFood},
    {"orange", "oranges", "orange", "oranges", F, kFood},
    {"cake", "cakes", "gâteau", "gâteaux", M, kFood},
    {"egg", "eggs", "œuf", "œufs", M, kFood},
    {"fish", "fish", "poisson", "poissons", M, kFood | kDish},
    {"bread", "", "pain", "", M, kFood | kDish, true},
    {"cheese", "", "fromage", "", M, kFood, true},
    {"soup", "", "soupe", "", F, kFood | kDish, true},
    // drinks
    {"water", "", "eau", "", F, kDrink, true},
    {"milk", "", "lait", "", M, kDrink, true},
    {"coffee", "", "café", "", M, kDrink, true},
    // vehicles
    {"car", "cars", "voiture", "voitures", F, kVehicle},
    {"bike", "bikes", "vélo", "vélos", M, kVehicle},
    {"boat", "boats", "bateau", "bateaux", M, kVehicle},
    // things
    {"book", "books", "livre", "livres", M, kReading | kOpenable},
    {"letter", "letters", "lettre", "lettres", F, kReading | kOpenable},
    {"newspaper", "newspapers", "journal", "journaux", M, kReading},
    {"door", "doors", "porte", "portes", F, kOpenable},
    {"box", "boxes", "boîte", "boîtes", F, kOpenable},
    {"shirt", "shirts", "chemise", "chemises", F, kClothing},
    {"hat", "hats", "chapeau", "chapeaux", M, kClothing},
    {"table", "tables", "table", "tables", F, kFurniture},
    {"bed", "beds", "lit", "lits", M, kFurniture},
    // places
    {"park", "parks", "parc", "parcs", M, kPlace},
    {"school", "schools", "école", "écoles", F, kPlace},
    {"beach", "beaches", "plage", "plages", F, kPlace},
    {"station", "stations", "gare", "gares", F, kPlace},
    {"market", "markets", "marché", "marchés", M, kPlace},
    {"museum", "museums", "musée", "musées", M, kPlace},
    {"garden", "gardens", "jardin", "jardins", M, kPlace},
    {"airport", "airports", "aéroport", "aéroports", M, kPlace},
    {"house", "houses", "maison", "maisons", F, kPlace},
};

constexpr std::uint32_t kThings = kVehicle | kClothing | kFurniture | kOpenable;
constexpr std::uint32_t kBeings = kAnimal | kPerson;

constexpr Adjective kAdjectives[] = {
    // before the noun in French
    {"small", {"petit", "petite", "petits", "petites"}, "", true, kBeings | kThings | kReading | kPlace},
    {"big", {"grand", "grande", "grands", "grandes"}, "", true, kBeings | kThings | kPlace},
    {"beautiful", {"beau", "belle", "beaux", "belles"}, "bel", true, kBeings | kThings | kPlace},
    {"new", {"nouveau", "nouvelle", "nouveaux", "nouvelles"}, "nouvel", true, kThings | kReading | kPlace},
    {"old", {"vieux", "vieille", "vieux", "vieilles"}, "vieil", true, kBeings | kThings | kReading | kPlace},
    {"good", {"bon", "bonne", "bons", "bonnes"}, "", true, kFood | kDrink | kReading},
    // after the noun
    {"black", {"noir", "noire", "noirs", "noires"}, "", false, kAnimal | kThings},
    {"white", {"blanc", "blanche", "blancs", "blanches"}, "", false, kAnimal | kThings},
    {"red", {"rouge", "rouge", "rouges", "rouges"}, "", false, kAnimal | kThings},
    {"hot", {"chaud", "chaude", "chauds", "chaudes"}, "", false, kDish | kDrink},
    {"cold", {"froid", "froide", "froids", "froides"}, "", false, kDish | kDrink},
    {"delicious", {"délicieux", "délicieuse", "délicieux", "délicieuses"}, "", false, kFood | kDrink},
    {"tired", {"fatigué", "fatiguée", "fatigués", "fatiguées"}, "", false, kBeings},
    {"happy", {"heureux", "heureuse", "heureux", "heureuses"}, "", false, kBeings},
    {"sad", {"triste", "triste", "tristes", "tristes"}, "", false, kBeings},
    {"sick", {"malade", "malade", "malades", "malades"}, "", false, kBeings},
};

constexpr Verb kVerbs[] = {
    {"eat", "eats", "ate", "eating", "manger",
     {"mange", "manges", "mange", "mangeons", "mangez", "mangent"}, "mangé", kBeings, kFood, true, true},
    {"drink", "drinks", "drank", "drinking", "boire",
     {"bois", "bois", "boit", "buvons", "buvez", "boivent"}, "bu", kBeings, kDrink, true, true},
    {"like", "likes", "liked", "liking", "aimer",
     {"aime", "aimes", "aime", "aimons", "aimez", "aiment"}, "aimé", kBeings,
     kAnimal | kFood | kDrink | kVehicle | kReading | kClothing | kPlace, false, false},
    {"see", "sees", "saw", "seeing", "voir",
     {"vois", "vois", "voit", "voyons", "voyez", "voient"}, "vu", kBeings,
     kBeings | kVehicle | kPlace | kReading | kClothing | kFurniture | kOpenable, false, true},
    {"buy", "buys", "bought", "buying", "acheter",
     {"achète", "achètes", "achète", "achetons", "achetez", "achètent"}, "acheté", kPerson,
     kFood | kDrink | kVehicle | kReading | kClothing | kFurniture, true, true},
    {"want", "wants", "wanted", "wanting", "vouloir",
     {"veux", "veux", "veut", "voulons", "voulez", "veulent"}, "voulu", kBeings,
     kFood | kDrink | kVehicle | kReading | kClothing | kAnimal, false, false},
    {"have", "has", "had", "having", "avoir",
     {"ai", "as", "a", "avons", "avez", "ont"}, "eu", kPerson,
     kAnimal | kVehicle | kReading | kClothing | kFurniture | kFood, false, false},
    {"read", "reads", "read", "reading", "lire",
     {"lis", "lis", "lit", "lisons", "lisez", "lisent"}, "lu", kPerson, kReading, true, true},
    {"open", "opens", "opened", "opening", "ouvrir",
     {"ouvre", "ouvres", "ouvre", "ouvrons", "ouvrez", "ouvrent"}, "ouvert", kPerson, kOpenable, true, true},
};

template <typename Entry>
const Entry& find_entry(std::span<const Entry> entries, std::string_view en, const char* what) {
  const auto it = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.en == en; });
  if (it == entries.end()) throw kiln::Error(std::string("phrasebook: no ") + what + " \"" + std::string(en) + "\" in the lexicon");
  return *it;
}

}  // namespace

std::span<const Noun> nouns() { return kNouns; }
std::span<const Adjective> adjectives() { return kAdjectives; }
std::span<const Verb> verbs() { return kVerbs; }

const Noun& noun(std::string_view en) { return find_entry(nouns(), en, "noun"); }
const Adjective& adjective(std::string_view en) { return find_entry(adjectives(), en, "adjective"); }
const Verb& verb(std::string_view en) { return find_entry(verbs(), en, "verb"); }

}  // namespace nmt
