#include "layers/initializers.hpp"

#include <atomic>
#include <cmath>

#include "graph/error.hpp"

namespace kiln {

namespace {
// The seed every thread's generator starts from, and a count of
// set_random_seed calls so each thread sees when to start again.
std::atomic<std::uint64_t> seed_value{1337};
std::atomic<std::uint64_t> seed_epoch{0};
}  // namespace

// One generator per thread, so threads building models at once neither race
// on a shared generator nor take each other's draws: what a thread builds
// depends only on the seed and on what that thread did since.
std::mt19937_64& global_generator() {
  thread_local std::mt19937_64 generator;
  thread_local std::uint64_t seen_epoch = ~std::uint64_t{0};
  const std::uint64_t epoch = seed_epoch.load();
  if (epoch != seen_epoch) {
    generator.seed(seed_value.load());
    seen_epoch = epoch;
  }
  return generator;
}

void set_random_seed(std::uint64_t seed) {
  seed_value.store(seed);
  seed_epoch.fetch_add(1);  // after the seed: a thread that sees the new epoch reads the new seed
}

namespace initializers {

namespace {

// Keras' fans: the last axis is fan_out, the product of the rest is fan_in.
std::pair<double, double> fans(const Shape& shape) {
  if (shape.empty()) return {1.0, 1.0};
  if (shape.size() == 1) return {double(shape[0]), double(shape[0])};
  double receptive = 1.0;
  for (std::size_t i = 0; i + 2 < shape.size(); ++i) receptive *= double(shape[i]);
  return {shape[shape.size() - 2] * receptive, shape.back() * receptive};
}

template <class Distribution>
Array sample(const Shape& shape, Distribution dist, std::mt19937_64& rng) {
  Array a = Array::from_shape(shape);
  for (auto& v : a) v = float(dist(rng));
  return a;
}

// While a seeded initializer runs, its own generator (Keras' `seed`
// argument: the same values at every call); otherwise the thread's.
thread_local std::mt19937_64* seeded_generator = nullptr;

template <class Distribution>
Array sample(const Shape& shape, Distribution dist) {
  return sample(shape, dist, seeded_generator ? *seeded_generator : global_generator());
}

Initializer with_seed(Initializer initializer, std::uint64_t seed) {
  return [initializer = std::move(initializer), seed](const Shape& s) {
    std::mt19937_64 rng(seed);
    std::mt19937_64* const outer = seeded_generator;
    seeded_generator = &rng;
    struct Restore {
      std::mt19937_64* outer;
      ~Restore() { seeded_generator = outer; }
    } restore{outer};
    return initializer(s);
  };
}

// A normal draw redrawn until within two standard deviations (Keras' and
// TensorFlow's truncated normal).
struct TruncatedNormal {
  double mean, stddev;
  double operator()(std::mt19937_64& rng) const {
    std::normal_distribution<double> normal(0.0, 1.0);
    double z;
    do z = normal(rng);
    while (std::abs(z) > 2.0);
    return mean + stddev * z;
  }
};

// Orthonormalises the columns of a (rows, cols) matrix, rows >= cols, by
// modified Gram-Schmidt in double precision: the Q of a QR decomposition,
// with R's diagonal made positive (the sign fix Keras applies).
void orthonormalise_columns(std::vector<double>& m, std::size_t rows, std::size_t cols) {
  for (std::size_t j = 0; j < cols; ++j) {
    for (std::size_t k = 0; k < j; ++k) {
      double dot = 0.0;
      for (std::size_t i = 0; i < rows; ++i) dot += m[i * cols + j] * m[i * cols + k];
      for (std::size_t i = 0; i < rows; ++i) m[i * cols + j] -= dot * m[i * cols + k];
    }
    double norm = 0.0;
    for (std::size_t i = 0; i < rows; ++i) norm += m[i * cols + j] * m[i * cols + j];
    norm = std::sqrt(norm);
    for (std::size_t i = 0; i < rows; ++i) m[i * cols + j] /= norm;
  }
}

}  // namespace

Initializer zeros() { return [](const Shape& s) { return Array(xt::zeros<float>(s)); }; }
Initializer ones() { return [](const Shape& s) { return Array(xt::ones<float>(s)); }; }
Initializer constant(float value) {
  return [value](const Shape& s) {
    Array a = Array::from_shape(s);
    a.fill(value);
    return a;
  };
}

Initializer random_uniform(float lo, float hi) {
  return [lo, hi](const Shape& s) { return sample(s, std::uniform_real_distribution<double>(lo, hi)); };
}

Initializer random_normal(float mean, float stddev) {
  return [mean, stddev](const Shape& s) { return sample(s, std::normal_distribution<double>(mean, stddev)); };
}

Initializer variance_scaling(float scale, const std::string& mode, const std::string& distribution) {
  if (mode != "fan_in" && mode != "fan_out" && mode != "fan_avg") {
    throw Error("variance_scaling: mode must be fan_in, fan_out or fan_avg, got '" + mode + "'");
  }
  if (distribution != "truncated_normal" && distribution != "untruncated_normal" && distribution != "normal" &&
      distribution != "uniform") {
    throw Error("variance_scaling: distribution must be truncated_normal, untruncated_normal or uniform, got '" +
                distribution + "'");
  }
  if (!(scale > 0.0f)) throw Error("variance_scaling: scale must be positive, got " + std::to_string(scale));
  return [scale, mode, distribution](const Shape& s) {
    const auto [fan_in, fan_out] = fans(s);
    const double n = mode == "fan_in" ? fan_in : mode == "fan_out" ? fan_out : (fan_in + fan_out) / 2.0;
    const double variance = scale / std::max(1.0, n);
    if (distribution == "uniform") {
      const double limit = std::sqrt(3.0 * variance);
      return sample(s, std::uniform_real_distribution<double>(-limit, limit));
    }
    if (distribution == "untruncated_normal") return sample(s, std::normal_distribution<double>(0.0, std::sqrt(variance)));
    // The standard deviation of a unit normal truncated at +-2, divided out
    // so the truncated draws keep the variance asked for (Keras' constant).
    return sample(s, TruncatedNormal{0.0, std::sqrt(variance) / 0.87962566103423978});
  };
}

Initializer glorot_uniform() { return variance_scaling(1.0f, "fan_avg", "uniform"); }
Initializer glorot_normal() { return variance_scaling(1.0f, "fan_avg", "truncated_normal"); }
Initializer he_uniform() { return variance_scaling(2.0f, "fan_in", "uniform"); }
Initializer he_normal() { return variance_scaling(2.0f, "fan_in", "truncated_normal"); }
Initializer lecun_uniform() { return variance_scaling(1.0f, "fan_in", "uniform"); }
Initializer lecun_normal() { return variance_scaling(1.0f, "fan_in", "truncated_normal"); }

Initializer truncated_normal(float mean, float stddev) {
  return [mean, stddev](const Shape& s) { return sample(s, TruncatedNormal{mean, stddev}); };
}

Initializer identity(float gain) {
  return [gain](const Shape& s) {
    if (s.size() != 2) throw ShapeError("identity initializer needs a 2-D shape, got " + to_string(s));
    Array a = xt::zeros<float>(s);
    for (std::size_t i = 0; i < std::min(s[0], s[1]); ++i) a(i, i) = gain;
    return a;
  };
}

Initializer orthogonal(float gain) {
  return [gain](const Shape& s) {
    if (s.size() < 2) throw ShapeError("orthogonal initializer needs at least 2 dims, got " + to_string(s));
    const std::size_t cols = s.back();
    const std::size_t rows = element_count(s) / cols;
    // Work on the taller orientation, then transpose back if needed.
    const bool transposed = rows < cols;
    const std::size_t r = transposed ? cols : rows, c = transposed ? rows : cols;
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<double> m(r * c);
    std::mt19937_64& rng = seeded_generator ? *seeded_generator : global_generator();
    for (auto& v : m) v = normal(rng);
    orthonormalise_columns(m, r, c);
    Array out = Array::from_shape(s);
    for (std::size_t i = 0; i < rows; ++i) {
      for (std::size_t j = 0; j < cols; ++j) {
        out.data()[i * cols + j] = float(gain * (transposed ? m[j * c + i] : m[i * c + j]));
      }
    }
    return out;
  };
}

Initializer by_name(const std::string& name) { return InitializerSpec(name).make(); }

}  // namespace initializers

namespace {

using json = nlohmann::json;

// One initializer Keras knows: its name, its class name, its arguments with
// their defaults, and how to make it from complete arguments.
struct InitializerKind {
  const char* name;
  const char* class_name;
  json defaults;
  std::function<Initializer(const json& args)> make;
};

float number(const json& args, const char* key) { return args.at(key).get<float>(); }

const std::vector<InitializerKind>& initializer_kinds() {
  using namespace initializers;
  static const json seed = {{"seed", nullptr}};
  static const std::vector<InitializerKind> kinds = {
      {"zeros", "Zeros", json::object(), [](const json&) { return zeros(); }},
      {"ones", "Ones", json::object(), [](const json&) { return ones(); }},
      {"constant", "Constant", {{"value", 0.0}}, [](const json& a) { return constant(number(a, "value")); }},
      {"random_uniform", "RandomUniform", {{"minval", -0.05}, {"maxval", 0.05}, {"seed", nullptr}},
       [](const json& a) { return random_uniform(number(a, "minval"), number(a, "maxval")); }},
      {"random_normal", "RandomNormal", {{"mean", 0.0}, {"stddev", 0.05}, {"seed", nullptr}},
       [](const json& a) { return random_normal(number(a, "mean"), number(a, "stddev")); }},
      {"truncated_normal", "TruncatedNormal", {{"mean", 0.0}, {"stddev", 0.05}, {"seed", nullptr}},
       [](const json& a) { return truncated_normal(number(a, "mean"), number(a, "stddev")); }},
      {"variance_scaling", "VarianceScaling",
       {{"scale", 1.0}, {"mode", "fan_in"}, {"distribution", "truncated_normal"}, {"seed", nullptr}},
       [](const json& a) {
         return variance_scaling(number(a, "scale"), a.at("mode").get<std::string>(),
                                 a.at("distribution").get<std::string>());
       }},
      {"glorot_uniform", "GlorotUniform", seed, [](const json&) { return glorot_uniform(); }},
      {"glorot_normal", "GlorotNormal", seed, [](const json&) { return glorot_normal(); }},
      {"he_uniform", "HeUniform", seed, [](const json&) { return he_uniform(); }},
      {"he_normal", "HeNormal", seed, [](const json&) { return he_normal(); }},
      {"lecun_uniform", "LecunUniform", seed, [](const json&) { return lecun_uniform(); }},
      {"lecun_normal", "LecunNormal", seed, [](const json&) { return lecun_normal(); }},
      {"orthogonal", "Orthogonal", {{"gain", 1.0}, {"seed", nullptr}},
       [](const json& a) { return orthogonal(number(a, "gain")); }},
      {"identity", "Identity", {{"gain", 1.0}}, [](const json& a) { return identity(number(a, "gain")); }},
  };
  return kinds;
}

std::string known_initializers() {
  std::string out;
  for (const auto& k : initializer_kinds()) out += (out.empty() ? "" : ", ") + std::string(k.name);
  return out;
}

// Keras' aliases, and the class names Keras and TensorFlow.js write.
const InitializerKind& initializer_kind(const std::string& name) {
  const std::string wanted = name == "uniform" ? "random_uniform" : name == "normal" ? "random_normal" : name;
  for (const auto& k : initializer_kinds()) {
    if (wanted == k.name || wanted == k.class_name) return k;
  }
  if (wanted == "IdentityInitializer") return initializer_kind("identity");
  throw FormatError("unknown initializer '" + name + "' (known: " + known_initializers() + ")");
}

}  // namespace

InitializerSpec::InitializerSpec(std::string name, nlohmann::json arguments)
    : name_(initializer_kind(name).name), arguments_(std::move(arguments)) {
  if (arguments_.is_null()) arguments_ = json::object();
  if (!arguments_.is_object()) {
    throw FormatError("initializer '" + name_ + "': arguments must be a JSON object, got " + arguments_.dump());
  }
  const auto& kind = initializer_kind(name_);
  for (const auto& [key, value] : arguments_.items()) {
    if (!kind.defaults.contains(key)) {
      throw FormatError("initializer '" + name_ + "' has no argument '" + key + "' (it takes: " +
                        [&] {
                          std::string keys;
                          for (const auto& [k, v] : kind.defaults.items()) keys += (keys.empty() ? "" : ", ") + k;
                          return keys.empty() ? std::string("none") : keys;
                        }() + ")");
    }
    const json& fallback = kind.defaults.at(key);
    const bool ok = key == "seed" ? (value.is_null() || value.is_number_integer())
                    : fallback.is_string() ? value.is_string()
                                           : value.is_number();
    if (!ok) throw FormatError("initializer '" + name_ + "': argument '" + key + "' cannot be " + value.dump());
  }
  // Arguments equal to their defaults are dropped, so "glorot_uniform" and
  // {"class_name": "GlorotUniform", "config": {"seed": null}} are one spec.
  for (auto it = arguments_.begin(); it != arguments_.end();) {
    if (kind.defaults.at(it.key()) == *it) {
      it = arguments_.erase(it);
    } else {
      ++it;
    }
  }
  make();  // an argument the initializer refuses (mode "fan_sideways") fails here
}

InitializerSpec InitializerSpec::from_config(const nlohmann::json& config) {
  if (config.is_string()) return InitializerSpec(config.get<std::string>());
  if (config.is_object() && config.contains("class_name") && config.at("class_name").is_string()) {
    return InitializerSpec(config.at("class_name").get<std::string>(), config.value("config", json::object()));
  }
  throw FormatError("an initializer must be a name or {\"class_name\": ..., \"config\": {...}}, got " +
                    config.dump());
}

nlohmann::json InitializerSpec::to_config() const {
  if (arguments_.empty()) return name_;
  return {{"class_name", initializer_kind(name_).class_name}, {"config", arguments_}};
}

Initializer InitializerSpec::make() const {
  const auto& kind = initializer_kind(name_);
  json args = kind.defaults;
  for (const auto& [key, value] : arguments_.items()) args[key] = value;
  Initializer made = kind.make(args);
  if (args.contains("seed") && !args.at("seed").is_null()) {
    made = initializers::with_seed(std::move(made), args.at("seed").get<std::uint64_t>());
  }
  return made;
}
}  // namespace kiln
