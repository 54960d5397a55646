#include "models/backup_and_restore.hpp"

#include <cstring>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "graph/error.hpp"
#include "io/atomic_dir.hpp"
#include "io/atomic_file.hpp"
#include "io/json_depth.hpp"

namespace kiln {

namespace {

using json = nlohmann::json;

constexpr const char* weights_file = "weights.safetensors";
constexpr const char* optimizer_file = "optimizer.safetensors";
constexpr const char* state_file = "training_state.json";
constexpr int max_state_depth = 8;  // the file nests two levels

std::string generator_state(const std::mt19937_64& generator) {
  std::ostringstream text;
  text << generator;
  return text.str();
}

// What training_state.json says, read and checked before anything changes.
struct BackupState {
  FitStart start;
  std::optional<float> learning_rate;
  std::map<std::string, std::mt19937_64> generators;
};

BackupState read_state(const std::filesystem::path& path) {
  const std::string where = path.string() + ": ";
  BackupState state;
  try {
    const json file = io::parse_json_with_depth_limit<json>(io::read_file(path), max_state_depth);
    state.start = {.epoch = file.at("epoch").get<std::size_t>(),
                   .step = file.at("step").get<std::size_t>(),
                   .shuffle_seed = file.at("shuffle_seed").get<std::uint64_t>()};
    if (!file.at("learning_rate").is_null()) state.learning_rate = file.at("learning_rate").get<float>();
    for (const auto& [name, text] : file.at("generators").items()) {
      std::istringstream in(text.get<std::string>());
      std::mt19937_64 generator;
      if (!(in >> generator)) throw FormatError("generator '" + name + "' has no valid std::mt19937_64 state");
      state.generators.emplace(name, generator);
    }
  } catch (const FormatError& e) {
    throw FormatError(where + e.what());
  } catch (const json::exception& e) {
    throw FormatError(where + "not a backup's training state (" + e.what() + ")");
  }
  return state;
}

// Every generator of the model must be in the backup and no other.
void check_generators(const BackupState& state, const Model& model, const std::filesystem::path& path) {
  const auto named = model.named_generators();
  for (const auto& [name, generator] : named) {
    if (!state.generators.count(name)) {
      throw FormatError(path.string() + ": no state for the random generator '" + name + "' of " + model.describe());
    }
  }
  for (const auto& [name, generator] : state.generators) {
    bool used = false;
    for (const auto& entry : named) used = used || entry.first == name;
    if (!used) throw FormatError(path.string() + ": random generator '" + name + "' does not exist in " + model.describe());
  }
}

}  // namespace

SaveFrequency::SaveFrequency(const char* every) {
  if (std::strcmp(every, "epoch") != 0) {
    throw Error(std::string("BackupAndRestore: save_freq must be \"epoch\" or a number of steps, got \"") + every + "\"");
  }
}

SaveFrequency::SaveFrequency(std::size_t steps) : steps_(steps) {
  if (steps == 0) throw Error("BackupAndRestore: save_freq must be \"epoch\" or a positive number of steps, got 0");
}

SaveFrequency::SaveFrequency(int steps) : SaveFrequency(steps > 0 ? std::size_t(steps) : std::size_t{0}) {}

BackupAndRestore::BackupAndRestore(Options options) : options_(std::move(options)) {
  if (options_.backup_dir.empty()) throw Error("BackupAndRestore: backup_dir is empty");
}

bool BackupAndRestore::writes() const {
  const auto& communicator = model().compile_options().communicator;
  return !communicator || communicator->is_root();
}

void BackupAndRestore::on_train_begin(const Logs&) {
  restored_from_.reset();
  steps_since_backup_ = 0;
  epoch_ = model().fit_start.epoch;
  if (std::filesystem::exists(options_.backup_dir / state_file)) restore();
}

void BackupAndRestore::restore() {
  Model& m = model();
  const auto dir = options_.backup_dir;
  if (m.named_weights().empty()) {
    throw Error("BackupAndRestore: " + m.describe() + " must be built before fit() to restore the backup in " +
                dir.string() + " (call it on data or build it first)");
  }
  BackupState state = read_state(dir / state_file);
  check_generators(state, m, dir / state_file);
  m.load_weights(dir / weights_file);
  if (std::filesystem::exists(dir / optimizer_file)) m.load_optimizer_state(dir / optimizer_file);
  Optimizer& optimizer = m.optimizer();
  if (state.learning_rate && !optimizer.options().learning_rate_schedule) optimizer.set_learning_rate(*state.learning_rate);
  for (auto& [name, generator] : m.named_generators()) *generator = state.generators.at(name);
  m.fit_start = state.start;
  restored_from_ = state.start;
  epoch_ = state.start.epoch;
}

void BackupAndRestore::back_up(std::size_t epoch, std::size_t step) {
  if (!writes()) return;
  Model& m = model();
  const Optimizer& optimizer = m.optimizer();
  json state = {{"format", "kiln-backup"},
                {"epoch", epoch},
                {"step", step},
                {"shuffle_seed", m.fit_start.shuffle_seed},
                {"learning_rate", nullptr},
                {"generators", json::object()}};
  if (!optimizer.options().learning_rate_schedule) state["learning_rate"] = optimizer.learning_rate();
  for (const auto& [name, generator] : m.named_generators()) state["generators"][name] = generator_state(*generator);
  // One directory swapped in whole: a crash mid-backup leaves the previous one.
  io::DirectoryWrite write(options_.backup_dir, {weights_file, optimizer_file, state_file});
  m.save_weights(write.staging() / weights_file);
  if (optimizer.iterations() > 0) m.save_optimizer_state(write.staging() / optimizer_file);
  io::write_file_atomically(write.staging() / state_file, state.dump(2) + "\n");
  write.commit();
}

void BackupAndRestore::on_epoch_begin(std::size_t epoch, const Logs&) { epoch_ = epoch; }

void BackupAndRestore::on_batch_end(std::size_t batch, const Logs&) {
  if (options_.save_freq.per_epoch() || ++steps_since_backup_ < options_.save_freq.steps()) return;
  steps_since_backup_ = 0;
  back_up(epoch_, batch + 1);
}

void BackupAndRestore::on_epoch_end(std::size_t epoch, const Logs&) {
  if (options_.save_freq.per_epoch()) back_up(epoch + 1, 0);
}

void BackupAndRestore::on_train_end(const Logs&) {
  if (!options_.delete_checkpoint || !writes()) return;
  // Only what a backup holds; the directory goes once it is empty.
  std::error_code ignored;
  for (const char* name : {weights_file, optimizer_file, state_file}) {
    std::filesystem::remove(options_.backup_dir / name, ignored);
  }
  std::filesystem::remove(options_.backup_dir, ignored);
}

}  // namespace kiln
